import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/main';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { startTestBot } from '../helpers/server';
import { ChannelConversation, STAFF, STAFF_TOKENS, StaffClient, asList, eventually } from '../helpers/staff';
import { tempDir } from '../helpers/stores';

const METRICS_TOKEN = 'metrics-token-0123456789';
const URGENT = "I'm presenting in 5 minutes and my mic is blocked";
/** Six turns: a step that did not help, then one that fixed it. */
const STEPS_SCRIPT = ['NotAllowedError: Permission denied by system', 'mic', 'later today', 'macbook with chrome', "didn't help", 'fixed'];

/** The value of one sample in Prometheus' text format, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.length === present.length && wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return undefined;
}

async function scrape(url: string, token: string | undefined = METRICS_TOKEN): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('GET /metrics after a scripted run', () => {
  let channel: FakeChannel;
  let webhook: http.Server;
  let hooks = 0;
  let bot: RunningBot;
  let second: RunningBot | undefined;
  const dataDir = tempDir();

  beforeAll(async () => {
    channel = await startFakeChannel();
    webhook = http.createServer((req, res) => {
      req.resume();
      hooks++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    bot = await startTestBot({ DATA_DIR: dataDir, STAFF_TOKENS, METRICS_TOKEN, STAFF_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook` });
  });
  afterAll(async () => {
    await second?.close();
    await bot?.close();
    await channel?.close();
    await new Promise((resolve) => webhook?.close(resolve));
  });

  it('finds the turns, escalations, claims, staff times, step outcomes and webhook deliveries it drove', async () => {
    const person = (name: string) => new ChannelConversation(bot.url, channel.serviceUrl, `user-${name}`);
    const sam = new StaffClient(bot.url, STAFF.sam);

    const steps = person('steps');
    for (const line of STEPS_SCRIPT) await steps.say(line);
    const urgent = [person('a'), person('b'), person('c')];
    for (const p of urgent) await p.say(URGENT);
    // One activity the bot never sees: no conversation.
    expect((await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"message"}' })).status).toBe(400);

    const escalations = await eventually('three escalations', async () => {
      const list = asList((await sam.get('/api/escalations')).body);
      return list.length === 3 ? list : undefined;
    });
    const idOf = (p: ChannelConversation) => String(escalations.find((e) => e.conversationId === p.id)?.id);
    expect((await sam.post(`/api/escalations/${idOf(urgent[0]!)}/claim`)).status).toBe(200);
    expect((await sam.post(`/api/escalations/${idOf(urgent[1]!)}/claim`)).status).toBe(200);
    // Two staff messages to one person: one first reply.
    expect((await sam.post(`/api/escalations/${idOf(urgent[0]!)}/messages`, { text: 'Hi, I am here.' })).status).toBe(201);
    expect((await sam.post(`/api/escalations/${idOf(urgent[0]!)}/messages`, { text: 'Open the padlock menu.' })).status).toBe(201);
    await eventually('three webhook deliveries', () => hooks === 3);

    const text = await scrape(bot.url);
    expect(sample(text, 'techsupport_turns_total', { channel: 'test', result: 'ok' })).toBe(STEPS_SCRIPT.length + 3);
    expect(sample(text, 'techsupport_turns_total', { channel: 'other', result: 'rejected' })).toBe(1);
    expect(sample(text, 'techsupport_turn_duration_seconds_count', { channel: 'test' })).toBe(STEPS_SCRIPT.length + 3);
    expect(sample(text, 'techsupport_escalations_created_total')).toBe(3);
    expect(sample(text, 'techsupport_escalation_claims_total')).toBe(2);
    expect(sample(text, 'techsupport_escalations', { state: 'waiting' })).toBe(1);
    expect(sample(text, 'techsupport_escalations', { state: 'claimed' })).toBe(2);
    expect(sample(text, 'techsupport_escalation_time_to_claim_seconds_count')).toBe(2);
    expect(sample(text, 'techsupport_escalation_time_to_first_staff_reply_seconds_count')).toBe(1);
    expect(sample(text, 'techsupport_step_outcomes_total', { outcome: 'not-fixed' })).toBe(1);
    expect(sample(text, 'techsupport_step_outcomes_total', { outcome: 'fixed' })).toBe(1);
    expect(sample(text, 'techsupport_staff_webhook_deliveries_total', { result: 'delivered' })).toBe(3);
    expect(sample(text, 'techsupport_staff_webhook_deliveries_total', { result: 'failed' })).toBe(0);
    expect(sample(text, 'techsupport_rule_evaluations_total')).toBeGreaterThan(0);
    expect(sample(text, 'techsupport_rule_memo_hits_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'techsupport_store_query_duration_seconds_count')).toBeGreaterThan(20);
    expect(sample(text, 'techsupport_store_errors_total')).toBe(0);
    expect(sample(text, 'techsupport_store_up')).toBe(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeDefined();
    // Prometheus conventions: counters end in _total, durations in _seconds.
    for (const [, name, type] of text.matchAll(/^# TYPE (techsupport_\w+) (\w+)$/gm)) {
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
  });

  it('counts open staff feeds', async () => {
    const controller = new AbortController();
    const feed = await fetch(`${bot.url}/api/staff/events?token=${STAFF.sam}`, { signal: controller.signal });
    expect(feed.status).toBe(200);
    expect(sample(await scrape(bot.url), 'techsupport_streams_open', { kind: 'staff-feed' })).toBe(1);
    controller.abort();
    await eventually('the feed counted as closed', async () => sample(await scrape(bot.url), 'techsupport_streams_open', { kind: 'staff-feed' }) === 0);
  });

  it('reports the store\'s escalation counts on every instance, whichever served them', async () => {
    second = await startTestBot({ DATA_DIR: dataDir, STAFF_TOKENS, METRICS_TOKEN });
    const text = await scrape(second.url);
    expect(sample(text, 'techsupport_escalations_created_total')).toBe(3);
    expect(sample(text, 'techsupport_escalation_claims_total')).toBe(2);
    expect(sample(text, 'techsupport_escalations', { state: 'waiting' })).toBe(1);
    // Its own turns: none.
    expect(sample(text, 'techsupport_turns_total', { channel: 'test', result: 'ok' })).toBeUndefined();
  });

  it('refuses a scrape without the token, or with a wrong one', async () => {
    const none = await fetch(`${bot.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${bot.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  });
});

describe('metrics settings', () => {
  it('are not served at all without METRICS_TOKEN or METRICS_PORT', async () => {
    const bot = await startTestBot();
    try {
      expect((await fetch(`${bot.url}/metrics`)).status).toBe(404);
    } finally {
      await bot.close();
    }
  });

  it('with METRICS_PORT: served on that port only, and not on the public one', async () => {
    const bot = await startTestBot({ METRICS_PORT: '0', METRICS_TOKEN });
    try {
      expect(bot.metricsUrl).toBeDefined();
      expect((await fetch(`${bot.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
      expect(sample(await scrape(bot.metricsUrl ?? ''), 'techsupport_store_up')).toBe(1);
      expect((await fetch(`${bot.metricsUrl}/metrics`)).status).toBe(401);
      expect((await fetch(`${bot.metricsUrl}/other`)).status).toBe(404);
    } finally {
      await bot.close();
    }
  });
});
