import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_SIGN_IN_FAILURES_PER_MINUTE } from '../../src/escalation/staffAuth';
import { startTestBot } from '../helpers/server';
import { STAFF_TOKENS } from '../helpers/staff';
import { announceSkip, postgresBackend, type TestStore } from '../helpers/stores';

type Bot = Awaited<ReturnType<typeof startTestBot>>;

const FORWARDING = [
  ['X-Forwarded-For', { 'x-forwarded-for': '203.0.113.9' }],
  ['Forwarded', { forwarded: 'for=203.0.113.9;proto=https' }],
  ['X-Real-IP', { 'x-real-ip': '203.0.113.9' }],
] as const;

async function startConversation(bot: Bot, headers: Record<string, string> = {}) {
  const response = await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers });
  const body = (await response.json()) as { conversationId?: string };
  return { status: response.status, conversationId: body.conversationId ?? '' };
}

const botSends = (bot: Bot, conversationId: string, headers: Record<string, string> = {}) =>
  fetch(`${bot.url}/v3/conversations/${conversationId}/activities`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ type: 'message', text: 'from the bot' }) });

const signInWith = (bot: Bot, token: string, headers: Record<string, string> = {}) =>
  fetch(`${bot.url}/api/escalations`, { headers: { authorization: `Bearer ${token}`, ...headers } });

describe('TRUST_PROXY unset (no proxy trusted)', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startTestBot({ STAFF_TOKENS });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it.each(FORWARDING)('the Connector half refuses a loopback request carrying %s', async (_name, headers) => {
    const { conversationId } = await startConversation(bot);
    expect((await botSends(bot, conversationId)).status).toBe(200);
    const forwarded = await botSends(bot, conversationId, headers);
    expect(forwarded.status).toBe(403);
  });

  it('counts conversation starts by the socket address, whatever X-Forwarded-For claims', async () => {
    const statuses = [];
    for (let i = 0; i < 31; i += 1) statuses.push((await startConversation(bot, { 'x-forwarded-for': `198.51.100.${i}` })).status);
    // The tests above started a few from this address already: the limit is reached sooner, never reset by the header.
    expect(statuses.filter((s) => s === 201).length).toBeLessThan(30);
    expect(statuses.at(-1)).toBe(429);
  });

  it('counts failed staff sign-ins by the socket address, whatever X-Forwarded-For claims', async () => {
    const statuses = [];
    for (let i = 0; i <= STAFF_SIGN_IN_FAILURES_PER_MINUTE; i += 1) statuses.push((await signInWith(bot, 'wrong-0000000000000000', { 'x-forwarded-for': `198.51.100.${i}` })).status);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('TRUST_PROXY=loopback (a proxy on this machine)', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startTestBot({ TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('the Connector half refuses a caller the proxy forwarded from elsewhere, and headers express cannot check', async () => {
    const { conversationId } = await startConversation(bot);
    expect((await botSends(bot, conversationId)).status).toBe(200);
    for (const [, headers] of FORWARDING) expect((await botSends(bot, conversationId, headers)).status).toBe(403);
    // A client on this machine, through the proxy.
    expect((await botSends(bot, conversationId, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(200);
  });

  it('gives each client behind the proxy its own count of conversation starts', async () => {
    for (let i = 0; i < 30; i += 1) expect((await startConversation(bot, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(201);
    expect((await startConversation(bot, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
    expect((await startConversation(bot, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(201);
  });
});

announceSkip(postgresBackend, 'rate limits shared between instances');
describe.skipIf(!postgresBackend.available)('rate limits with two instances on one PostgreSQL database', () => {
  let store: TestStore;
  let first: Bot;
  let second: Bot;
  beforeAll(async () => {
    store = await postgresBackend.open();
    [first, second] = await Promise.all([startTestBot({ ...store.env, STAFF_TOKENS }), startTestBot({ ...store.env, STAFF_TOKENS })]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await store?.dispose();
  });

  it('allow 30 conversation starts a minute per address in all, not 30 each', async () => {
    const statuses = [];
    for (let i = 0; i < 30; i += 1) statuses.push((await startConversation(i % 2 === 0 ? first : second)).status);
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect((await startConversation(first)).status).toBe(429);
    expect((await startConversation(second)).status).toBe(429);
  });

  it('count failed staff sign-ins across instances', async () => {
    for (let i = 0; i < STAFF_SIGN_IN_FAILURES_PER_MINUTE; i += 1) expect((await signInWith(i % 2 === 0 ? first : second, 'wrong-0000000000000000')).status).toBe(401);
    expect((await signInWith(first, 'wrong-0000000000000000')).status).toBe(429);
    expect((await signInWith(second, 'wrong-0000000000000000')).status).toBe(429);
  });
});
