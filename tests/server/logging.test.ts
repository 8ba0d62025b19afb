import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { REDACTED_PATHS, createLogger } from '../../src/logger';
import { botForSuite, memoryLogger, startTestBot } from '../helpers/server';
import { STAFF, STAFF_TOKENS, StaffClient, eventually } from '../helpers/staff';
import { Conversation } from '../helpers/talk';

const SECRET_PASSWORD = 'app-password-never-logged-123';
const SECRET_TOKEN = 'staff-token-never-logged-456';

describe('logs', () => {
  it('redact secrets wherever they appear in a logged object', () => {
    const { log, lines } = memoryLogger();
    const config = loadConfig({ MicrosoftAppPassword: SECRET_PASSWORD, STAFF_TOKENS: `sam:${SECRET_TOKEN}` });
    log.info({ config }, 'config');
    log.info({ headers: { authorization: `Bearer ${SECRET_TOKEN}` }, token: SECRET_TOKEN }, 'request');
    const all = lines.join('\n');
    expect(all).not.toContain(SECRET_PASSWORD);
    expect(all).not.toContain(SECRET_TOKEN);
    expect(all).toContain('[redacted]');
  });

  it("redact exactly as pino's own redact option does with the same paths", () => {
    const sink = () => {
      const lines: string[] = [];
      const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); done(); } });
      return { stream, lines };
    };
    const ours = sink();
    const theirs = sink();
    const log = createLogger('info', ours.stream);
    const reference = pino({ level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: null, timestamp: false }, theirs.stream);
    const error = Object.assign(new Error('boom'), { token: SECRET_TOKEN, code: 'E' });
    const objects: Record<string, unknown>[] = [
      { conversationId: 'c', activityType: 'message', status: 200, result: 'ok', ms: 3 },
      { token: SECRET_TOKEN, password: 'p', streamUrl: 'wss://x?t=1', authorization: 'Bearer x', n: 1 },
      { config: { MicrosoftAppPassword: SECRET_PASSWORD, STAFF_TOKENS: 'a:b', PORT: 1, METRICS_TOKEN: 'm', DATABASE_URL: 'postgres://u:p@h/d', CertificatePrivateKey: 'k' } },
      { headers: { authorization: 'Bearer y', host: 'h', token: 't' }, req: { headers: { authorization: 'Bearer z', accept: '*/*' }, url: '/x' } },
      { deep: { inner: { token: 'stays: only one level is redacted' } }, list: [{ token: 'arrays are not walked' }], nothing: null, absent: undefined },
      { err: error },
      { conversation: { id: 'c', token: 'x' }, MicrosoftAppPassword: 'top' },
    ];
    for (const object of objects) {
      log.info(object, 'line');
      reference.info(object, 'line');
    }
    const strip = (line: string) => {
      const { time: _time, pid: _pid, hostname: _hostname, service: _service, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    };
    expect(ours.lines.map(strip)).toEqual(theirs.lines.map(strip));
    // Nothing logged was changed in place.
    expect(error.token).toBe(SECRET_TOKEN);
    expect((objects[3]?.headers as { authorization: string }).authorization).toBe('Bearer y');
  });

  it('of a running bot never carry the app password or staff tokens', async () => {
    const bot = await startTestBot({ MicrosoftAppPassword: SECRET_PASSWORD, STAFF_TOKENS: `sam:${SECRET_TOKEN}` });
    const person = new Conversation(bot.url);
    await person.join();
    await person.say('my camera is blocked');
    await bot.close();
    const all = bot.logs.join('\n');
    expect(all).toMatch(/"msg":"turn"/);
    expect(all).not.toContain(SECRET_PASSWORD);
    expect(all).not.toContain(SECRET_TOKEN);
  });
});

interface LogLine {
  msg: string;
  reqId?: string;
  activityId?: string;
  channelId?: string;
  pid?: number;
  hostname?: string;
  method?: string;
  path?: string;
  status?: number;
  ms?: number;
  [key: string]: unknown;
}

const parsed = (lines: string[]): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);

