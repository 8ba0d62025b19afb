import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import http from 'node:http';
import { sql } from 'kysely';
import { startTestBot } from '../helpers/server';
import { writeTally } from './tally';

/**
 * Bad input, generated: activities of every wrong shape, unicode, deep nesting, prototype-
 * pollution keys, huge strings, and raw bodies that are not JSON at all. The process must stay
 * up, answer without a crash, write nothing for what it rejects, and keep its memory bounded.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const DIRECT_LINE_RUNS = Number(process.env.FUZZ_DIRECT_LINE_RUNS ?? 3_000);
// A channel that accepts every reply at once, so turns without expectReplies do not wait on retries.
const sink = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1"}'));
});
const SINK_URL = 'http://127.0.0.1:39871';
export const fuzzTally = { cases: 0, wrongTypeCases: 0, slowestTurnMs: 0 };

const pollutionKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty');
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(), fc.string({ unit: 'binary', maxLength: 50 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), pollutionKeys), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const text = fc.oneof(
  fc.string(), fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('help', 'restart', 'human', 'status', 'diagnostics', "didn't help", 'that fixed it', 'mac chrome camera blocked', "I'm presenting in 5 minutes"),
  fc.string({ minLength: 10_000, maxLength: 60_000 }),
);
const activity = fc.record(
  {
    type: fc.oneof(fc.constantFrom('message', 'event', 'conversationUpdate', 'invoke', 'typing', 'endOfConversation', 'messageReaction', 'handoff'), fc.string(), anyJson),
    text: fc.oneof(text, anyJson),
    name: fc.oneof(fc.constantFrom('diagnostics', 'webchat/join', 'handoff.status'), fc.string()),
    value: anyJson,
    conversation: fc.oneof(fc.record({ id: fc.string({ minLength: 1, maxLength: 40 }) }), anyJson),
    from: fc.oneof(fc.record({ id: fc.string({ minLength: 1, maxLength: 20 }) }), anyJson),
    recipient: fc.oneof(fc.record({ id: fc.constant('bot') }), anyJson),
    channelId: fc.oneof(fc.constant('fuzz'), anyJson),
    serviceUrl: fc.oneof(fc.constant(SINK_URL), fc.constant(SINK_URL), anyJson),
    deliveryMode: fc.oneof(fc.constant('expectReplies'), anyJson),
    membersAdded: anyJson,
    channelData: anyJson,
    attachments: anyJson,
    suggestedActions: anyJson,
    extra: anyJson,
  },
  { requiredKeys: [] },
);
const pollutedJson = fc.tuple(pollutionKeys, anyJson).map(([key, value]) =>
  `{"type":"message","text":"hi","conversation":{"id":"polluted"},"from":{"id":"u"},"recipient":{"id":"b"},"serviceUrl":"${SINK_URL}","${key}":${JSON.stringify(value) ?? 'null'},"channelData":{"${key}":{"polluted":true}}}`);
const rawBody = fc.oneof(
  activity.map((a) => JSON.stringify(a)),
  pollutedJson,
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constantFrom('{', '[]', 'null', '"x"', '1e309', '{"type":', '\u0000'),
  // Nesting around the depth limit and far beyond it (a 5 000-level body once overflowed the size check).
  fc.tuple(fc.integer({ min: 60, max: 6000 }), fc.boolean()).map(([levels, inActivity]) => {
    const deep = `${'{"a":'.repeat(levels)}[]${'}'.repeat(levels)}`;
    return inActivity ? `{"type":"message","text":"hi","conversation":{"id":"deep"},"from":{"id":"u"},"recipient":{"id":"b"},"serviceUrl":"${SINK_URL}","channelData":${deep}}` : deep;
  }),
);

function writeFuzzTally(): void {
  writeTally('fuzz', { fuzzCases: fuzzTally.cases, wrongTypeCases: fuzzTally.wrongTypeCases, slowestTurnMs: Math.round(fuzzTally.slowestTurnMs) });
}

/**
 * Wrong types, one field at a time: a well-formed activity with one field the bot, botbuilder or
 * the transcript reads replaced by a value of any JSON type. Random whole activities rarely keep
 * the rest valid, so they never reached the code that read `attachments: "x"` or
 * `membersAdded: [null]`; these do. Each is refused with a 400 naming the field, or accepted
 * and answered without the apology of a failed turn, and then it is in the transcript.
 */
