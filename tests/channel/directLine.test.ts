import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activity } from 'botframework-directlinejs';
import { texts as botTexts } from '../../dialogs/texts';
import { channelSuite, directLineClient } from '../helpers/directLine';
import { startTestBot } from '../helpers/server';
import { announceSkip, backends } from '../helpers/stores';
import { Conversation, texts } from '../helpers/talk';

type RunningTestBot = Awaited<ReturnType<typeof startTestBot>>;

interface Started {
  conversationId: string;
  token: string;
  expires_in: number;
}

/** A raw Direct Line call, for what DirectLineJS hides (status codes, headers, watermarks). */
async function call(base: string, path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await response.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, json };
}

async function startConversation(base: string): Promise<Started> {
  const started = await call(base, '/v3/directline/conversations', { body: {} });
  expect(started.status).toBe(201);
  return started.json as Started;
}

const fromBot = (activity: Activity) => activity.from.role === 'bot';
const botMessage = (activity: Activity) => activity.type === 'message' && fromBot(activity);
const repliesTo = (id: string) => (activity: Activity) => botMessage(activity) && 'replyToId' in activity && activity.replyToId === id;
const textOf = (activity: Activity) => (activity.type === 'message' ? (activity.text ?? '') : '');
/** What the person's side wrote into a polled log (the greeting is the bot's). */
const fromPerson = (log: unknown) => ((log as { activities: Activity[] }).activities ?? []).filter((a) => a.from.role === 'user');
const join = { type: 'event', name: 'webchat/join', value: {}, from: { id: 'page-user' } } as const;

