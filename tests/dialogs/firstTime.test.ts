import { describe, expect, it } from 'vitest';
import { texts as botTexts } from '../../dialogs/texts';
import { adviceIds, buttons, dialogHarness } from '../helpers/dialogs';

const textOf = (replies: { text?: string }[]) => replies.map((r) => r.text ?? '').join('\n');

describe('the conversation understands people the first time', () => {
  it('confirms in one line what it understood before its first question, and "that\'s wrong" corrects it', async () => {
    const h = dialogHarness();
    const first = await h.say('windows chrome, my mic says permission denied');
    const question = first.at(-1);
    expect(question?.text).toBe(`${botTexts.understood('Windows · Chrome · microphone · permission denied')} Is your session live now, or starting in the next few minutes?`);
    expect(buttons(question)).toContain("That's wrong");
    // Later questions do not repeat it.
    const second = await h.say('No, later');
    expect(textOf(second)).not.toContain('Got it:');

    const h2 = dialogHarness();
    await h2.say('windows chrome, my mic says permission denied');
    const corrected = await h2.say("That's wrong");
    expect(textOf(corrected)).toContain(botTexts.corrected);
    const record = await h2.record();
    expect(record.facts).toEqual({});
    expect(corrected.at(-1)?.channelData).toMatchObject({ questionId: 'media' });
  });

  it('an in-app browser: the first step is to open the link in the real browser, never the lock icon', async () => {
    const h = dialogHarness();
    await h.say('I tapped the link in the LinkedIn app on my android phone and the camera says permission denied');
    const steps = await h.say('No, later');
    expect(adviceIds(steps)).toContain('open-in-real-browser');
    expect(adviceIds(steps).filter((id) => id !== 'platform-in-app-browser')[0]).toBe('open-in-real-browser');
    expect(textOf(steps)).not.toMatch(/lock|address bar/i);
  });

  it('a managed device that never asks: the organisation\'s policy comes first', async () => {
    const h = dialogHarness();
    await h.say("it's my work laptop, windows and chrome, and it never asks for the microphone");
    const steps = await h.say('No, later');
    expect(adviceIds(steps)[0]).toBe('enterprise-policy');
    expect(textOf(steps)).toContain('blocking the microphone');
  });

  it('two values for one fact: asks which, offering just those two', async () => {
    const h = dialogHarness();
    const replies = await h.say("I have a mac but I'm using windows right now and the camera is blocked");
    const question = replies.at(-1);
    expect(question?.channelData).toMatchObject({ questionId: 'os' });
    expect(question?.text).toContain(botTexts.bothValues('macOS', 'Windows'));
    expect(buttons(question).filter((b) => b !== "I don't know" && b !== "That's wrong")).toEqual(['Windows PC', 'Mac']);
    await h.say('windows');
    expect((await h.record()).facts.os).toBe('windows');
  });

  it('a microphone problem gets microphone wording, and "Step n of m"', async () => {
    const h = dialogHarness();
    await h.say('windows chrome, my mic says permission denied');
    const steps = await h.say('No, later');
    expect(textOf(steps)).toMatch(/^Step 1 of \d+: \*\*Allow the microphone for this site\*\*/m);
    // The links' addresses are the vendors' own.
    expect(textOf(steps).replace(/\]\([^)]*\)/g, ']')).not.toMatch(/camera/i);
  });

  it('after a fix, "thanks" closes politely instead of starting again', async () => {
    const h = dialogHarness();
    await h.say('my camera says it is in use by another program');
    await h.say('No, later');
    await h.say('Windows PC');
    await h.say('chrome');
    await h.say('That fixed it');
    for (const goodbye of ['thanks', 'ok bye', 'great']) {
      const replies = await h.say(goodbye);
      expect(textOf(replies)).toBe(botTexts.closing);
      expect((await h.record()).resolution).toBe('fixed');
    }
    // A new problem afterwards is a new diagnosis.
    const again = await h.say('now my mic is blocked');
    expect(textOf(again)).not.toBe(botTexts.closing);
    expect((await h.record()).resolution).toBeUndefined();
  });

  it('after a support record, "thanks" closes politely, and the message carries adviceId support-record', async () => {
    const h = dialogHarness();
    await h.say('mac chrome, the camera says permission denied by system');
    await h.say('no');
    let filed: ReturnType<typeof adviceIds> = [];
    for (let i = 0; i < 12 && !filed.includes('support-record'); i++) filed = adviceIds(await h.say("Didn't help"));
    expect(filed).toContain('support-record');
    expect(textOf(await h.say('thanks a lot'))).toBe(botTexts.closing);
  });

  it('a step already tried is never offered again, under any name', async () => {
    const h = dialogHarness();
    await h.say('windows chrome, camera, it never asks for permission');
    const offered: string[] = adviceIds(await h.say('No, later'));
    for (let i = 0; i < 10; i++) {
      const next = adviceIds(await h.say('Already tried'));
      if (next.includes('support-record')) break;
      offered.push(...next);
    }
    expect(new Set(offered).size).toBe(offered.length);
    expect(offered.includes('browser-site-permissions') && offered.includes('permission-prompt-dismissed')).toBe(false);
  });
});
