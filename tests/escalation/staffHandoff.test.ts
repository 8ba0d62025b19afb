import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { texts as botTexts } from '../../dialogs/texts';
import { escalationTexts } from '../../src/escalation/texts';
import type { RunningBot } from '../../src/main';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { startTestBot } from '../helpers/server';
import { ChannelConversation, STAFF, STAFF_TOKENS, StaffClient, asList, eventually, isRecord, openFeed } from '../helpers/staff';
import { staffedBot } from '../helpers/staffedBot';
import { announceSkip, backends } from '../helpers/stores';
import { texts, type ReplyActivity } from '../helpers/talk';

/** The place in the queue the person was told, in the message that says staff were called (after what was understood, before who is online). */
function placeToldIn(replies: ReplyActivity[]): number | undefined {
  const called = texts(replies).find((t) => t.includes("I've called a member of staff."));
  const place = /You're number (\d+) in the queue\./.exec(called ?? '')?.[1];
  return place === undefined ? undefined : Number(place);
}

const URGENT = "I'm presenting in 5 minutes and my mic is blocked";

for (const backend of backends) {
  announceSkip(backend, 'escalation');
  describe.skipIf(!backend.available)(`escalation to staff (${backend.name})`, () => {
    const desk = staffedBot(backend);

    const person = (name = 'Alex') => new ChannelConversation(desk.bot.url, desk.channel.serviceUrl, `user-${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`);

    it('urgent live session: listed with diagnostics, claimed, relayed both ways, closed, and asked if solved', async () => {
      const feed = await openFeed(`${desk.bot.url}/api/staff/events?token=${STAFF.sam}`);
      try {
        const alex = person();
        await alex.join();
        const replies = await alex.say(URGENT);
        // Staff are called before anything else is asked, and the person is told their place.
        expect(placeToldIn(replies)).toBe(1);
        expect(replies.some((r) => r.type === 'event' && r.name === 'handoff.initiate')).toBe(true);

        const listed = await desk.escalationOf(alex.id);
        expect(listed).toMatchObject({ status: 'waiting', reason: 'urgent', claimedBy: null, position: 1 });
        expect(typeof listed.createdAt).toBe('string');
        const id = String(listed.id);
        const detail = await desk.sam.get(`/api/escalations/${id}`);
        expect(detail.status).toBe(200);
        expect(detail.body).toMatchObject({ id, diagnostics: { facts: { urgent: true, liveConference: true, media: ['microphone'] } } });
        await eventually('the new escalation on the feed', () => feed.events.find((e) => e.event === 'escalation.created' && isRecord(e.data.escalation) && e.data.escalation.id === id));

        const claimed = await desk.sam.post(`/api/escalations/${id}/claim`);
        expect(claimed.status).toBe(200);
        expect(claimed.body).toMatchObject({ status: 'claimed', claimedBy: 'Sam Rivera' });
        await eventually('the person told who joined', () => desk.sentText(alex.id).includes(escalationTexts.staffJoined('Sam Rivera')));

        const sent = await desk.sam.post(`/api/escalations/${id}/messages`, { text: 'Hi Alex, click the padlock left of the address bar.' });
        expect(sent.status).toBe(201);
        const relayed = await eventually('the staff message at the person', () => desk.channel.sentTo(alex.id).find((a) => a.text?.includes('click the padlock')));
        expect(relayed.text).toBe(escalationTexts.staffMessage('Sam Rivera', 'Hi Alex, click the padlock left of the address bar.'));

        // While with staff the bot stays quiet and the person's words reach the staff feed.
        expect(await alex.say('I see it, microphone says blocked')).toEqual([]);
        await eventually('the person’s reply on the feed', () => feed.events.find((e) => e.event === 'message' && e.data.from === 'person' && e.data.text === 'I see it, microphone says blocked'));
        // …except for status.
        expect(texts(await alex.say('status')).join(' ')).toContain(botTexts.status.withStaff('Sam Rivera'));

        const transcript = asList((await desk.sam.get(`/api/conversations/${alex.id}/transcript`)).body);
        const said = transcript.map((e) => (isRecord(e.activity) ? e.activity.text : undefined));
        expect(said).toEqual(expect.arrayContaining([URGENT, 'I see it, microphone says blocked', escalationTexts.staffMessage('Sam Rivera', 'Hi Alex, click the padlock left of the address bar.')]));

        const closed = await desk.sam.post(`/api/escalations/${id}/close`);
        expect(closed.body).toMatchObject({ status: 'closed', closedBy: 'Sam Rivera' });
        const question = await eventually('the solved question', () => desk.channel.sentTo(alex.id).find((a) => a.text === escalationTexts.staffClosed('Sam Rivera')));
        expect(question.suggestedActions?.actions.map((a) => a.title)).toEqual(['Yes', 'No']);

        // Solved, then one short, skippable question; the answer is shown to staff.
        const answered = await alex.say('Yes');
        expect(texts(answered)).toEqual([`${botTexts.solvedYes}\n\n${botTexts.feedback.question}`]);
        expect(answered.at(-1)?.suggestedActions?.actions.map((a) => a.title)).toEqual(Object.values(botTexts.feedback.buttons));
        expect(texts(await alex.say(botTexts.feedback.buttons.good))).toEqual([botTexts.feedback.thanks]);
        expect((await desk.sam.get(`/api/escalations/${id}`)).body).toMatchObject({ status: 'closed', solved: 'yes', satisfaction: 'good' });
        expect((await desk.sam.get(`/api/conversations/${alex.id}/diagnostics`)).body).toMatchObject({
          resolution: 'fixed',
          escalations: [expect.objectContaining({ kind: 'staff-now', id, status: 'closed' })],
        });
        for (const type of ['escalation.claimed', 'escalation.closed']) {
          await eventually(type, () => feed.events.find((e) => e.event === type));
        }
        await eventually('the staff message on the feed', () => feed.events.find((e) => e.event === 'message' && e.data.from === 'staff'));
      } finally {
        feed.close();
      }
    });

    it("a staff reply to a person whose channel cannot be reached answers 502 and says so", async () => {
      const lost = new ChannelConversation(desk.bot.url, `${desk.bot.url}/gone`, `user-lost-${Math.random().toString(36).slice(2, 8)}`);
      await lost.say(URGENT);
      const id = String((await desk.escalationOf(lost.id)).id);
      expect((await desk.sam.post(`/api/escalations/${id}/claim`)).status).toBe(200);
      const reply = await desk.sam.post(`/api/escalations/${id}/messages`, { text: 'Can you hear me?' });
      expect(reply.status).toBe(502);
      expect(reply.body).toMatchObject({ error: 'DELIVERY_FAILED', message: 'The message could not be delivered to the person.' });
    });

    it('two staff claiming at once: exactly one wins, the other gets 409', async () => {
      const jo = person('Jo');
      await jo.say('human');
      const id = String((await desk.escalationOf(jo.id)).id);
      const results = await Promise.all([desk.sam.post(`/api/escalations/${id}/claim`), desk.kim.post(`/api/escalations/${id}/claim`)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const again = await desk.kim.post(`/api/escalations/${id}/claim`);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: 'CONFLICT' });
      // Only the claimant replies.
      const winner = results[0]?.status === 200 ? 'Sam Rivera' : 'Kim Lee';
      const loser = winner === 'Sam Rivera' ? desk.kim : desk.sam;
      expect((await loser.post(`/api/escalations/${id}/messages`, { text: 'hello' })).status).toBe(403);
      expect(desk.sentText(jo.id).filter((t) => t.includes('has joined'))).toHaveLength(1);
    });

    it('people waiting are told when their place in the queue changes', async () => {
      const first = person('First');
      const second = person('Second');
      await first.say('I want to talk to a person');
      const replies = await second.say('I want to talk to a person');
      const waiting = asList((await desk.sam.get('/api/escalations?status=waiting')).body);
      const firstId = String(waiting.find((e) => e.conversationId === first.id)?.id);
      const secondPosition = Number(waiting.find((e) => e.conversationId === second.id)?.position);
      expect(placeToldIn(replies)).toBe(secondPosition);
      expect(secondPosition).toBeGreaterThan(1);
      expect(waiting.every((e) => e.status === 'waiting')).toBe(true);

      await desk.kim.post(`/api/escalations/${firstId}/claim`);
      await eventually('the second person moved up', () => desk.sentText(second.id).includes(escalationTexts.queuePosition(secondPosition - 1)));
      // The update came between the bot's question and its answer: the question follows it, with its buttons.
      const pending = replies.at(-1);
      expect(pending?.channelData?.questionId).toEqual(expect.any(String));
      const afterUpdate = await eventually('the question asked again', () => {
        const sent = desk.channel.sentTo(second.id);
        return sent[sent.findIndex((x) => x.text === escalationTexts.queuePosition(secondPosition - 1)) + 1];
      });
      expect(afterUpdate).toMatchObject({ text: pending?.text, channelData: { questionId: pending?.channelData?.questionId } });
      expect(afterUpdate.suggestedActions?.actions.length).toBeGreaterThan(0);
      // Proactive sends reply to nothing: a replyToId would name a message Web Chat may never have seen.
      expect(desk.channel.sentTo(second.id).every((x) => !('replyToId' in x) || x.replyToId === undefined)).toBe(true);
    });

    it('a person cannot pass for staff: authors in the transcript come from what the bot sent', async () => {
      const mallory = person('Mallory');
      await mallory.say('agent please');
      const id = String((await desk.escalationOf(mallory.id)).id);
      await desk.kim.post(`/api/escalations/${id}/claim`);
      // Claims a staff name and the staff mark in its own activity.
      await mallory.send({ type: 'message', text: 'Kim Lee: please send me your password', from: { id: mallory.userId, name: 'Kim Lee' }, channelData: { staff: { name: 'Kim Lee' } } });
      expect((await desk.kim.post(`/api/escalations/${id}/messages`, { text: 'I never ask for passwords.' })).status).toBe(201);

      const transcript = asList((await desk.kim.get(`/api/conversations/${mallory.id}/transcript`)).body);
      const forged = transcript.find((e) => isRecord(e.activity) && e.activity.text === 'Kim Lee: please send me your password');
      expect(forged?.author).toEqual({ role: 'person', name: 'Kim Lee' });
      expect(isRecord(forged?.activity) && isRecord(forged.activity.channelData) ? forged.activity.channelData.staff : undefined).toBeUndefined();
      const real = transcript.find((e) => isRecord(e.activity) && String(e.activity.text).includes('I never ask for passwords.'));
      expect(real?.author).toEqual({ role: 'staff', name: 'Kim Lee' });
      expect(transcript.filter((e) => isRecord(e.author) && e.author.role === 'staff')).toHaveLength(1);
    });

    const hubStatus = (conversation: ChannelConversation, state: string, message?: string) =>
      conversation.send({ type: 'event', name: 'handoff.status', from: { id: 'contact-centre-hub' }, value: { state, message } });

    it('handoff.status accepted: the hub has it — the person is told, status says so, staff see it taken by the hub', async () => {
      const lee = person('Lee');
      await lee.say('agent please');
      const id = String((await desk.escalationOf(lee.id)).id);
      expect(texts(await hubStatus(lee, 'accepted'))).toEqual([escalationTexts.hubAccepted]);
      expect((await desk.sam.get(`/api/escalations/${id}`)).body).toMatchObject({ status: 'claimed', claimedBy: escalationTexts.hubName, hubState: 'accepted' });
      expect(texts(await lee.say('status')).join(' ')).toContain(botTexts.status.withHub);
      // The hub talks with the person now: the bot stays quiet, and staff cannot take it too.
      expect(await lee.say('the hub agent asked me to reload')).toEqual([]);
      expect((await desk.sam.post(`/api/escalations/${id}/claim`)).status).toBe(409);
    });

    it('handoff.status failed: the no-staff fallback — a support record, the person told, the steps go on', async () => {
      const max = person('Max');
      await max.say('my camera is blocked, talk to a person');
      const id = String((await desk.escalationOf(max.id)).id);
      const told = texts(await hubStatus(max, 'failed', 'No agents available'));
      const recordId = /\((SR-[A-Z0-9]+)\)/.exec(told.join(' '))?.[1];
      expect(told).toEqual([escalationTexts.hubFailed(String(recordId))]);
      expect((await desk.sam.get(`/api/escalations/${id}`)).body).toMatchObject({ status: 'timed-out', supportRecordId: recordId, hubState: 'failed' });
      expect(asList((await desk.sam.get('/api/support-records')).body).find((r) => r.id === recordId)).toMatchObject({ conversationId: max.id, reason: 'no-staff' });
      // Not relayed any more: the bot answers and goes on with the steps.
      const next = await max.say("I don't know");
      expect(texts(next).length).toBeGreaterThan(0);
      const diagnostics = (await desk.sam.get(`/api/conversations/${max.id}/diagnostics`)).body;
      expect(diagnostics).toMatchObject({ escalations: expect.arrayContaining([expect.objectContaining({ id, status: 'timed-out' }), expect.objectContaining({ id: recordId, kind: 'support-record' })]) });
    });

    it('handoff.status completed: closed, and the person is asked whether it is solved', async () => {
      const ren = person('Ren');
      await ren.say('agent please');
      const id = String((await desk.escalationOf(ren.id)).id);
      await hubStatus(ren, 'accepted');
      const asked = await hubStatus(ren, 'completed');
      expect(texts(asked)).toEqual([escalationTexts.hubCompleted]);
      expect(asked[0]?.suggestedActions?.actions.map((a) => a.title)).toEqual([escalationTexts.solvedButtons.yes, escalationTexts.solvedButtons.no]);
      expect((await desk.sam.get(`/api/escalations/${id}`)).body).toMatchObject({ status: 'closed', closedBy: escalationTexts.hubName, solved: 'asked', hubState: 'completed' });
      expect(texts(await ren.say('Yes'))).toEqual([`${botTexts.solvedYes}\n\n${botTexts.feedback.question}`]);
      expect((await desk.sam.get(`/api/escalations/${id}`)).body).toMatchObject({ solved: 'yes' });
    });

    it('handoff.status sent by the person themselves changes nothing', async () => {
      const sly = person('Sly');
      await sly.say('agent please');
      const id = String((await desk.escalationOf(sly.id)).id);
      expect(await sly.send({ type: 'event', name: 'handoff.status', value: { state: 'completed' } })).toEqual([]);
      expect((await desk.sam.get(`/api/escalations/${id}`)).body).toMatchObject({ status: 'waiting', hubState: null });
    });

    it('handoff.status with an unknown state or for a conversation without an escalation is recorded and changes nothing', async () => {
      const kai = person('Kai');
      expect(await hubStatus(kai, 'accepted')).toEqual([]);
      await kai.say('agent please');
      const id = String((await desk.escalationOf(kai.id)).id);
      expect(await hubStatus(kai, 'typing')).toEqual([]);
      expect((await desk.sam.get(`/api/escalations/${id}`)).body).toMatchObject({ status: 'waiting', hubState: 'typing' });
    });

    it('a steps-exhausted conversation files a support record, and takes the person’s details', async () => {
      const pat = person('Pat');
      let replies = await pat.say('my camera shows a black screen on my windows laptop in chrome');
      for (let turn = 0; turn < 40 && !texts(replies).some((t) => t.includes('support record')); turn++) {
        const buttons = replies.at(-1)?.suggestedActions?.actions.map((a) => a.title ?? '') ?? [];
        replies = await pat.say(buttons.includes(botTexts.stepButtons.notFixed) ? botTexts.stepButtons.notFixed : buttons.includes("I don't know") ? "I don't know" : buttons.at(-1) ?? 'no');
      }
      const filed = texts(replies).find((t) => t.includes('support record'));
      const recordId = /\((SR-[A-Z0-9]+)\)/.exec(filed ?? '')?.[1];
      expect(recordId, `conversation ended without a support record: ${texts(replies).join(' | ')}`).toBeDefined();

      expect(texts(await pat.say('It worked yesterday. Reach me at pat@example.com'))).toEqual([botTexts.detailsAdded(String(recordId))]);
      const records = asList((await desk.sam.get('/api/support-records')).body);
      expect(records.find((r) => r.id === recordId)).toMatchObject({
        conversationId: pat.id,
        reason: 'steps-exhausted',
        os: expect.stringContaining('windows'),
        browser: expect.stringContaining('chrome'),
        contact: 'pat@example.com',
        description: 'It worked yesterday. Reach me at pat@example.com',
        tried: expect.arrayContaining([expect.any(String)]),
      });
    });

    it('a turn that died after filing: the resent answer files the same record once, and is not taken as its details', async () => {
      const kai = person('Kai');
      const key = `test/conversations/${kai.id}/`;
      let replies = await kai.say('my camera shows a black screen on my windows laptop in chrome');
      let before: unknown;
      for (let turn = 0; turn < 40 && !texts(replies).some((t) => t.includes('support record')); turn++) {
        const buttons = replies.at(-1)?.suggestedActions?.actions.map((a) => a.title ?? '') ?? [];
        before = (await desk.bot.store.storage.read([key]))[key];
        replies = await kai.say(buttons.includes(botTexts.stepButtons.notFixed) ? botTexts.stepButtons.notFixed : buttons.includes("I don't know") ? "I don't know" : buttons.at(-1) ?? 'no');
      }
      const firstId = /\((SR-[A-Z0-9]+)\)/.exec(texts(replies).find((t) => t.includes('support record')) ?? '')?.[1];
      expect(firstId).toBeDefined();

      // The process dies after the insert and before the conversation is saved: its state is the one before that turn.
      await desk.bot.store.storage.write({ [key]: { ...(before as object), eTag: '*' } });
      replies = await kai.say(botTexts.stepButtons.notFixed);
      expect(texts(replies).find((t) => t.includes('support record'))).toContain(`(${String(firstId)})`);

      const mine = asList((await desk.sam.get('/api/support-records')).body).filter((r) => r.conversationId === kai.id);
      expect(mine.map((r) => r.id)).toEqual([firstId]);
      expect(mine[0]?.description).toBeNull();
      const diagnostics = (await desk.sam.get(`/api/conversations/${kai.id}/diagnostics`)).body as { steps: { outcome: string }[]; escalations: { id?: string }[] };
      expect(diagnostics.steps.at(-1)?.outcome).toBe('not-fixed');
      expect(diagnostics.escalations.map((e) => e.id)).toContain(firstId);
      // Now the person has been told; "no" to "anything to add?" adds nothing, a note still does.
      expect(texts(await kai.say('no thanks'))).toEqual([botTexts.nothingAdded(String(firstId))]);
      expect(texts(await kai.say('note: it started after an update'))).toEqual([botTexts.detailsAdded(String(firstId))]);
      const updated = asList((await desk.sam.get('/api/support-records')).body).find((r) => r.id === firstId);
      expect(updated?.description).toBe('it started after an update');
    });
  });
}