describe('traceable logs', () => {
  const suite = botForSuite({ STAFF_TOKENS });

  const post = (activity: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${suite.bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        type: 'message', channelId: 'test', deliveryMode: 'expectReplies', serviceUrl: 'http://127.0.0.1:9',
        conversation: { id: `conv-${randomUUID()}` }, from: { id: 'alex' }, recipient: { id: 'bot' }, id: randomUUID(), ...activity,
      }),
    });

  it('tie every line of a turn to its request id (taken from X-Request-Id), with the activity id and channel', async () => {
    const activityId = randomUUID();
    const response = await post({ text: "I'm presenting in 5 minutes and my mic is blocked", id: activityId }, { 'x-request-id': 'lb-7f3a-0001' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('lb-7f3a-0001');
    const mine = parsed(suite.bot.logs).filter((l) => l.reqId === 'lb-7f3a-0001');
    // The turn line and what escalation logged inside the turn share the id.
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['escalation requested', 'turn']));
    for (const line of mine) expect(line).toMatchObject({ activityId, channelId: 'test', pid: process.pid, hostname: os.hostname() });
    expect(mine.find((l) => l.msg === 'turn')).toMatchObject({ status: 200, result: 'ok' });
    // A turn has its turn line and no access line.
    expect(mine.filter((l) => l.msg === 'request')).toEqual([]);
  });

  it("tie a staff action's lines to the staff request's id", async () => {
    const conversationId = `conv-${randomUUID()}`;
    const asked = await post({ text: "I'm presenting in 5 minutes and need a person now", conversation: { id: conversationId } });
    expect(asked.status).toBe(200);
    const escalationId = parsed(suite.bot.logs).find((l) => l.msg === 'escalation requested' && l.conversationId === conversationId)?.escalationId;
    expect(escalationId).toEqual(expect.any(String));
    const sam = new StaffClient(suite.bot.url, STAFF.sam, { 'x-request-id': 'staff-claim-0001' });
    expect((await sam.post(`/api/escalations/${String(escalationId)}/claim`)).status).toBe(200);
    const mine = parsed(suite.bot.logs).filter((l) => l.reqId === 'staff-claim-0001');
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['escalation claimed', 'request']));
    expect(mine.find((l) => l.msg === 'escalation claimed')).toMatchObject({ escalationId, staff: 'Sam Rivera' });
  });

  it('make up an id when the caller sends none (or an implausible one) and return it', async () => {
    for (const header of [undefined, 'has spaces in it', 'x'.repeat(200)]) {
      const response = await post({ text: 'hello' }, header ? { 'x-request-id': header } : {});
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(parsed(suite.bot.logs).find((l) => l.reqId === id && l.msg === 'turn')).toBeDefined();
    }
  });

  it('write one access line per non-turn request, without the query string where tokens travel', async () => {
    const sam = new StaffClient(suite.bot.url, STAFF.sam);
    const list = await fetch(`${suite.bot.url}/api/escalations?status=waiting`, { headers: { authorization: `Bearer ${STAFF.sam}` } });
    const id = list.headers.get('x-request-id');
    expect(parsed(suite.bot.logs).filter((l) => l.reqId === id && l.msg === 'request')).toEqual([
      expect.objectContaining({ method: 'GET', path: '/api/escalations', status: 200, ms: expect.any(Number), pid: process.pid }),
    ]);
    expect((await sam.get('/api/escalations/E-nope')).status).toBe(404);
    const controller = new AbortController();
    const feed = await fetch(`${suite.bot.url}/api/staff/events?token=${STAFF.sam}`, { signal: controller.signal });
    controller.abort();
    await feed.body?.cancel().catch(() => {});
    await fetch(`${suite.bot.url}/healthz`);
    await eventually('the feed\'s access line', () => parsed(suite.bot.logs).find((l) => l.msg === 'request' && l.path === '/api/staff/events'));
    const access = parsed(suite.bot.logs).filter((l) => l.msg === 'request');
    expect(access).toEqual(expect.arrayContaining([
      expect.objectContaining({ method: 'GET', path: '/api/escalations/E-nope', status: 404 }),
      expect.objectContaining({ method: 'GET', path: '/api/staff/events', status: 200, aborted: true }),
      expect.objectContaining({ method: 'GET', path: '/healthz', status: 200 }),
    ]));
    expect(suite.bot.logs.join('\n')).not.toContain(STAFF.sam);
  });

  it('give a web chat turn its turn line (channel directline) instead of an access line, and access lines to polls', async () => {
    const started = await fetch(`${suite.bot.url}/v3/directline/conversations`, { method: 'POST' });
    const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': 'web-0001' };
    const sent = await fetch(`${suite.bot.url}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text: 'hi', from: { id: 'me' } }) });
    expect(sent.status).toBe(200);
    const { id } = (await sent.json()) as { id: string };
    const turnLines = parsed(suite.bot.logs).filter((l) => l.reqId === 'web-0001');
    expect(turnLines.find((l) => l.msg === 'turn')).toMatchObject({ activityId: id, channelId: 'directline', conversationId, result: 'ok' });
    expect(turnLines.filter((l) => l.msg === 'request')).toEqual([]);
    const poll = await fetch(`${suite.bot.url}/v3/directline/conversations/${conversationId}/activities?watermark=0`, { headers: { authorization: `Bearer ${token}` } });
    const pollId = poll.headers.get('x-request-id');
    expect(parsed(suite.bot.logs).find((l) => l.reqId === pollId && l.msg === 'request')).toMatchObject({ path: `/v3/directline/conversations/${conversationId}/activities`, status: 200 });
    expect(suite.bot.logs.join('\n')).not.toContain(token);
  });
});
