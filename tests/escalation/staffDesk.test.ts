import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { texts as botTexts } from '../../dialogs/texts';
import { getAdvice, factLabels, outcomeLabels } from '../../src/diagnosis';
import { SupportRecordRepository } from '../../src/escalation';
import { escalationTexts, staffLabels } from '../../src/escalation/texts';
import type { RunningBot } from '../../src/main';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { startTestBot } from '../helpers/server';
import { ChannelConversation, STAFF, STAFF_TOKENS, StaffClient, asList, eventually, isRecord, openFeed } from '../helpers/staff';
import { staffedBot } from '../helpers/staffedBot';
import { announceSkip, backends } from '../helpers/stores';
import { createRecord, mergeFacts } from '../../src/diagnosis';

const PRESENTER = "I'm presenting in 5 minutes on my windows laptop with chrome and my microphone says permission denied";

// Issue 17: the staff desk — queue items in words, actions with sensible rules, canned advice, notes, worked support records.
for (const backend of backends) {
  announceSkip(backend, 'staff desk');
  describe.skipIf(!backend.available)(`the staff desk (${backend.name})`, () => {
    const desk = staffedBot(backend);

    const person = (name?: string) => {
      const conversation = new ChannelConversation(desk.bot.url, desk.channel.serviceUrl, `user-${Math.random().toString(36).slice(2, 10)}`);
      const from = name ? { id: conversation.userId, name } : { id: conversation.userId };
      return { conversation, say: (text: string) => conversation.send({ type: 'message', text, from }) };
    };

    it('a queue item says who, how urgent, on what, what fails, what was tried and the last message, in words', async () => {
      const ada = person('Ada Lovelace');
      await ada.say(PRESENTER);
      const item = await desk.escalationOf(ada.conversation.id);
      expect(item.brief).toMatchObject({
        name: 'Ada Lovelace',
        named: true,
        urgencyRank: 0,
        urgency: 'presenter · live session · urgent',
        platform: 'Windows · Chrome',
        problem: 'microphone · permission denied',
        check: { ran: false, summary: staffLabels.checkNotRun },
        lastMessage: { text: PRESENTER },
      });

      // Why the bot said what it said: diagnose()'s own rules, the facts they matched and where those came from.
      const detail = (await desk.sam.get(`/api/escalations/${String(item.id)}`)).body as { trace: { type: string; ruleId: string; adviceId: string; title: string; reasons: { text: string; source: string | null }[] }[] };
      const urgent = detail.trace.find((t) => t.type === 'escalation');
      expect(urgent?.reasons).toEqual(expect.arrayContaining([{ fact: 'urgent', text: 'Urgent is yes', source: 'from their words' }]));
      const step = detail.trace.find((t) => t.type === 'step');
      expect(step?.title).toBe(getAdvice(String(step?.adviceId))?.title);
      expect(step?.reasons.length).toBeGreaterThan(0);
      expect(JSON.stringify(detail.trace)).not.toMatch(/someFact|"permission-denied"/);

      // While waiting the bot offers steps; an answer is tried by title, and the last message follows.
      await ada.say(botTexts.stepButtons.notFixed);
      const after = await desk.escalationOf(ada.conversation.id);
      const brief = after.brief as { tried: { adviceId: string; title: string; outcomeLabel: string }[]; lastMessage: { text: string } };
      expect(brief.lastMessage.text).toBe(botTexts.stepButtons.notFixed);
      expect(brief.tried).toHaveLength(1);
      expect(brief.tried[0]?.title).toBe(getAdvice(String(brief.tried[0]?.adviceId))?.title);
      expect(brief.tried[0]?.outcomeLabel).toBe(outcomeLabels['not-fixed']);

      // Without a display name: a readable handle, never the raw id.
      const anon = person();
      await anon.say('I want to talk to a person');
      const anonymous = (await desk.escalationOf(anon.conversation.id)).brief as { name: string; named: boolean; urgencyRank: number };
      expect(anonymous.name).toMatch(/^Guest [2-9A-Z]{4}$/);
      expect(anonymous.named).toBe(false);
      expect(anonymous.urgencyRank).toBeGreaterThan(0);
      expect(JSON.stringify(anonymous)).not.toContain(anon.conversation.id);
    });

    it('close needs a claim; an unclaimed one is dismissed with a reason the person is told in fitting words', async () => {
      const jo = person('Jo');
      await jo.say('I want to talk to a person');
      const id = String((await desk.escalationOf(jo.conversation.id)).id);
      const close = await desk.sam.post(`/api/escalations/${id}/close`);
      expect(close.status).toBe(409);
      expect(close.body).toMatchObject({ error: 'CONFLICT', message: expect.stringContaining('dismiss') });
      expect((await desk.sam.post(`/api/escalations/${id}/dismiss`, { reason: 'bored' })).status).toBe(400);

      const dismissed = await desk.sam.post(`/api/escalations/${id}/dismiss`, { reason: 'duplicate' });
      expect(dismissed.status).toBe(200);
      expect(dismissed.body).toMatchObject({ status: 'closed', closedBy: 'Sam Rivera', dismissReason: 'duplicate', solved: null });
      await eventually('the dismiss message', () => desk.sentText(jo.conversation.id).includes(escalationTexts.dismissed.duplicate));
      expect(desk.sentText(jo.conversation.id).some((t) => t.includes('has ended the chat'))).toBe(false);
      expect((await desk.sam.post(`/api/escalations/${id}/dismiss`, { reason: 'duplicate' })).status).toBe(409);

      // A claimed one cannot be dismissed: its holder closes it.
      const lee = person('Lee');
      await lee.say('I want to talk to a person');
      const leeId = String((await desk.escalationOf(lee.conversation.id)).id);
      await desk.kim.post(`/api/escalations/${leeId}/claim`);
      expect((await desk.sam.post(`/api/escalations/${leeId}/dismiss`, { reason: 'solved' })).status).toBe(409);
      // A test or spam dismissal says nothing to the "person".
      const spam = person('Spam');
      await spam.say('agent please');
      const spamId = String((await desk.escalationOf(spam.conversation.id)).id);
      const before = desk.channel.sentTo(spam.conversation.id).length;
      expect((await desk.sam.post(`/api/escalations/${spamId}/dismiss`, { reason: 'test' })).status).toBe(200);
      expect(desk.channel.sentTo(spam.conversation.id)).toHaveLength(before);
    });

    it('release puts the person back in the queue; transfer passes them on and tells them who; reopen takes an ended one up again', async () => {
      const pat = person('Pat');
      await pat.say('I want to talk to a person');
      const id = String((await desk.escalationOf(pat.conversation.id)).id);
      expect((await desk.sam.post(`/api/escalations/${id}/release`)).status).toBe(409);
      await desk.sam.post(`/api/escalations/${id}/claim`);
      expect((await desk.kim.post(`/api/escalations/${id}/release`)).status).toBe(403);

      const released = await desk.sam.post(`/api/escalations/${id}/release`);
      expect(released.body).toMatchObject({ status: 'waiting', claimedBy: null, position: expect.any(Number) });
      const position = Number((released.body as { position: number }).position);
      await eventually('the release message', () => desk.sentText(pat.conversation.id).includes(escalationTexts.released('Sam Rivera', position)));

      expect((await desk.sam.post(`/api/escalations/${id}/claim`)).status).toBe(200);
      expect((await desk.sam.post(`/api/escalations/${id}/transfer`, { to: 'Nobody Here' })).status).toBe(400);
      expect((await desk.kim.post(`/api/escalations/${id}/transfer`, { to: 'Kim Lee' })).status).toBe(400);
      const moved = await desk.sam.post(`/api/escalations/${id}/transfer`, { to: 'Kim Lee' });
      expect(moved.body).toMatchObject({ status: 'claimed', claimedBy: 'Kim Lee' });
      await eventually('the transfer message', () => desk.sentText(pat.conversation.id).includes(escalationTexts.transferred('Sam Rivera', 'Kim Lee')));
      expect((await desk.sam.post(`/api/escalations/${id}/messages`, { text: 'still me?' })).status).toBe(403);
      expect((await desk.kim.post(`/api/escalations/${id}/messages`, { text: 'Kim here, hello Pat' })).status).toBe(201);

      expect((await desk.kim.post(`/api/escalations/${id}/reopen`)).status).toBe(409);
      // Only the one holding it closes it; a second close says it is closed already.
      expect(await desk.sam.post(`/api/escalations/${id}/close`)).toMatchObject({ status: 403, body: { error: 'FORBIDDEN', message: 'Kim Lee has claimed this escalation.' } });
      expect((await desk.kim.post(`/api/escalations/${id}/close`)).status).toBe(200);
      expect(await desk.kim.post(`/api/escalations/${id}/close`)).toMatchObject({ status: 409, body: { error: 'CONFLICT', message: 'The escalation is already closed.' } });
      const reopened = await desk.sam.post(`/api/escalations/${id}/reopen`);
      expect(reopened.body).toMatchObject({ status: 'claimed', claimedBy: 'Sam Rivera', closedAt: null, solved: null });
      await eventually('the reopen message', () => desk.sentText(pat.conversation.id).includes(escalationTexts.reopened('Sam Rivera')));
      // Relayed again, bot quiet.
      expect(await pat.say('thanks for coming back')).toEqual([]);
    });

    it('advice sent by staff arrives as the bot’s step message, and the person’s answer is recorded as a step', async () => {
      const feed = await openFeed(`${desk.bot.url}/api/staff/events?token=${STAFF.sam}`);
      try {
        const max = person('Max');
        await max.say('I want to talk to a person');
        const id = String((await desk.escalationOf(max.conversation.id)).id);
        const found = asList((await desk.sam.get('/api/advice?q=site permission')).body);
        expect(found.length).toBeGreaterThan(0);
        expect(found.map((a) => a.id)).toContain('browser-site-permissions');
        expect(found.every((a) => ['site', 'permission'].every((w) => `${String(a.id)} ${String(a.title)} ${String(a.text)}`.toLowerCase().includes(w)))).toBe(true);
        expect(found.length).toBeLessThan(asList((await desk.sam.get('/api/advice')).body).length);
        expect((await desk.sam.post(`/api/escalations/${id}/advice`, { adviceId: 'browser-site-permissions' })).status).toBe(409);
        await desk.sam.post(`/api/escalations/${id}/claim`);
        expect((await desk.sam.post(`/api/escalations/${id}/advice`, { adviceId: 'no-such-advice' })).status).toBe(400);
        expect((await desk.sam.post(`/api/escalations/${id}/advice`, { adviceId: 'browser-site-permissions' })).status).toBe(201);

        const step = await eventually('the advice at the person', () => desk.channel.sentTo(max.conversation.id).find((a) => isRecord(a.channelData) && a.channelData.adviceId === 'browser-site-permissions'));
        expect(step.text).toContain(escalationTexts.staffAdvice('Sam Rivera'));
        expect(step.text).toContain(String(getAdvice('browser-site-permissions')?.title));
        expect(step.suggestedActions?.actions.map((a) => a.title)).toEqual([botTexts.stepButtons.fixed, botTexts.stepButtons.notFixed, botTexts.stepButtons.alreadyTried, botTexts.stepButtons.person]);

        // The answer is relayed (the bot stays quiet) and recorded as the step's outcome, once.
        expect(await max.say(botTexts.stepButtons.fixed)).toEqual([]);
        await max.say(botTexts.stepButtons.fixed);
        const diagnostics = (await desk.sam.get(`/api/conversations/${max.conversation.id}/diagnostics`)).body as { steps: { adviceId: string; outcome: string }[]; resolution?: string };
        expect(diagnostics.steps.filter((s) => s.adviceId === 'browser-site-permissions')).toEqual([expect.objectContaining({ outcome: 'fixed' })]);
        expect(diagnostics.resolution).toBe('fixed');
        await eventually('the answer on the feed', () => feed.events.find((e) => e.event === 'message' && e.data.from === 'person' && e.data.text === botTexts.stepButtons.fixed));
        const transcript = asList((await desk.sam.get(`/api/conversations/${max.conversation.id}/transcript`)).body);
        const sent = transcript.find((e) => isRecord(e.activity) && isRecord(e.activity.channelData) && e.activity.channelData.adviceId === 'browser-site-permissions');
        expect(sent?.author).toEqual({ role: 'staff', name: 'Sam Rivera' });
      } finally {
        feed.close();
      }
    });

    it('internal notes stay with staff: listed on the escalation, never sent to the person', async () => {
      const ola = person('Ola');
      await ola.say('I want to talk to a person');
      const id = String((await desk.escalationOf(ola.conversation.id)).id);
      const note = await desk.kim.post(`/api/escalations/${id}/notes`, { text: 'Speaker of the 14:00 keynote; call the AV desk if needed.' });
      expect(note.status).toBe(201);
      expect((await desk.kim.post(`/api/escalations/${id}/notes`, { text: '   ' })).status).toBe(400);
      expect((await desk.kim.post('/api/escalations/E-NONE/notes', { text: 'x' })).status).toBe(404);
      expect((await desk.sam.get(`/api/escalations/${id}`)).body).toMatchObject({ notes: [{ author: 'Kim Lee', text: 'Speaker of the 14:00 keynote; call the AV desk if needed.' }] });
      expect(desk.sentText(ola.conversation.id).some((t) => t.includes('keynote'))).toBe(false);
    });

    it('support records are worked: status, notes, filter by status and search by name, id or text', async () => {
      const records = new SupportRecordRepository(desk.bot.store.db);
      const diagnostics = createRecord();
      mergeFacts(diagnostics, { os: 'macos', browser: 'safari' }, 'user-agent');
      const conversationId = `conv-desk-${Math.random().toString(36).slice(2, 8)}`;
      const filed = await records.insert({
        conversationId, channelId: 'test', reason: 'steps-exhausted', diagnostics, contact: 'robin@example.org', description: 'Camera is black in the Green Room', followUp: 'skipped', now: new Date(),
      });
      expect((await desk.sam.get(`/api/support-records/${filed.id}`)).body).toMatchObject({ id: filed.id, status: 'open', notes: [] });
      expect(asList((await desk.sam.get('/api/support-records?q=green room')).body).map((r) => r.id)).toContain(filed.id);
      expect(asList((await desk.sam.get('/api/support-records?q=ROBIN@')).body).map((r) => r.id)).toEqual([filed.id]);
      expect(asList((await desk.sam.get(`/api/support-records?q=${filed.id.toLowerCase()}`)).body).map((r) => r.id)).toEqual([filed.id]);
      expect(asList((await desk.sam.get('/api/support-records?q=100%25_')).body)).toEqual([]);

      expect((await desk.sam.post(`/api/support-records/${filed.id}/status`, { status: 'lost' })).status).toBe(400);
      expect((await desk.sam.post(`/api/support-records/${filed.id}/status`, { status: 'contacted' })).body).toMatchObject({ status: 'contacted', statusBy: 'Sam Rivera' });
      expect((await desk.kim.post(`/api/support-records/${filed.id}/notes`, { text: 'Emailed Robin the camera checklist.' })).status).toBe(201);
      expect(asList((await desk.sam.get('/api/support-records?status=contacted')).body).map((r) => r.id)).toContain(filed.id);
      expect(asList((await desk.sam.get('/api/support-records?status=open')).body).map((r) => r.id)).not.toContain(filed.id);
      await desk.sam.post(`/api/support-records/${filed.id}/status`, { status: 'resolved' });
      expect((await desk.sam.get(`/api/support-records/${filed.id}`)).body).toMatchObject({
        status: 'resolved', notes: [{ author: 'Kim Lee', text: 'Emailed Robin the camera checklist.' }],
      });
      expect((await desk.sam.post('/api/support-records/SR-NONE/status', { status: 'resolved' })).status).toBe(404);
    });

    it('labels come from the bot’s own label source, advice by title; staff are listed with who is online', async () => {
      const labels = (await desk.sam.get('/api/staff/labels')).body as { facts: Record<string, string>; advice: Record<string, string>; outcomes: Record<string, string> };
      expect(labels.facts).toEqual(factLabels);
      expect(labels.outcomes).toEqual(outcomeLabels);
      expect(labels.advice['browser-site-permissions']).toBe(getAdvice('browser-site-permissions')?.title);
      expect(asList((await desk.sam.get('/api/staff')).body)).toEqual([{ name: 'Sam Rivera', online: false }, { name: 'Kim Lee', online: false }]);
      // Signed in means a live feed is open; two tabs of one person count once, and closing both signs them out.
      const tabs = [await openFeed(`${desk.bot.url}/api/staff/events?token=${STAFF.kim}`), await openFeed(`${desk.bot.url}/api/staff/events?token=${STAFF.kim}`)];
      await eventually('Kim online', async () => asList((await desk.sam.get('/api/staff')).body).find((s) => s.name === 'Kim Lee')?.online === true);
      tabs[0]?.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(asList((await desk.sam.get('/api/staff')).body).find((s) => s.name === 'Kim Lee')?.online).toBe(true);
      tabs[1]?.close();
      await eventually('Kim offline', async () => asList((await desk.sam.get('/api/staff')).body).find((s) => s.name === 'Kim Lee')?.online === false);
    });
  });
}

