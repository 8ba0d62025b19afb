import { describe, expect, it } from 'vitest';
import { texts as botTexts } from '../../dialogs/texts';
import { ChannelConversation, STAFF, asList, eventually } from '../helpers/staff';
import { staffedBot } from '../helpers/staffedBot';
import { announceSkip, backends } from '../helpers/stores';
import { texts, type ReplyActivity } from '../helpers/talk';

const DAY = 86_400_000;

// Issue 17 item 9: the reports match what happened, on a fresh store.
for (const backend of backends) {
  announceSkip(backend, 'reports');
  describe.skipIf(!backend.available)(`GET /api/reports (${backend.name})`, () => {
    const desk = staffedBot(backend);

    const person = () => new ChannelConversation(desk.bot.url, desk.channel.serviceUrl, `user-${Math.random().toString(36).slice(2, 10)}`);
    /** Answers questions until the bot offers a step; returns that step's advice id. */
    async function untilStep(who: ChannelConversation, first: string): Promise<string> {
      let replies: ReplyActivity[] = await who.say(first);
      for (let turn = 0; turn < 10; turn++) {
        const step = replies.find((r) => r.channelData?.adviceId && r.suggestedActions?.actions.some((a) => a.title === botTexts.stepButtons.notFixed));
        if (step?.channelData?.adviceId) return step.channelData.adviceId;
        const buttons = replies.at(-1)?.suggestedActions?.actions.map((a) => a.title ?? '') ?? [];
        replies = await who.say(buttons.includes("I don't know") ? "I don't know" : buttons.at(-1) ?? 'no');
      }
      throw new Error('no step offered');
    }
    const window = () => `from=${new Date(Date.now() - DAY).toISOString()}&to=${new Date(Date.now() + DAY).toISOString()}`;

    it('counts self-service fixes, escalations, waits, the solved answer and what did not help, per platform; and exports CSV', async () => {
      const fixedByBot = person();
      await untilStep(fixedByBot, 'my camera shows a black screen on my windows laptop in chrome, not live');
      const fixed = await fixedByBot.say(botTexts.stepButtons.fixed);
      expect(texts(fixed).at(-1)).toMatch(new RegExp(`^Great, glad it works now!.*\\n\\n${botTexts.feedback.question.replace(/[.?]/g, '\\$&')}$`));
      expect(texts(await fixedByBot.say(botTexts.feedback.buttons.ok))).toEqual([botTexts.feedback.thanks]);
      // Asked once: the same answer later is ordinary text again, not a second rating.
      expect(texts(await fixedByBot.say(botTexts.feedback.buttons.ok))).not.toContain(botTexts.feedback.thanks);

      const escalated = person();
      const notHelped = await untilStep(escalated, 'my camera shows a black screen on my windows laptop in chrome, not live');
      await escalated.say(botTexts.stepButtons.notFixed);
      await escalated.say('human');
      const id = String((await eventually('the escalation', async () => asList((await desk.sam.get('/api/escalations')).body).find((e) => e.conversationId === escalated.id))).id);
      await desk.sam.post(`/api/escalations/${id}/claim`);
      await desk.sam.post(`/api/escalations/${id}/messages`, { text: 'Hello, Sam here.' });
      await desk.sam.post(`/api/escalations/${id}/close`);
      await escalated.say('Yes');
      // Skippable: any other message passes the question over and is answered as usual.
      expect(texts(await escalated.say('my microphone is silent now'))).not.toContain(botTexts.feedback.thanks);

      const waiting = person();
      await waiting.say('I want to talk to a person');

      const report = (await desk.sam.get(`/api/reports?${window()}`)).body;
      expect(report).toMatchObject({
        conversations: 3,
        fixedByBot: 1,
        fixedByStaffAdvice: 0,
        selfServiceRate: 1 / 3,
        escalations: 2,
        escalationRate: 2 / 3,
        claimed: 1,
        medianClaimS: expect.any(Number),
        medianFirstReplyS: expect.any(Number),
        solved: { yes: 1, no: 0 },
        satisfaction: { bot: { good: 0, ok: 1, poor: 0 }, staff: { good: 0, ok: 0, poor: 0 } },
        notHelped: [{ os: 'windows', browser: 'chrome', adviceId: notHelped, count: 1 }],
        platforms: [{ os: 'windows', browser: 'chrome', conversations: 2, fixedByBot: 1 }],
      });

      // A window before any of it is empty, not an error.
      const before = (await desk.sam.get(`/api/reports?from=2020-01-01&to=2020-01-02`)).body;
      expect(before).toMatchObject({ conversations: 0, selfServiceRate: null, medianClaimS: null, notHelped: [] });

      const csv = await fetch(`${desk.bot.url}/api/reports?${window()}&format=csv`, { headers: { authorization: `Bearer ${STAFF.sam}` } });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="support-report-.*\.csv"/);
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe('section,os,browser,item,value');
      expect(lines).toContain('figure,,,fixed by the bot,1');
      expect(lines).toContain('figure,,,rated ok after a fix by the bot,1');
      expect(lines).toContain(`did not help,windows,chrome,${notHelped},1`);
    });

    it('refuses a window that is not one', async () => {
      for (const query of ['from=soon', 'to=later', 'from=2026-02-01&to=2026-01-01', 'from=2020-01-01&to=2026-01-01', 'format=xml']) {
        const response = await desk.sam.get(`/api/reports?${query}`);
        expect(response.status, query).toBe(400);
      }
    });
  });
}
