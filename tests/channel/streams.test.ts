import { describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Activity } from 'botframework-directlinejs';
import { texts as botTexts } from '../../dialogs/texts';
import { localChannel, SqlActivityLog, STREAM_CLOSE, TOKENS_KEPT } from '../../src/channel';
import { hashToken } from '../../src/channel/tokens';
import { LocalNotifier } from '../../src/store/notifications';
import { channelSuite, ConnectionStatus, openStream } from '../helpers/directLine';
import { memoryLogger, startTestBot } from '../helpers/server';
import { announceSkip, backends, postgresBackend, sqliteBackend } from '../helpers/stores';

interface Started {
  conversationId: string;
  token: string;
  streamUrl: string;
}

async function start(base: string): Promise<Started> {
  const response = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(response.status).toBe(201);
  return (await response.json()) as Started;
}

async function post(base: string, chat: Started, activity: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${base}/v3/directline/conversations/${chat.conversationId}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${chat.token}` },
    body: JSON.stringify({ from: { id: 'someone' }, ...activity }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

const botMessage = (activity: Activity) => activity.type === 'message' && activity.from.role === 'bot';
const textOf = (activity: Activity) => (activity.type === 'message' ? (activity.text ?? '') : '');

for (const backend of backends) {
  announceSkip(backend, 'Direct Line streams');

  describe.skipIf(!backend.available)(`Direct Line WebSocket streams (${backend.name})`, () => {
    const suite = channelSuite(backend);

    it('serves DirectLineJS with its default options: online, greeted and answered over the stream, never a typing indicator after the answer', async () => {
      const person = suite.client({ webSocket: undefined });
      const greeting = await person.next(botMessage);
      expect(textOf(greeting)).toBe(botTexts.greeting);
      expect(person.directLine.connectionStatus$.getValue()).toBe(ConnectionStatus.Online);
      expect(suite.bot.channel.openStreams).toBeGreaterThanOrEqual(1);

      const messageId = await person.post({ type: 'message', text: 'my camera says permission denied', from: { id: 'page-user' } });
      const reply = await person.next((a) => botMessage(a) && 'replyToId' in a && a.replyToId === messageId);
      // A quick answer comes alone (tests/bot/typing.test.ts); an indicator, had the turn been slow, never after it.
      const order = person.received.map((a) => a.id);
      for (const typing of person.received.filter((a) => a.type === 'typing')) expect(order.indexOf(typing.id)).toBeLessThan(order.indexOf(reply.id));
      expect(person.errors).toEqual([]);
      // The indicator says nothing: the transcript staff read keeps the messages, not the typing.
      const conversationId = reply.conversation?.id ?? '';
      const transcript = await suite.bot.store.db.selectFrom('transcript_activities').select(['direction', 'activity']).where('conversation_id', '=', conversationId).execute();
      expect(transcript.some((row) => row.direction === 'out' && row.activity.includes(textOf(reply).slice(0, 40)))).toBe(true);
      expect(transcript.filter((row) => (JSON.parse(row.activity) as { type: string }).type === 'typing')).toEqual([]);
    });

    it('starts and reconnects with a streamUrl that carries the token and the watermark', async () => {
      const chat = await start(suite.bot.url);
      expect(chat.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${chat.conversationId}/stream\\?watermark=-&t=`));
      const reconnect = await fetch(`${suite.bot.url}/v3/directline/conversations/${chat.conversationId}?watermark=1`, { headers: { authorization: `Bearer ${chat.token}` } });
      const body = (await reconnect.json()) as Started;
      expect(new URL(body.streamUrl).searchParams.get('watermark')).toBe('1');
      expect(new URL(body.streamUrl).searchParams.get('t')).toBe(chat.token);
    });

    it('pushes what is written as {activities, watermark} sets, from the watermark asked for', async () => {
      const chat = await start(suite.bot.url);
      const first = openStream(chat.streamUrl);
      expect(await first.opened).toEqual({ status: 101 });
      await first.next(botMessage); // the greeting, already in the log
      expect(first.sets[0]).toEqual({ activities: [expect.objectContaining({ text: botTexts.greeting })], watermark: '1' });

      const saidId = await post(suite.bot.url, chat, { type: 'message', text: 'hello there' });
      await first.next((a) => a.id === saidId);
      await first.next((a) => botMessage(a) && 'replyToId' in a && a.replyToId === saidId);
      first.socket.close();

      // Reconnecting from watermark 2 (the person's message) sends only what came after it.
      const later = openStream(chat.streamUrl.replace('watermark=-', 'watermark=2'));
      const replay = await later.next(botMessage);
      expect(Number(replay.id?.split('|')[1])).toBeGreaterThan(2);
      expect(later.sets.flatMap((s) => s.activities).map((a) => a.id)).not.toContain(saidId);
      later.socket.close();
    });

    it('sends the bot’s typing over the stream only: a polling client never sees it', async () => {
      const chat = await start(suite.bot.url);
      const stream = openStream(chat.streamUrl);
      await stream.next(botMessage);
      const connector = `${suite.bot.url}/v3/conversations/${encodeURIComponent(chat.conversationId)}/activities`;
      await fetch(connector, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'typing', from: { id: 'tech-support-bot' } }) });
      const typing = await stream.next((a) => a.type === 'typing');
      expect(typing.from).toMatchObject({ role: 'bot' });
      expect(stream.sets.find((s) => s.activities.includes(typing))).not.toHaveProperty('watermark');
      const polled = await fetch(`${suite.bot.url}/v3/directline/conversations/${chat.conversationId}/activities`, { headers: { authorization: `Bearer ${chat.token}` } });
      expect(((await polled.json()) as { activities: Activity[] }).activities.map((a) => a.type)).toEqual(['message']);
      stream.socket.close();
    });

    it('refuses a stream without a token (401), with another conversation’s (403) or a bad watermark (400)', async () => {
      const a = await start(suite.bot.url);
      const b = await start(suite.bot.url);
      const bare = new URL(a.streamUrl);
      bare.searchParams.delete('t');
      expect(await openStream(bare.toString()).opened).toEqual({ status: 401 });
      expect(await openStream(a.streamUrl.replace(a.token, b.token)).opened).toEqual({ status: 403 });
      expect(await openStream(a.streamUrl.replace('watermark=-', 'watermark=abc')).opened).toEqual({ status: 400 });
      expect(await openStream(`${suite.bot.url.replace('http', 'ws')}/v3/directline/conversations/${a.conversationId}/elsewhere`).opened).toEqual({ status: 404 });
      // A Node client may send the token as a header instead.
      const headed = openStream(bare.toString(), { headers: { authorization: `Bearer ${a.token}` } });
      expect(await headed.opened).toEqual({ status: 101 });
      headed.socket.close();
    });

    it('closes the stream when its token expires', async () => {
      const chat = await start(suite.bot.url);
      const shortLived = 'short-lived-token-for-this-test';
      await new SqlActivityLog(suite.bot.store.db).addToken(chat.conversationId, { hash: hashToken(shortLived), expiresAt: new Date(Date.now() + 600) }, TOKENS_KEPT);
      const stream = openStream(chat.streamUrl.replace(chat.token, shortLived));
      expect(await stream.opened).toEqual({ status: 101 });
      expect(await stream.closed).toEqual({ code: STREAM_CLOSE.tokenExpired, reason: 'token expired' });
    });

    it('closes every open stream with 1012 (service restart) when asked, so clients reconnect elsewhere', async () => {
      const chat = await start(suite.bot.url);
      const streams = [openStream(chat.streamUrl), openStream(chat.streamUrl)];
      await Promise.all(streams.map((s) => s.opened));
      suite.bot.channel.closeStreams();
      for (const stream of streams) expect((await stream.closed).code).toBe(1012);
    });
  });
}