describe('the no-staff fallback', () => {
  let channel: FakeChannel;
  let bot: RunningBot;
  let webhook: { server: http.Server; url: string; received: unknown[]; attempts: number };

  beforeAll(async () => {
    channel = await startFakeChannel();
    const received: unknown[] = [];
    const state = { attempts: 0 };
    // The webhook fails once, then accepts: the summary arrives through a retry.
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        state.attempts++;
        if (state.attempts === 1) return void res.writeHead(500).end();
        received.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    webhook = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, get attempts() { return state.attempts; } };
    bot = await startTestBot({ STAFF_TOKENS, ESCALATION_TIMEOUT_S: '1', STAFF_WEBHOOK_URL: webhook.url });
  });
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
    await new Promise((resolve) => webhook?.server.close(resolve));
  });

  it('no claim in time: the person is told, a support record is filed, and the steps go on', async () => {
    const sam = new StaffClient(bot.url, STAFF.sam);
    const alex = new ChannelConversation(bot.url, channel.serviceUrl);
    const replies = await alex.say(URGENT);
    expect(placeToldIn(replies)).toBe(1);

    const timedOut = await eventually('the timeout', async () => asList((await sam.get('/api/escalations?status=timed-out')).body).find((e) => e.conversationId === alex.id));
    expect(timedOut.supportRecordId).toMatch(/^SR-/);
    const notice = await eventually('the timeout notice', () => channel.sentTo(alex.id).find((a) => a.text?.startsWith('Sorry, no member of staff could join in time')));
    expect(notice.text).toBe(escalationTexts.timedOut(String(timedOut.supportRecordId)));
    // "Let's carry on": what was pending follows the notice at once, with its buttons.
    const pending = replies.at(-1);
    const following = await eventually('the pending prompt after the notice', () => {
      const sent = channel.sentTo(alex.id);
      return sent[sent.indexOf(notice) + 1];
    });
    // The same question; the one-line summary of what was understood came only the first time.
    expect(following.channelData?.questionId).toBe(pending?.channelData?.questionId);
    expect(pending?.text?.endsWith(following.text ?? '-')).toBe(true);
    expect(following.suggestedActions?.actions.length).toBeGreaterThan(0);
    expect(asList((await sam.get('/api/support-records')).body).find((r) => r.id === timedOut.supportRecordId)).toMatchObject({ reason: 'no-staff', escalationId: timedOut.id });

    // The conversation carries on with the bot (not relayed), and a late claim fails cleanly.
    const next = await alex.say('mac');
    expect(next.length).toBeGreaterThan(0);
    expect((await sam.post(`/api/escalations/${String(timedOut.id)}/claim`)).status).toBe(409);
    expect((await sam.get(`/api/conversations/${alex.id}/diagnostics`)).body).toMatchObject({
      escalations: expect.arrayContaining([expect.objectContaining({ kind: 'staff-now', status: 'timed-out' }), expect.objectContaining({ kind: 'support-record', reason: 'no-staff', status: 'filed' })]),
    });
    // "note:" adds to the record at any time.
    expect(texts(await alex.say('note: the mic works in Zoom'))).toEqual([botTexts.detailsAdded(String(timedOut.supportRecordId))]);

    // The webhook heard of the escalation, after one failed attempt.
    const summary = await eventually('the webhook summary', () => webhook.received[0]);
    expect(summary).toMatchObject({ escalation: { id: timedOut.id, reason: 'urgent' } });
    expect(webhook.attempts).toBe(2);
  });
});

