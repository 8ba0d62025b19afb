import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityHandler } from 'botbuilder';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '../../src/bot/adapter';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/server/app';
import { createDiagnoser } from '../../src/diagnosis';
import { texts as botTexts } from '../../dialogs/texts';
import { memoryLogger, startTestBot } from '../helpers/server';
import { sqliteBackend, type TestStore } from '../helpers/stores';
import { Conversation, texts } from '../helpers/talk';

describe('bot host over real HTTP', () => {
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  beforeAll(async () => {
    bot = await startTestBot({ BODY_LIMIT: '64kb' });
  });
  afterAll(async () => {
    await bot.close();
  });

  const post = (body: string, contentType = 'application/json') =>
    fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('greets on join and returns the replies in the response body with expectReplies', async () => {
    const person = new Conversation(bot.url);
    const replies = await person.join();
    expect(texts(replies)).toEqual([botTexts.greeting]);
    expect(replies[0]).toMatchObject({ type: 'message', conversation: { id: person.id } });
  });

  it('greets once, whichever join signal comes first (conversationUpdate, then webchat/join)', async () => {
    const person = new Conversation(bot.url);
    await person.join();
    expect(await person.send({ type: 'event', name: 'webchat/join' })).toEqual([]);
  });

  it('answers a message', async () => {
    const replies = await new Conversation(bot.url).say('hello?');
    expect(texts(replies).length).toBeGreaterThan(0);
  });

  it('is alive on /healthz', async () => {
    const response = await fetch(`${bot.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', draining: false });
  });

  it.each([
    ['malformed JSON', '{"type": "message", ', 400],
    ['a JSON array', '[{"type":"message"}]', 400],
    ['a JSON string', '"message"', 400],
    ['no activity type', '{"text":"hi","conversation":{"id":"c"}}', 400],
    ['no conversation id', '{"type":"message","text":"hi"}', 400],
    ['a numeric type', '{"type": 42,"conversation":{"id":"c"}}', 400],
    ['a malformed conversation', '{"type":"message","conversation":"nope","serviceUrl":"http://x"}', 400],
    ['an empty channelId', '{"type":"message","channelId":"","conversation":{"id":"c"},"from":{"id":"p"},"recipient":{"id":"b"},"deliveryMode":"expectReplies"}', 400],
    ['no channelId', '{"type":"message","conversation":{"id":"c"},"from":{"id":"p"},"recipient":{"id":"b"},"deliveryMode":"expectReplies"}', 400],
  ])('rejects %s with a JSON 400 before the bot runs', async (_name, body, status) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: string; message: string };
    expect(json.error).toBe('BAD_REQUEST');
    expect(json.message).not.toMatch(/at \w+ \(/); // no stack trace
  });

  it('rejects a body over the limit with 413', async () => {
    const response = await post(JSON.stringify({ type: 'message', text: 'x'.repeat(70_000) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
  });

  it('is ready for traffic on /readyz while the store answers', async () => {
    const response = await fetch(`${bot.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', store: { ok: true } });
  });

  it('sends security headers and a Content-Security-Policy without inline scripts, and no CORS grant', async () => {
    const page = await fetch(`${bot.url}/`, { headers: { origin: 'https://evil.example' } });
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const api = await fetch(`${bot.url}/api/diagnose`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
    const turn = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{}' });
    expect(turn.status).toBe(400);
    expect(turn.headers.get('x-content-type-options')).toBe('nosniff');
    expect(turn.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('ignores unknown activity types', async () => {
    const replies = await new Conversation(bot.url).send({ type: 'somethingNew' });
    expect(replies).toEqual([]);
  });

  it('keeps serving after all of the above', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('logs each turn with its conversation id and latency', async () => {
    const person = new Conversation(bot.url);
    await person.say('hi');
    const line = bot.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'turn' && l.conversationId === person.id);
    expect(line).toMatchObject({ activityType: 'message', status: 200 });
    expect(typeof line?.ms).toBe('number');
  });
});

describe('a turn that throws', () => {
  let store: TestStore;
  let server: http.Server;
  let url: string;
  const { log, lines } = memoryLogger();

  beforeAll(async () => {
    store = await sqliteBackend.open();
    const config = loadConfig({ PORT: '0' });
    const failing = new ActivityHandler();
    failing.onMessage(async () => {
      throw new Error('database exploded');
    });
    const diagnoser = createDiagnoser();
    const app = createApp({ config, log, store: store.store, adapter: createAdapter(config, log), bot: failing, diagnose: (f) => diagnoser.diagnose(f) });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.dispose();
  });

  it('gets a calm apology, the error is logged with the conversation id, and the process stays up', async () => {
    const person = new Conversation(url);
    const replies = await person.say('hello');
    expect(texts(replies)).toEqual([botTexts.turnError]);
    expect(texts(replies)[0]).not.toMatch(/exploded|Error/);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; conversationId?: string; err?: { message: string } }).find((l) => l.msg === 'turn failed');
    expect(logged).toMatchObject({ conversationId: person.id, err: { message: 'database exploded' } });
    expect(texts(await person.say('again'))).toEqual([botTexts.turnError]);
  });
});

describe('health when the store is unreachable', () => {
  it('stays alive on /healthz (a restart would not bring the database back) and is not ready on /readyz', async () => {
    const bot = await startTestBot();
    await bot.store.close();
    const live = await fetch(`${bot.url}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${bot.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', store: { ok: false } });
    await bot.close();
  });
});