for (const backend of backends) {
  announceSkip(backend, 'local channel');

  describe.skipIf(!backend.available)(`local web chat channel, driven by DirectLineJS (${backend.name})`, () => {
    const suite = channelSuite(backend);

    it('starts a conversation without a secret, greets at once (conversationUpdate), not again after webchat/join, and answers a message', async () => {
      const person = suite.client();
      const greeting = await person.next(botMessage);
      expect(textOf(greeting)).toBe(botTexts.greeting);
      expect(greeting.id).toMatch(/\|0000001$/);
      expect(greeting).toMatchObject({ from: { role: 'bot' }, channelId: 'directline' });
      // It answers the conversationUpdate, which no client ever sees: no replyToId for Web Chat to wait for.
      expect(greeting).not.toHaveProperty('replyToId');

      const joinId = await person.post(join);
      expect(joinId).toMatch(/\|0000002$/);

      const messageId = await person.post({ type: 'message', text: 'my camera says permission denied', from: { id: 'page-user' }, channelData: { clientActivityID: 'client-1' } });
      const echo = await person.next((a) => a.id === messageId);
      // Web Chat marks a message as sent when its own activity comes back with this id.
      expect(echo).toMatchObject({ type: 'message', text: 'my camera says permission denied', from: { role: 'user' }, channelData: { clientActivityID: 'client-1' } });

      const reply = await person.next(repliesTo(messageId));
      expect(textOf(reply).length).toBeGreaterThan(0);
      expect(Number(reply.id?.split('|')[1])).toBeGreaterThan(Number(messageId.split('|')[1]));
      expect(person.received.filter((a) => textOf(a) === botTexts.greeting)).toHaveLength(1);
    });

    it('rejoins with conversationId, token and watermark and then receives only newer activities', async () => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const first = suite.client({ token, conversationId });
      await first.post(join);
      await first.next(botMessage);
      const seen = await call(suite.bot.url, `/v3/directline/conversations/${conversationId}/activities?watermark=`, { token });
      const { watermark, activities } = seen.json as { watermark: string; activities: Activity[] };
      expect(activities.map((a) => a.type)).toEqual(['message', 'event']);
      expect(watermark).toBe('2');
      first.end();

      const again = suite.client({ token, conversationId, watermark });
      const askedId = await again.post({ type: 'message', text: 'mac, safari 13', from: { id: 'page-user' } });
      await again.next(repliesTo(askedId));
      const ids = again.received.map((a) => a.id ?? '');
      expect(ids.every((id) => Number(id.split('|')[1]) > 2)).toBe(true);
      expect(ids).toContain(askedId);
    });

    it('answers a reconnect (GET conversation) with the same conversation and token', async () => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const reconnect = await call(suite.bot.url, `/v3/directline/conversations/${conversationId}?watermark=`, { token });
      expect(reconnect.status).toBe(200);
      expect(reconnect.json).toMatchObject({ conversationId, token });
    });

    it('refreshes a token: the new one opens the same conversation', async () => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const refreshed = await call(suite.bot.url, '/v3/directline/tokens/refresh', { method: 'POST', token });
      expect(refreshed.status).toBe(200);
      const body = refreshed.json as Started;
      expect(body.conversationId).toBe(conversationId);
      expect(body.token).not.toBe(token);
      expect(body.expires_in).toBeGreaterThan(3500);
      expect((await call(suite.bot.url, `/v3/directline/conversations/${conversationId}/activities`, { token: body.token })).status).toBe(200);
    });

    it("refuses one conversation's token on another conversation (403)", async () => {
      const a = await startConversation(suite.bot.url);
      const b = await startConversation(suite.bot.url);
      const activities = `/v3/directline/conversations/${b.conversationId}/activities`;
      expect((await call(suite.bot.url, activities, { token: a.token })).status).toBe(403);
      expect((await call(suite.bot.url, activities, { token: a.token, body: { type: 'message', text: 'hi', from: { id: 'x' } } })).status).toBe(403);
      expect((await call(suite.bot.url, `/v3/directline/conversations/${b.conversationId}`, { token: a.token })).status).toBe(403);
    });

    it('answers 401 without a token and 403 for a token it never issued', async () => {
      const { conversationId } = await startConversation(suite.bot.url);
      const activities = `/v3/directline/conversations/${conversationId}/activities`;
      const missing = await call(suite.bot.url, activities);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect(missing.json).toMatchObject({ error: 'UNAUTHORIZED' });
      expect((await call(suite.bot.url, activities, { token: 'made-up-token' })).status).toBe(403);
      expect((await call(suite.bot.url, '/v3/directline/tokens/refresh', { method: 'POST' })).status).toBe(401);
    });

    it('reports a refused token to DirectLineJS as an expired token, as Azure does', async () => {
      const { conversationId } = await startConversation(suite.bot.url);
      const stranger = suite.client({ token: 'made-up-token', conversationId });
      const statuses: number[] = [];
      await new Promise<void>((resolve) => {
        stranger.directLine.connectionStatus$.subscribe((status) => {
          statuses.push(status);
          if (status >= 3) resolve();
        });
      });
      // 3 = ExpiredToken, 4 = FailedToConnect: the client never goes Online (2).
      expect(statuses).not.toContain(2);
    });

    it('refuses an activity over 256 KB with 413 and stores nothing', async () => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      const big = await call(suite.bot.url, path, { token, body: { type: 'message', from: { id: 'x' }, text: 'x'.repeat(260 * 1024) } });
      expect(big.status).toBe(413);
      expect(big.json).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
      expect(fromPerson((await call(suite.bot.url, path, { token })).json)).toEqual([]);
    });

    it('rejects a malformed activity or watermark with 400', async () => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      expect((await call(suite.bot.url, path, { token, body: { text: 'no type' } })).status).toBe(400);
      expect((await call(suite.bot.url, `${path}?watermark=abc`, { token })).status).toBe(400);
    });

    it.each([
      ['text', { text: 5 }],
      ['attachments', { text: 'hi', attachments: 'x' }],
      ['attachments.0', { text: 'hi', attachments: [null] }],
      ['entities', { text: 'hi', entities: 'x' }],
      ['locale', { text: 'hi', locale: {} }],
      ['channelData', { text: 'hi', channelData: [] }],
      ['membersAdded.0', { type: 'conversationUpdate', membersAdded: [null] }],
      ['localTimestamp', { text: 'hi', localTimestamp: 'yesterday' }],
    ])('refuses a wrong type in %s with a 400 naming it, and logs nothing', async (field, fields) => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      const refused = await call(suite.bot.url, path, { token, body: { type: 'message', from: { id: 'x' }, ...fields } });
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringContaining(`malformed at "${field}"`) });
      expect(fromPerson((await call(suite.bot.url, path, { token })).json)).toEqual([]);
    });

    it('keeps typing out of the log (Azure sends typing over WebSocket only)', async () => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      const typing = await call(suite.bot.url, path, { token, body: { type: 'typing', from: { id: 'x' } } });
      expect(typing.status).toBe(200);
      expect(fromPerson((await call(suite.bot.url, path, { token })).json)).toEqual([]);
    });

    it('takes proactive sends, updates and deletes on the Connector half, and shows them in order', async () => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const connector = `/v3/conversations/${encodeURIComponent(conversationId)}/activities`;
      const sent = await call(suite.bot.url, connector, { body: { type: 'message', text: 'A staff member joined: Sam', from: { id: 'tech-support-bot' } } });
      expect(sent.status).toBe(200);
      const { id } = sent.json as { id: string };
      await call(suite.bot.url, connector, { body: { type: 'typing', from: { id: 'tech-support-bot' } } });
      const second = (await call(suite.bot.url, connector, { body: { type: 'message', text: 'second' } })).json as { id: string };

      const updated = await call(suite.bot.url, `${connector}/${encodeURIComponent(id)}`, { method: 'PUT', body: { type: 'message', text: 'Sam (staff) joined' } });
      expect(updated.status).toBe(200);
      const deleted = await call(suite.bot.url, `${connector}/${encodeURIComponent(second.id)}`, { method: 'DELETE' });
      expect(deleted.status).toBe(200);

      const log = (await call(suite.bot.url, `/v3/directline/conversations/${conversationId}/activities`, { token })).json as { activities: Activity[]; watermark: string };
      const afterGreeting = log.activities.filter((a) => textOf(a) !== botTexts.greeting);
      expect(afterGreeting.map((a) => [a.id, textOf(a), a.from.role])).toEqual([[id, 'Sam (staff) joined', 'bot']]);
      // The update moved the activity past the watermark of anyone who had already read it.
      expect(Number(log.watermark)).toBeGreaterThan(Number(second.id.split('|')[1]));
    });

    it('keeps a replyToId only when it names an activity of the conversation; shows staff relays as the staff member; gives inline JSON a data: URL', async () => {
      const { conversationId, token } = await startConversation(suite.bot.url);
      const connector = `/v3/conversations/${encodeURIComponent(conversationId)}/activities`;
      const greetingId = `${conversationId}|0000001`;
      await call(suite.bot.url, `${connector}/${encodeURIComponent(greetingId)}`, { body: { type: 'message', text: 'a real reply', replyToId: greetingId } });
      await call(suite.bot.url, connector, { body: { type: 'message', text: 'proactive', replyToId: 'c0ffee-made-up-continuation-id' } });
      await call(suite.bot.url, connector, { body: { type: 'message', text: '**Sam Rivera:** hello', channelData: { staff: { name: 'Sam Rivera', text: 'hello' } } } });
      await call(suite.bot.url, connector, { body: { type: 'message', attachments: [{ contentType: 'application/json', name: 'diagnostics.json', content: { version: 1 } }] } });

      const log = ((await call(suite.bot.url, `/v3/directline/conversations/${conversationId}/activities?watermark=1`, { token })).json as { activities: Record<string, unknown>[] }).activities;
      expect(log[0]).toMatchObject({ text: 'a real reply', replyToId: greetingId });
      expect(log[1]).toMatchObject({ text: 'proactive' });
      expect(log[1]).not.toHaveProperty('replyToId');
      expect(log[2]).toMatchObject({ text: 'hello', from: { id: 'staff:sam rivera', name: 'Sam Rivera', role: 'bot' } });
      const file = (log[3]?.attachments as { contentUrl: string }[])[0];
      expect(JSON.parse(Buffer.from(file?.contentUrl.replace('data:application/json;base64,', '') ?? '', 'base64').toString('utf8'))).toEqual({ version: 1 });
    });

    it('answers 404 on the Connector half for a conversation it never started', async () => {
      const sent = await call(suite.bot.url, '/v3/conversations/nobody/activities', { body: { type: 'message', text: 'hi' } });
      expect(sent.status).toBe(404);
    });

    it('lets only this machine write through the Connector half (no proxied caller)', async () => {
      const { conversationId } = await startConversation(suite.bot.url);
      const proxied = await call(suite.bot.url, `/v3/conversations/${conversationId}/activities`, {
        body: { type: 'message', text: 'fake staff message' },
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      expect(proxied.status).toBe(403);
    });

    it('still serves /api/messages with expectReplies in the same process (Emulator / Azure path)', async () => {
      const person = new Conversation(suite.bot.url);
      expect(texts(await person.join())).toEqual([botTexts.greeting]);
      expect(texts(await person.say('my microphone is not working')).length).toBeGreaterThan(0);
    });
  });
}