describe('Direct Line stream heartbeats', () => {
  it('pings idle streams and drops one that stops answering', async () => {
    const testStore = await sqliteBackend.open();
    const bot = await startTestBot(testStore.env);
    const { log } = memoryLogger('warn');
    // A second channel on the same store, with a fast heartbeat, on its own server.
    const channel = localChannel({ log, db: bot.store.db, notifier: new LocalNotifier(), rateLimits: bot.store.rateLimits, behindTrustedProxy: false, deliver: async () => {}, heartbeatMs: 100 });
    const app = express().use(express.json()).use(channel.router);
    const server = http.createServer(app).on('upgrade', (req, socket, head) => channel.upgrade(req, socket, head) || socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const chat = await start(base);
      const answering = openStream(chat.streamUrl);
      const silent = openStream(chat.streamUrl, { autoPong: false });
      await Promise.all([answering.opened, silent.opened]);
      let pings = 0;
      answering.socket.on('ping', () => pings++);
      const dropped = await silent.closed;
      expect(dropped.code).toBe(1006); // terminated: no close frame
      expect(pings).toBeGreaterThanOrEqual(2);
      expect(answering.socket.readyState).toBe(answering.socket.OPEN);
      answering.socket.close();
    } finally {
      channel.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await bot.close();
      await testStore.dispose();
    }
  });
});

describe.skipIf(!postgresBackend.available)('Direct Line streams across instances (PostgreSQL)', () => {
  it('pushes an activity written on one instance to a stream held by another', async () => {
    const testStore = await postgresBackend.open();
    // Typing at the start of every turn, to see it cross instances too.
    const a = await startTestBot({ ...testStore.env, TYPING_DELAY_MS: '0' });
    const b = await startTestBot(testStore.env);
    try {
      const chat = await start(a.url);
      // The stream is held by B; the person's message and the bot's reply are written by A.
      const onB = openStream(chat.streamUrl.replace(new URL(a.url).host, new URL(b.url).host));
      await onB.next(botMessage);
      const saidId = await post(a.url, chat, { type: 'message', text: 'my microphone is not working' });
      await onB.next((x) => x.id === saidId);
      const reply = await onB.next((x) => botMessage(x) && 'replyToId' in x && x.replyToId === saidId);
      expect(textOf(reply).length).toBeGreaterThan(0);
      expect(onB.sets.flatMap((s) => s.activities).some((x) => x.type === 'typing')).toBe(true);
      onB.socket.close();
    } finally {
      await a.close();
      await b.close();
      await testStore.dispose();
    }
  });
});

describe('Direct Line streams at shutdown', () => {
  it('close with 1012 (service restart) when the process stops, so clients reconnect elsewhere', async () => {
    const testStore = await sqliteBackend.open();
    const bot = await startTestBot(testStore.env);
    try {
      const chat = await start(bot.url);
      const stream = openStream(chat.streamUrl);
      expect(await stream.opened).toEqual({ status: 101 });
      const closing = bot.close();
      expect(await stream.closed).toEqual({ code: STREAM_CLOSE.restart, reason: 'server restarting' });
      await closing;
    } finally {
      await bot.close();
      await testStore.dispose();
    }
  });
});