describe('staff API authentication', () => {
  let open: RunningBot;
  let closed: RunningBot;
  beforeAll(async () => {
    // Behind a loopback proxy, so each route's wrong guesses can come from an address of their own.
    [open, closed] = await Promise.all([startTestBot({ STAFF_TOKENS, TRUST_PROXY: 'loopback' }), startTestBot({})]);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), closed?.close()]);
  });

  const routes: ['GET' | 'POST', string][] = [
    ['GET', '/api/escalations'], ['GET', '/api/escalations?status=waiting'], ['GET', '/api/escalations/E-X'], ['POST', '/api/escalations/E-X/claim'],
    ['POST', '/api/escalations/E-X/messages'], ['POST', '/api/escalations/E-X/close'], ['GET', '/api/support-records'],
    ['GET', '/api/conversations/c/diagnostics'], ['GET', '/api/conversations/c/transcript'], ['GET', '/api/staff/events'],
    ['POST', '/api/escalations/E-X/dismiss'], ['POST', '/api/escalations/E-X/release'], ['POST', '/api/escalations/E-X/transfer'],
    ['POST', '/api/escalations/E-X/reopen'], ['POST', '/api/escalations/E-X/advice'], ['POST', '/api/escalations/E-X/notes'],
    ['GET', '/api/advice'], ['GET', '/api/staff'], ['GET', '/api/staff/labels'], ['GET', '/api/staff/me'],
    ['GET', '/api/support-records?status=open&q=x'], ['GET', '/api/support-records/SR-X'], ['POST', '/api/support-records/SR-X/status'],
    ['POST', '/api/support-records/SR-X/notes'], ['GET', '/api/reports'], ['GET', '/api/reports?from=2026-01-01&to=2026-02-01&format=csv'],
  ];

  it.each(routes.map(([method, path], i) => [method, path, i] as const))('%s %s answers 401 without a token, with a wrong one, and when the staff API is closed', async (method, path, i) => {
    // Each route's wrong guesses come from an address of their own, so the sign-in limit (per address) is not what answers.
    const from = { 'x-forwarded-for': `192.0.2.${i + 1}` };
    for (const client of [new StaffClient(open.url, undefined, from), new StaffClient(open.url, 'not-a-staff-token-at-all', from), new StaffClient(open.url, `${STAFF.sam}x`, from)]) {
      const response = await client.request(method, path, method === 'POST' ? { text: 'hi' } : undefined);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: 'UNAUTHORIZED' });
    }
    const response = await new StaffClient(closed.url, STAFF.sam).request(method, path);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ message: expect.stringContaining('staff API is closed') });
  });

  it('takes the staff name from the token, a query token only on the live feed, and validates bodies', async () => {
    expect((await new StaffClient(open.url, STAFF.kim).get('/api/staff/me')).body).toEqual({ name: 'Kim Lee' });
    expect((await fetch(`${open.url}/api/escalations?token=${STAFF.sam}`)).status).toBe(401);
    const feed = await openFeed(`${open.url}/api/staff/events?token=${STAFF.sam}`);
    await eventually('the ready event', () => feed.events.find((e) => e.event === 'ready' && e.data.name === 'Sam Rivera'));
    feed.close();
    const sam = new StaffClient(open.url, STAFF.sam);
    expect((await sam.post('/api/escalations/E-NONE/messages', { text: '' })).status).toBe(400);
    expect((await sam.post('/api/escalations/E-NONE/messages', { text: 'hi' })).status).toBe(404);
    expect((await sam.get('/api/escalations?status=lost')).status).toBe(400);
    expect((await sam.get('/api/escalations/E-NONE')).status).toBe(404);
  });

  it('serves the console as a page with separate script and styles under a strict CSP', async () => {
    const page = await fetch(`${open.url}/staff`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="/staff/console.js" defer></script>');
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect((await fetch(`${open.url}/staff/console.js`)).status).toBe(200);
    expect((await fetch(`${open.url}/staff/console.css`)).status).toBe(200);
  });
});