const WRONG_TYPE_RUNS = Number(process.env.FUZZ_WRONG_TYPE_RUNS ?? 3_000);
const READ_FIELDS = [
  'type', 'id', 'name', 'text', 'textFormat', 'locale', 'replyToId', 'timestamp', 'localTimestamp', 'channelId', 'serviceUrl',
  'deliveryMode', 'value', 'channelData', 'attachments', 'attachments.0', 'attachments.0.contentType', 'attachments.0.name',
  'entities', 'entities.0', 'entities.0.type', 'membersAdded', 'membersAdded.0', 'membersAdded.0.id', 'membersAdded.0.name',
  'membersRemoved', 'conversation', 'conversation.id', 'conversation.isGroup', 'from', 'from.id', 'from.name', 'from.role',
  'recipient', 'recipient.id', 'value.userAgent', 'value.permissions', 'value.devices', 'value.devices.camera', 'value.getUserMedia',
  'value.getUserMedia.errorName', 'value.userAgentData', 'value.userAgentData.brands', 'value.state', 'channelData.clientActivityID',
] as const;
const wrongValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e21, 123456789012345678901, Number.MAX_SAFE_INTEGER + 2, '', 'x', '\u0000', '__proto__', [], [null], [1, 'a'], {}, { id: null }, { __proto__: { polluted: true } }),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  anyJson,
);
function wellFormed(conversationId: string, field: string): Record<string, unknown> {
  const base: Record<string, unknown> = {
    type: field.startsWith('value.state') ? 'event' : field.startsWith('value') ? 'event' : field.startsWith('members') ? 'conversationUpdate' : 'message',
    id: `act-${conversationId}`,
    text: 'my camera is blocked in chrome on windows',
    textFormat: 'plain',
    locale: 'en-US',
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    channelId: 'fuzz',
    serviceUrl: SINK_URL,
    deliveryMode: 'expectReplies',
    conversation: { id: conversationId, isGroup: false },
    from: { id: 'person', name: 'Alex', role: 'user' },
    recipient: { id: 'bot', name: 'Technical Support' },
    channelData: { clientActivityID: 'c1' },
    attachments: [{ contentType: 'image/png', name: 'shot.png', contentUrl: 'https://example.com/shot.png' }],
    entities: [{ type: 'ClientCapabilities' }],
    membersAdded: [{ id: 'person', name: 'Alex' }],
    membersRemoved: [],
    name: field.startsWith('value.state') ? 'handoff.status' : 'diagnostics',
    value: {
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      userAgentData: { brands: [{ brand: 'Google Chrome', version: '120' }], mobile: false, platform: 'Windows' },
      permissions: { camera: 'denied' },
      devices: { camera: 1, microphone: 1, labelsVisible: false },
      getUserMedia: { requested: ['camera'], ok: false, errorName: 'NotAllowedError', errorMessage: 'Permission denied' },
      state: 'accepted',
    },
  };
  return base;
}
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: unknown = target;
  for (const key of keys.slice(0, -1)) node = typeof node === 'object' && node !== null ? Reflect.get(node, key) : undefined;
  if (typeof node === 'object' && node !== null) Reflect.set(node, keys.at(-1) ?? '', value);
}

function isTyping(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && 'type' in parsed && parsed.type === 'typing';
  } catch {
    return false;
  }
}