describe('local web chat channel: starting conversations', () => {
  let bot: RunningTestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('allows 30 new conversations a minute per address, then answers 429 with Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 31; i += 1) answers.push(await call(bot.url, '/v3/directline/conversations', { body: {} }));
    expect(answers.slice(0, 30).every((a) => a.status === 201)).toBe(true);
    expect(answers[30]).toMatchObject({ status: 429, json: { error: 'RATE_LIMITED' } });
    expect(Number(answers[30]?.headers.get('retry-after'))).toBeGreaterThan(0);

    // A made-up token is no way around the limit; a real one gets its own conversation back, as on Azure.
    expect((await call(bot.url, '/v3/directline/conversations', { body: {}, token: 'made-up' })).status).toBe(429);
    const first = answers[0]?.json as Started;
    const mine = await call(bot.url, '/v3/directline/conversations', { body: {}, token: first.token });
    expect(mine).toMatchObject({ status: 200, json: { conversationId: first.conversationId, token: first.token } });
  });
});

describe('local web chat channel: the log is in the store', () => {
  it('keeps the conversation, its token and its activities across a restart', async () => {
    const testStore = await backends[0]!.open();
    await testStore.store.close();
    const first = await startTestBot(testStore.env);
    const { conversationId, token } = await startConversation(first.url);
    const person = directLineClient(first.url, { token, conversationId });
    await person.post(join);
    await person.next(botMessage);
    person.end();
    await first.close();

    const second = await startTestBot(testStore.env);
    try {
      const log = await call(second.url, `/v3/directline/conversations/${conversationId}/activities`, { token });
      expect(log.status).toBe(200);
      expect((log.json as { activities: Activity[] }).activities.map(textOf)).toContain(botTexts.greeting);
    } finally {
      await second.close();
      await testStore.dispose();
    }
  });
});

describe('local web chat channel with channel authentication on', () => {
  it('still serves the page\'s conversation while /api/messages demands a token', async () => {
    const bot = await startTestBot({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-used-by-the-local-channel' });
    const person = directLineClient(bot.url);
    try {
      await person.post(join);
      expect(textOf(await person.next(botMessage))).toBe(botTexts.greeting);
      const unauthenticated = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'hi', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9', conversation: { id: 'c' }, from: { id: 'u' }, recipient: { id: 'b' } }) });
      expect(unauthenticated.status).toBe(401);
    } finally {
      person.end();
      await bot.close();
    }
  });
});
