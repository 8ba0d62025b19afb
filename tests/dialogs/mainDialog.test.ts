import { describe, expect, it } from 'vitest';
import { findQuestion } from '../../dialogs/questions';
import { texts as botTexts } from '../../dialogs/texts';
import { adviceIds, buttons, dialogHarness, FakeHandoff } from '../helpers/dialogs';

const textOf = (replies: { text?: string }[]) => replies.map((r) => r.text ?? '').join('\n');

describe('main dialog (DialogTestClient)', () => {
  it('happy path: asks only what it lacks, gives the most likely fix first, and records the fix', async () => {
    const h = dialogHarness();
    const first = await h.say('my camera says it is in use by another program');
    // Device and symptom came from the words: the next question is about the session.
    expect(first.at(-1)?.channelData).toMatchObject({ questionId: 'live' });
    expect(buttons(first.at(-1))).toContain("I don't know");
    await h.say('No, later');
    await h.say('Windows PC');
    const steps = await h.say('chrome');
    expect(adviceIds(steps)[0]).toBe('close-other-apps');
    expect(buttons(steps.at(-1))).toEqual(['That fixed it', "Didn't help", 'Already tried', 'Talk to a person']);
    const done = await h.say('That fixed it');
    expect(textOf(done)).toMatch(/glad it works/i);
    const record = await h.record();
    expect(record.steps).toEqual([expect.objectContaining({ adviceId: 'close-other-apps', outcome: 'fixed' })]);
    expect(record.resolution).toBe('fixed');
    expect(record.sources).toMatchObject({ media: 'text', symptom: 'text', liveConference: 'asked', os: 'asked' });
  });

  it('walks to the next step on "Didn\'t help" and skips steps already tried', async () => {
    const h = dialogHarness();
    await h.say('mac chrome, the camera says permission denied by system');
    await h.say('no');
    const firstStep = await h.say("I don't know");
    const first = adviceIds(firstStep).at(-1);
    expect(first).toBe('os-permissions-macos');
    const second = adviceIds(await h.say("didn't help")).at(-1);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const third = adviceIds(await h.say('already tried')).at(-1);
    expect([first, second]).not.toContain(third);
    const record = await h.record();
    expect(record.steps.map((s) => s.outcome)).toEqual(['not-fixed', 'already-tried']);
    expect(record.facts.stepsTried).toEqual([first, second]);
  });

  it('accepts "I don\'t know" for any question and does not ask it again', async () => {
    const h = dialogHarness();
    const q1 = await h.say('my microphone is not working');
    const asked = q1.at(-1)?.channelData as { questionId?: string };
    const q2 = await h.say("I don't know");
    expect((q2.at(-1)?.channelData as { questionId?: string }).questionId).not.toBe(asked.questionId);
    expect((await h.record()).declined).toContain(asked.questionId);
  });

  it('an answer that tells another fact is noted above the question that follows, in one message', async () => {
    const h = dialogHarness();
    const asked = await h.say('NotAllowedError: Permission denied by system');
    expect(asked.at(-1)?.channelData).toMatchObject({ questionId: 'live' });
    // "mic" answers no question asked, but says which device: noted, and the session question again.
    const replies = await h.say('mic');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toBe(`${botTexts.noted}\n\n${findQuestion('live')?.text ?? ''}`);
    expect(replies[0]?.channelData).toMatchObject({ questionId: 'live' });
    expect((await h.record()).facts.media).toEqual(['microphone']);
  });

  it('reprompts once for an answer it cannot read, then goes on without it', async () => {
    const h = dialogHarness();
    await h.say('screen sharing fails');
    const again = await h.say('blorp');
    expect(textOf(again)).toContain(botTexts.didNotCatch);
    const moved = await h.say('zzz');
    expect(textOf(moved)).toContain(botTexts.takeAsUnknown);
  });

  it('answers help and keeps the question open', async () => {
    const h = dialogHarness();
    await h.say('camera broken');
    const help = await h.say('help');
    expect(textOf(help)).toContain('restart');
    expect(help.at(-1)?.channelData).toMatchObject({ questionId: expect.any(String) });
  });

  it('restarts on "start over" and forgets the problem', async () => {
    const h = dialogHarness();
    await h.say('my camera is blocked on windows');
    const restarted = await h.say('start over');
    expect(textOf(restarted)).toContain(botTexts.restarted);
    expect((await h.record()).facts).toEqual({});
  });

  it('shows status and the diagnostics card with diagnostics.json', async () => {
    const h = dialogHarness();
    await h.say('iphone chrome ios 13, mic not working');
    const status = await h.say('status');
    expect(textOf(status)).toMatch(/microphone/);
    const diagnostics = await h.say('diagnostics');
    const attachments = diagnostics[0]?.attachments ?? [];
    expect(attachments.map((a) => a.contentType)).toEqual(['application/vnd.microsoft.card.adaptive', 'application/json']);
    expect(attachments[1]).toMatchObject({ name: 'diagnostics.json', content: { version: 1, facts: { os: 'ios', browser: 'chrome' } } });
    // The card says the system and browser by their names, as the status line and the staff console do.
    expect(JSON.stringify(attachments[0]?.content)).toContain('"title":"Operating system","value":"iOS (from their words)"');
    expect(JSON.stringify(attachments[0]?.content)).toContain('"title":"Browser","value":"Chrome (from their words)"');
  });

  it('lists the steps tried on the diagnostics card by their titles', async () => {
    const h = dialogHarness();
    await h.say('mac chrome, the camera says permission denied by system');
    await h.say('no');
    await h.say("I don't know");
    await h.say("didn't help");
    const card = JSON.stringify((await h.say('diagnostics'))[0]?.attachments?.[0]?.content);
    expect(card).toMatch(/"title":"Steps tried","value":"[A-Z][^"]* \(answered\)"/);
    expect(card).not.toContain('os-permissions-macos (');
  });

  it('switches to the urgent path at once and calls staff, keeping what is known', async () => {
    const h = dialogHarness();
    await h.say('my mic is blocked on my mac');
    const urgent = await h.say("I'm presenting in 5 minutes!!");
    // One message: the urgency understood, then staff called.
    expect(urgent.map((r) => r.text)).toContain(`${botTexts.urgentNoted}\n\n${botTexts.staffCalled(2)}`);
    expect(h.handoff.staffRequests).toHaveLength(1);
    expect(h.handoff.staffRequests[0]).toMatchObject({ reason: 'urgent', record: { facts: { os: 'macos', media: ['microphone'], urgent: true, liveConference: true } } });
  });

  it('calls staff when the person asks for a human', async () => {
    const h = dialogHarness();
    await h.say('camera not working');
    const replies = await h.say('can I talk to a person please');
    expect(replies.map((r) => r.text)).toContain(`${botTexts.humanNoted}\n\n${botTexts.staffCalled(2)}`);
    expect(h.handoff.staffRequests[0]?.reason).toBe('human-requested');
    expect(textOf(await h.say('human'))).toContain(botTexts.staffAlreadyRequested);
  });

  it('says honestly when nobody can be called', async () => {
    const h = dialogHarness(new FakeHandoff(false));
    const replies = await h.say('talk to a human');
    expect(textOf(replies)).toContain(botTexts.staffUnavailable);
    expect((await h.record()).escalations[0]).toMatchObject({ kind: 'staff-now', status: 'unavailable' });
  });

  it('files a support record when the steps run out and it is not urgent', async () => {
    const h = dialogHarness();
    await h.say('windows edge, camera is black, nobody can see me');
    let replies = await h.say('no, it is tomorrow');
    for (let i = 0; i < 15 && h.handoff.supportRecords.length === 0; i++) replies = await h.say("didn't help");
    expect(h.handoff.supportRecords).toHaveLength(1);
    expect(textOf(replies)).toContain(botTexts.supportRecordFiled('SR-1'));
    expect((await h.record()).resolution).toBe('support-record');
  });

  it('turns a probe event into facts and says what it found in one sentence', async () => {
    const h = dialogHarness();
    const replies = await h.say({
      type: 'event',
      name: 'diagnostics',
      value: {
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
        secureContext: true,
        inIframe: false,
        permissions: { camera: 'denied', microphone: 'prompt' },
        devices: { camera: 1, microphone: 1, labelsVisible: false },
        getUserMedia: { requested: ['camera'], ok: false, errorName: 'NotAllowedError', errorMessage: 'Permission denied' },
      },
    });
    expect(replies[0]?.text).toMatch(/^Thanks for running the check\. You're using Chrome 120 on macOS, and your browser blocked the camera/);
    const record = await h.record();
    expect(record.facts).toMatchObject({ os: 'macos', browser: 'chrome', errorName: 'NotAllowedError', media: ['camera'], permission: { camera: 'denied' } });
    expect(record.sources.os).toBe('probe');
    expect(adviceIds(replies.concat(await h.say('no')))).toContain('browser-site-permissions');
  });

  it('says so when a probe event cannot be read', async () => {
    const h = dialogHarness();
    const replies = await h.say({ type: 'event', name: 'diagnostics', value: { secureContext: 'yes' } });
    expect(replies[0]?.text).toBe(botTexts.probeInvalid);
  });
});

/** A probe from the person's Windows Chrome: it knows nothing of whether their session is live. */
const probe = {
  type: 'event',
  name: 'diagnostics',
  value: {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    secureContext: true,
    inIframe: false,
    permissions: { camera: 'granted' },
    devices: { camera: 1, microphone: 1, labelsVisible: true },
    getUserMedia: { requested: ['camera'], ok: false, errorName: 'NotReadableError', errorMessage: 'Device in use' },
  },
} as const;

const STEP_BUTTONS = ['That fixed it', "Didn't help", 'Already tried', 'Talk to a person'];
/** After a probe reading the page can run the check again, so a step it can verify offers Check again. */
const CHECKABLE_STEP_BUTTONS = ['That fixed it', "Didn't help", 'Already tried', 'Check again', 'Talk to a person'];

describe('never a lost prompt: after each interjection the pending question or step is asked again, with its buttons', () => {
  const interjections: [string, string | typeof probe][] = [
    ['status', 'status'],
    ['diagnostics', 'diagnostics'],
    ['help', 'help'],
    ['a probe result', probe],
  ];

  it.each(interjections)('%s while a question waits', async (_name, input) => {
    const h = dialogHarness();
    const asked = (await h.say('my camera says it is in use by another program')).at(-1);
    expect(asked?.channelData).toMatchObject({ questionId: 'live' });
    const replies = await h.say(input);
    expect(replies.length).toBeGreaterThan(1); // the interjection's own answer came first
    expect(replies.at(-1)?.channelData).toMatchObject({ questionId: 'live' });
    expect(buttons(replies.at(-1))).toEqual(buttons(asked));
    // And the question still takes its answer.
    expect((await h.say('No, later')).at(-1)?.channelData).not.toMatchObject({ questionId: 'live' });
  });

  it.each(interjections)('%s while a step waits for its outcome', async (_name, input) => {
    const h = dialogHarness();
    for (const line of ['my camera says it is in use by another program', 'No, later', 'Windows PC']) await h.say(line);
    const step = await h.say('chrome');
    expect(adviceIds(step).at(-1)).toBe('close-other-apps');
    const replies = await h.say(input);
    expect(replies.length).toBeGreaterThan(1);
    const last = replies.at(-1);
    expect(buttons(last)).toEqual(input === probe ? CHECKABLE_STEP_BUTTONS : STEP_BUTTONS);
    expect(last?.channelData).toMatchObject({ adviceId: 'close-other-apps', adviceKind: 'step' });
    expect(textOf(await h.say('That fixed it'))).toMatch(/glad it works/i);
  });
});

describe('the "Run a quick check" button', () => {
  const check = (reply: { suggestedActions?: { actions: { title?: string; type?: string; value?: unknown }[] } } | undefined) =>
    reply?.suggestedActions?.actions.find((a) => a.title === botTexts.runCheck);

  it('is offered with questions the probe can answer, only to a chat that declared the probe', async () => {
    const withProbe = dialogHarness(undefined, { canProbe: true });
    const symptom = (await withProbe.say('my camera is not working')).at(-1);
    expect(symptom?.channelData).toMatchObject({ questionId: 'symptom' });
    expect(check(symptom)).toMatchObject({ type: 'postBack', value: { action: 'run-probe', media: ['camera'] } });
    // Whether the session is live is not something a probe can tell.
    const live = (await withProbe.say('it says the device is in use')).at(-1);
    expect(live?.channelData).toMatchObject({ questionId: 'live' });
    expect(check(live)).toBeUndefined();
    // Without the declaration (Teams, another embed) the button never shows.
    const plain = (await dialogHarness().say('my camera is not working')).at(-1);
    expect(plain?.channelData).toMatchObject({ questionId: 'symptom' });
    expect(check(plain)).toBeUndefined();
  });

  it('pressed where nothing runs it: says so and asks again, without counting it as a wrong answer', async () => {
    const h = dialogHarness(undefined, { canProbe: true });
    await h.say('my camera is not working');
    for (let i = 0; i < 3; i++) {
      const replies = await h.say({ type: 'message', value: { action: 'run-probe', media: ['camera'] } });
      expect(replies.at(-1)?.text).toContain(botTexts.probeNotHere);
      expect(replies.at(-1)?.channelData).toMatchObject({ questionId: 'symptom' });
    }
  });
});

describe('calling staff while nobody is online (requests queue)', () => {
  it('says nobody is online and that the place in the queue is kept, not "0 members of staff"', async () => {
    class QueueWithNobodyOnline extends FakeHandoff {
      override async requestStaff(context: unknown, request: Parameters<FakeHandoff['requestStaff']>[1]) {
        const outcome = await super.requestStaff(context, request);
        return outcome.status === 'requested' ? { ...outcome, wait: { online: 0 } } : outcome;
      }
    }
    const h = dialogHarness(new QueueWithNobodyOnline());
    const said = textOf(await h.say('I want to talk to a person'));
    expect(said).toContain(botTexts.staffCalled(2, { online: 0 }));
    expect(said).toMatch(/Nobody from the support team is online/);
    expect(said).not.toMatch(/\b0 members/);
  });
});