describe('fuzzed input to /api/messages and /api/diagnose', () => {
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  beforeAll(async () => {
    await new Promise<void>((resolve) => sink.listen(39871, '127.0.0.1', resolve));
    bot = await startTestBot({ LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await bot.close();
    await new Promise((resolve) => sink.close(resolve));
  });

  it(`survives ${RUNS} generated requests with no crash, no write for rejected input, bounded memory`, async () => {
    const rssBefore = process.memoryUsage().rss;
    const rejectedConversations = new Set<string>();
    const acceptedConversations = new Set<string>();
    const statuses = new Map<number, number>();
    let slowest = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/messages', '/api/messages', '/api/messages', '/api/diagnose'), rawBody, async (route, body) => {
        const t0 = performance.now();
        const response = await fetch(`${bot.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(15_000) })
          .catch((error: unknown) => {
            throw new Error(`no answer within 15 s to ${route} ${body.slice(0, 300)}`, { cause: error });
          });
        const answer = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        fuzzTally.cases += 1;
        slowest = Math.max(slowest, performance.now() - t0);
        // 501 is an unknown invoke, answered by botbuilder on purpose; every other 5xx would be a crash.
        expect(response.status === 501 || response.status < 500, `${response.status} for ${body.slice(0, 200)}: ${answer.slice(0, 200)}`).toBe(true);
        expect(answer).not.toMatch(/\n\s+at [\w.<>]+ \(/); // never a stack trace
        const id = route === '/api/messages' ? /"conversation":\{"id":"([^"\\]{1,40})"/.exec(body)?.[1] : undefined;
        if (id) (response.status >= 400 ? rejectedConversations : acceptedConversations).add(id);
      }),
      { numRuns: RUNS },
    );
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);

    const keys = await sql<{ key: string }>`select key from bot_state`.execute(bot.store.db);
    // An id that some accepted request also used may have state; an id only ever rejected must not.
    const onlyRejected = [...rejectedConversations].filter((id) => !acceptedConversations.has(id));
    const written = keys.rows.filter((row) => onlyRejected.some((id) => row.key.includes(`/conversations/${id}/`)));
    expect(onlyRejected.length).toBeGreaterThan(0);
    expect(written).toEqual([]);
    const growthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    expect(growthMb).toBeLessThan(400);
    fuzzTally.slowestTurnMs = Math.max(fuzzTally.slowestTurnMs, slowest);
    writeFuzzTally();
    console.info(`fuzz: ${RUNS} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, RSS growth ${growthMb.toFixed(0)} MB, slowest answer ${slowest.toFixed(0)} ms`);
  }, 600_000);

  it(`survives ${DIRECT_LINE_RUNS} generated Direct Line calls with no crash and writes only what it accepts`, async () => {
    // A few real conversations (starting is rate-limited per address), then everything else generated.
    const chats: { conversationId: string; token: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const started = await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST' });
      chats.push((await started.json()) as { conversationId: string; token: string });
    }
    let acceptedPosts = 0;
    const call = fc.record({
      chat: fc.integer({ min: 0, max: chats.length - 1 }),
      token: fc.oneof(fc.constant('own'), fc.constant('other'), fc.constant('none'), fc.string({ maxLength: 60 })),
      kind: fc.constantFrom('post', 'post', 'get', 'reconnect', 'refresh'),
      body: rawBody,
      watermark: fc.oneof(fc.constant(undefined), fc.nat().map(String), fc.string({ maxLength: 20 })),
    });
    await fc.assert(
      fc.asyncProperty(call, async ({ chat, token, kind, body, watermark }) => {
        const own = chats[chat]!;
        const other = chats[(chat + 1) % chats.length]!;
        const bearer = token === 'own' ? own.token : token === 'other' ? other.token : token === 'none' ? undefined : token;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (bearer !== undefined) headers.authorization = `Bearer ${bearer.replace(/[^\x20-\x7e]/g, '')}`;
        const base = `${bot.url}/v3/directline`;
        const request =
          kind === 'post' ? fetch(`${base}/conversations/${own.conversationId}/activities`, { method: 'POST', headers, body })
          : kind === 'get' ? fetch(`${base}/conversations/${own.conversationId}/activities${watermark === undefined ? '' : `?watermark=${encodeURIComponent(watermark)}`}`, { headers })
          : kind === 'reconnect' ? fetch(`${base}/conversations/${own.conversationId}`, { headers })
          : fetch(`${base}/tokens/refresh`, { method: 'POST', headers });
        const response = await request;
        const answer = await response.text();
        fuzzTally.cases += 1;
        expect(response.status < 500, `${response.status} for ${kind} ${body.slice(0, 120)}: ${answer.slice(0, 200)}`).toBe(true);
        expect(answer).not.toMatch(/\n\s+at [\w.<>]+ \(/);
        // Typing indicators are answered but never logged (Azure sends them only over WebSocket).
        if (kind === 'post' && response.status === 200 && !isTyping(body)) acceptedPosts += 1;
        // A refresh retires the oldest tokens of its conversation: carry on with the new one, as DirectLineJS does.
        if (kind === 'refresh' && response.status === 200) {
          const refreshed = JSON.parse(answer) as { conversationId: string; token: string };
          const chatOf = chats.find((c) => c.conversationId === refreshed.conversationId);
          if (chatOf) chatOf.token = refreshed.token;
        }
      }),
      { numRuns: DIRECT_LINE_RUNS },
    );
    // Every accepted post, and nothing else the person sent, is in the conversations' logs.
    let logged = 0;
    for (const chat of chats) {
      // The channel pages its log (100 at a time, as Azure): follow the watermark to the end.
      let watermark = '';
      for (;;) {
        const query = watermark ? `?watermark=${watermark}` : '';
        const page = (await (await fetch(`${bot.url}/v3/directline/conversations/${chat.conversationId}/activities${query}`, { headers: { authorization: `Bearer ${chat.token}` } })).json()) as { activities: { from: { role?: string } }[]; watermark: string };
        logged += page.activities.filter((a) => a.from.role === 'user').length;
        if (page.activities.length === 0 || page.watermark === watermark) break;
        watermark = page.watermark;
      }
    }
    expect(logged).toBe(acceptedPosts);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    writeFuzzTally();
    console.info(`fuzz: ${DIRECT_LINE_RUNS} Direct Line calls, ${acceptedPosts} posts accepted and logged`);
  }, 600_000);

  it(`survives ${WRONG_TYPE_RUNS} activities with one field of a wrong type: a 400 naming it, or a turn that answers and is in the transcript`, async () => {
    const accepted: string[] = [];
    const turnFailed = "Sorry, something went wrong";
    let slowest = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...READ_FIELDS), wrongValue, async (field, value) => {
        const conversationId = `wrong-${n++}`;
        const activity = wellFormed(conversationId, field);
        setPath(activity, field, value);
        const body = JSON.stringify(activity);
        const t0 = performance.now();
        const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(15_000) });
        const answer = await response.text();
        slowest = Math.max(slowest, performance.now() - t0);
        fuzzTally.cases += 1;
        fuzzTally.wrongTypeCases += 1;
        const where = `${field} = ${JSON.stringify(value)?.slice(0, 80)}`;
        expect(response.status === 501 || response.status < 500, `${response.status} for ${where}: ${answer.slice(0, 200)}`).toBe(true);
        expect(answer, where).not.toMatch(/\n\s+at [\w.<>]+ \(/);
        if (response.status === 400) {
          const named = /malformed at "([^"]*)"/.exec(String((JSON.parse(answer) as { message?: unknown }).message))?.[1];
          expect(named !== undefined && (field.startsWith(named) || named.startsWith(field)), `the refusal names ${field}: ${answer.slice(0, 200)}`).toBe(true);
        } else if (response.status === 200) {
          expect(answer, `the turn failed for ${where}`).not.toContain(turnFailed);
          const deliveredId = typeof activity.id === 'string' && typeof activity.conversation === 'object' && activity.conversation !== null ? Reflect.get(activity.conversation, 'id') : undefined;
          if (typeof deliveredId === 'string' && activity.type !== 'typing') accepted.push(deliveredId);
        }
      }),
      { numRuns: WRONG_TYPE_RUNS },
    );
    // Every accepted activity is in its conversation's transcript (the turn did not throw it away).
    const logged = await sql<{ conversation_id: string }>`select distinct conversation_id from transcript_activities where direction = 'in'`.execute(bot.store.db);
    const inTranscript = new Set(logged.rows.map((r) => r.conversation_id));
    const missing = accepted.filter((id) => !inTranscript.has(id));
    expect(accepted.length).toBeGreaterThan(0);
    expect(missing.slice(0, 5)).toEqual([]);
    fuzzTally.slowestTurnMs = Math.max(fuzzTally.slowestTurnMs, slowest);
    writeFuzzTally();
    console.info(`fuzz: ${WRONG_TYPE_RUNS} wrong-type activities, ${accepted.length} accepted and in the transcript, slowest answer ${slowest.toFixed(0)} ms`);
  }, 600_000);
});
