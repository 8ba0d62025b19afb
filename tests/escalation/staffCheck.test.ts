import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { texts as botTexts } from '../../dialogs/texts';
import type { RunningBot } from '../../src/main';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { startTestBot } from '../helpers/server';
import { ChannelConversation, STAFF, STAFF_TOKENS, StaffClient, asList, eventually } from '../helpers/staff';
import { texts } from '../helpers/talk';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const reading = (check?: string, ok = false) => ({
  type: 'event',
  name: 'diagnostics',
  value: {
    version: 2,
    ...(check ? { check: { id: check } } : {}),
    userAgent: CHROME_WINDOWS,
    secureContext: true,
    permissions: { microphone: ok ? 'granted' : 'denied' },
    getUserMedia: ok ? { requested: ['microphone'], ok: true } : { requested: ['microphone'], ok: false, errorName: 'NotAllowedError', errorMessage: 'Permission denied' },
    ...(ok ? { audio: { level: 'ok', peakDb: -9, clipping: false } } : {}),
  },
});

describe('staff ask the person\'s page to run the check again', () => {
  let channel: FakeChannel;
  let bot: RunningBot;
  const sam = () => new StaffClient(bot.url, STAFF.sam);

  beforeAll(async () => {
    channel = await startFakeChannel();
    bot = await startTestBot({ STAFF_TOKENS });
  });
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
  });

  async function escalated() {
    const alex = new ChannelConversation(bot.url, channel.serviceUrl, `user-alex-${Math.random().toString(36).slice(2, 8)}`);
    await alex.join();
    await alex.send(reading());
    await alex.say('I want to talk to a person');
    const escalation = await eventually('the escalation', async () => asList((await sam().get('/api/escalations')).body).find((e) => e.conversationId === alex.id));
    return { alex, id: String(escalation.id) };
  }

  it('only the staff member who claimed it may ask, with a token', async () => {
    const { id } = await escalated();
    expect((await new StaffClient(bot.url).post(`/api/escalations/${id}/check`)).status).toBe(401);
    expect((await sam().post(`/api/escalations/${id}/check`)).status).toBe(409);
    expect((await sam().post(`/api/escalations/${id}/claim`)).status).toBe(200);
    expect((await new StaffClient(bot.url, STAFF.kim).post(`/api/escalations/${id}/check`)).status).toBe(403);
    expect((await sam().post('/api/escalations/nope/check')).status).toBe(404);
  });

  it('the page is asked (ask: true), the person is told, and the reading lands in the record with its verdict', async () => {
    const { alex, id } = await escalated();
    await sam().post(`/api/escalations/${id}/claim`);
    const asked = await sam().post(`/api/escalations/${id}/check`);
    expect(asked.status).toBe(202);
    const { checkId } = asked.body as { checkId: string };

    const sent = await eventually('the check request on the channel', () => {
      const all = channel.sentTo(alex.id);
      const event = all.find((a) => a.type === 'event' && a.name === 'probe/run');
      return event && { event, all };
    });
    expect(sent.event.value).toEqual({ id: checkId, media: ['microphone'], ask: true });
    expect(sent.all.map((a) => a.text)).toContain(botTexts.check.staffAsked('Sam Rivera'));

    const pending = await sam().get(`/api/conversations/${alex.id}/diagnostics`);
    expect(pending.body).toMatchObject({ checks: [{ id: checkId, requestedBy: 'staff', staffName: 'Sam Rivera' }] });

    // The person agreed on their page; the bot answers the reading itself and stays out of the staff conversation.
    const replies = await alex.send(reading(checkId, true));
    expect(texts(replies)).toEqual([expect.stringMatching(/^Thanks for running the check\. .*microphone started fine/), botTexts.check.staffDone]);
    expect(replies.some((r) => r.channelData?.adviceId)).toBe(false);
    const record = await sam().get(`/api/conversations/${alex.id}/diagnostics`);
    expect(record.body).toMatchObject({
      checks: [{ id: checkId, requestedBy: 'staff', verdict: 'verified-fixed', answeredAt: expect.any(String) }],
      probe: { checkId, ok: true, audioLevel: 'ok' },
    });
  });

  it('a reading with an unknown check id is an ordinary probe reading', async () => {
    const { alex } = await escalated();
    const replies = await alex.send(reading('made-up-id', true));
    expect(texts(replies)[0]).toMatch(/^Thanks for running the check/);
    const record = await sam().get(`/api/conversations/${alex.id}/diagnostics`);
    expect((record.body as { checks?: unknown[] }).checks ?? []).toEqual([]);
  });
});