describe('honest waits', () => {
  let channel: FakeChannel;
  let bot: RunningBot;
  let kim: StaffClient;
  beforeAll(async () => {
    channel = await startFakeChannel();
    bot = await startTestBot({ STAFF_TOKENS, ESCALATION_WHEN_NOBODY_ONLINE: 'file' });
    kim = new StaffClient(bot.url, STAFF.kim);
  });
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
  });
  const person = () => new ChannelConversation(bot.url, channel.serviceUrl, `user-${Math.random().toString(36).slice(2, 10)}`);

  it('with nobody online the bot says so at once and files a support record instead of queueing', async () => {
    const alex = person();
    const said = (await alex.say("I'm presenting in 5 minutes and my mic is blocked")).filter((r) => r.type === 'message').map((r) => r.text ?? '');
    expect(said).not.toContain(botTexts.staffCalled(1));
    const notice = said.find((t) => t.includes('Nobody from the support team is online right now'));
    const id = /\((SR-[A-Z0-9]+)\)/.exec(notice ?? '')?.[1];
    expect(notice).toBe(`${botTexts.urgentNoted}\n\n${botTexts.noStaffOnline(String(id))}`);
    expect(asList((await kim.get('/api/escalations')).body).some((e) => e.conversationId === alex.id)).toBe(false);
    expect(asList((await kim.get('/api/support-records')).body).find((r) => r.id === id)).toMatchObject({ conversationId: alex.id, reason: 'no-staff' });
    expect((await kim.get(`/api/conversations/${alex.id}/diagnostics`)).body).toMatchObject({
      escalations: [expect.objectContaining({ kind: 'staff-now', status: 'no-staff-online' }), expect.objectContaining({ kind: 'support-record', reason: 'no-staff', id })],
    });
    // The steps go on; the next message does not call staff again.
    const next = await alex.say("Didn't help");
    expect(next.some((r) => r.text?.includes('Nobody from the support team'))).toBe(false);
  });

  it('with staff online the person hears how many, and an estimate from recent claim times once there are some', async () => {
    const feed = await openFeed(`${bot.url}/api/staff/events?token=${STAFF.kim}`);
    try {
      await eventually('Kim online', async () => asList((await kim.get('/api/staff')).body).find((s) => s.name === 'Kim Lee')?.online === true);
      const first = person();
      const said = (await first.say('I want to talk to a person')).map((r) => r.text ?? '');
      expect(said).toContain(`${botTexts.humanNoted}\n\n${botTexts.staffCalled(1, { online: 1 })}`);
      expect(said.join('\n')).toContain("I've called a member of staff. You're number 1 in the queue. 1 member of staff is online right now. While you wait, let's keep trying quick fixes.");
      // Three quick claims make a history; the next person hears an estimate.
      for (const who of [first, person(), person()]) {
        if (who !== first) await who.say('I want to talk to a person');
        const id = String((await eventually('escalation', async () => asList((await kim.get('/api/escalations?status=waiting')).body).find((e) => e.conversationId === who.id))).id);
        expect((await kim.post(`/api/escalations/${id}/claim`)).status).toBe(200);
      }
      const later = (await person().say('I want to talk to a person')).map((r) => r.text ?? '');
      expect(later).toContain(`${botTexts.humanNoted}\n\n${botTexts.staffCalled(1, { online: 1, estimateMinutes: 1 })}`);
      expect(later.join('\n')).toContain('1 member of staff is online right now; the wait is usually about a minute.');
    } finally {
      feed.close();
    }
  });
});
