import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StaffWebhook, type EscalationSummary, type WebhookFormat } from '../../src/escalation';
import { webhookTexts } from '../../src/escalation/texts';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { memoryLogger, startTestBot } from '../helpers/server';
import { ChannelConversation, STAFF_TOKENS, eventually, isRecord } from '../helpers/staff';

const ESCALATION: EscalationSummary = {
  id: 'E-abc-123', conversationId: 'conv-1', channelId: 'msteams', userName: 'Alex', reason: 'urgent', status: 'waiting', claimedBy: null,
  createdAt: '2026-05-04T09:58:00.000Z', dueAt: '2026-05-04T10:03:00.000Z', claimedAt: null, closedAt: null, closedBy: null,
  supportRecordId: null, solved: null, hubState: null, lastMessage: null, lastMessageAt: null, dismissReason: null, pendingAdvice: null, position: 2,
};
const PUBLIC_URL = 'https://support.example.org';
const LINK = `${PUBLIC_URL}/staff#escalation=E-abc-123`;

/** A webhook receiver answering each call with the next status of `answers` (the last one repeats). */
async function receiver() {
  const calls: { body: unknown; at: number }[] = [];
  let answers: number[] = [200];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      calls.push({ body: JSON.parse(body), at: Date.now() });
      res.writeHead(answers[Math.min(calls.length - 1, answers.length - 1)] ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    calls,
    answer(statuses: number[]) {
      answers = statuses;
      calls.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the staff webhook', () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  const webhooks: StaffWebhook[] = [];
  beforeAll(async () => {
    hook = await receiver();
  });
  afterEach(() => {
    for (const w of webhooks.splice(0)) w.stop();
  });
  afterAll(async () => {
    await hook.close();
  });

  function webhook(format: WebhookFormat, backoffMs: number[] = [10, 20, 40]) {
    const { log, lines } = memoryLogger();
    const results: string[] = [];
    let attempts = 0;
    const w = new StaffWebhook({ url: hook.url, log, format, publicUrl: PUBLIC_URL, backoffMs, observer: { attempt: () => attempts++, delivery: (r) => results.push(r) } });
    webhooks.push(w);
    return { w, lines, results, attempts: () => attempts };
  }

  it('posts a Teams Workflows message with an Adaptive Card linking to the escalation in the console', async () => {
    hook.answer([202]);
    const { w } = webhook('teams');
    w.notify(ESCALATION);
    await w.settled();
    const body = hook.calls[0]?.body;
    expect(body).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4', actions: [{ type: 'Action.OpenUrl', url: LINK }] } }],
    });
    const card = isRecord(body) && Array.isArray(body.attachments) && isRecord(body.attachments[0]) ? body.attachments[0].content : undefined;
    expect(JSON.stringify(card)).toContain(webhookTexts.summary(ESCALATION));
    expect(JSON.stringify(card)).toContain('"title":"Queue position","value":"2"');
  });

  it('posts a Slack message with the summary as text and a button to the console', async () => {
    hook.answer([200]);
    const { w } = webhook('slack');
    w.notify(ESCALATION);
    await w.settled();
    expect(hook.calls[0]?.body).toMatchObject({
      text: webhookTexts.summary(ESCALATION),
      blocks: expect.arrayContaining([{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: webhookTexts.open }, url: LINK }] }]),
    });
  });

  it('posts plain JSON with the escalation and the console link', async () => {
    hook.answer([200]);
    const { w } = webhook('json');
    w.notify(ESCALATION);
    await w.settled();
    expect(hook.calls[0]?.body).toEqual({ text: webhookTexts.summary(ESCALATION), escalation: ESCALATION, console: LINK });
  });

  it('retries a 503 and a 429 with growing delays, then counts one delivery and logs no warning', async () => {
    hook.answer([503, 429, 200]);
    const { w, lines, results, attempts } = webhook('json', [50, 150]);
    w.notify(ESCALATION);
    await w.settled();
    expect(hook.calls).toHaveLength(3);
    const [first, second, third] = hook.calls.map((c) => c.at);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(45);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(145);
    expect(results).toEqual(['delivered']);
    expect(attempts()).toBe(3);
    expect(lines.filter((l) => l.includes('"level":40'))).toEqual([]);
  });

  it('gives up after the last retry: counted as one failure, logged once with every attempt', async () => {
    hook.answer([500]);
    const { w, lines, results, attempts } = webhook('json');
    w.notify(ESCALATION);
    await w.settled();
    expect(hook.calls).toHaveLength(4);
    expect(results).toEqual(['failed']);
    expect(attempts()).toBe(4);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; escalationId?: string; attempts?: string[] }).filter((l) => l.level >= 40);
    expect(warnings).toEqual([expect.objectContaining({ msg: 'staff webhook not delivered', escalationId: 'E-abc-123', attempts: ['HTTP 500', 'HTTP 500', 'HTTP 500', 'HTTP 500'] })]);
  });

  it('does not retry an answer that will not change (a 404: wrong URL)', async () => {
    hook.answer([404]);
    const { w, results } = webhook('json');
    w.notify(ESCALATION);
    await w.settled();
    expect(hook.calls).toHaveLength(1);
    expect(results).toEqual(['failed']);
  });

  it('counts an unreachable webhook as failed, once', async () => {
    const { log, lines } = memoryLogger();
    const results: string[] = [];
    const w = new StaffWebhook({ url: 'http://127.0.0.1:9/hook', log, backoffMs: [5], observer: { attempt: () => {}, delivery: (r) => results.push(r) } });
    w.notify(ESCALATION);
    await w.settled();
    expect(results).toEqual(['failed']);
    expect(lines.filter((l) => l.includes('staff webhook not delivered'))).toHaveLength(1);
  });
});

describe('STAFF_WEBHOOK_FORMAT and PUBLIC_URL in a running bot', () => {
  let channel: FakeChannel;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  beforeAll(async () => {
    channel = await startFakeChannel();
    hook = await receiver();
    bot = await startTestBot({ STAFF_TOKENS, STAFF_WEBHOOK_URL: hook.url, STAFF_WEBHOOK_FORMAT: 'teams', PUBLIC_URL: `${PUBLIC_URL}/` });
  });
  afterAll(async () => {
    await bot?.close();
    await hook?.close();
    await channel?.close();
  });

  it('sends an escalation as an Adaptive Card with a link to it in the console', async () => {
    const person = new ChannelConversation(bot.url, channel.serviceUrl);
    await person.say("I'm presenting in 5 minutes and my mic is blocked");
    const body = await eventually('the webhook call', () => hook.calls[0]?.body);
    const text = JSON.stringify(body);
    expect(text).toContain('application/vnd.microsoft.card.adaptive');
    expect(text).toMatch(new RegExp(`"url":"${PUBLIC_URL}/staff#escalation=E-[^"]+"`));
  });
});
