import XMLHttpRequestForNode from 'xhr2';
import { WebSocket as NodeWebSocket } from 'ws';
import type { Activity, DirectLine as DirectLineClient } from 'botframework-directlinejs';
import { startTestBot, type RunningTestBot } from './server';
import type { TestBackend } from './stores';
import { suiteFixture } from './suiteFixture';

// DirectLineJS is a browser library: rxjs' ajax needs XMLHttpRequest, and it streams over the
// global WebSocket (Node 20 has none). Both are provided here, for tests only.
Object.assign(globalThis, { XMLHttpRequest: XMLHttpRequestForNode });
if (!('WebSocket' in globalThis)) Object.assign(globalThis, { WebSocket: NodeWebSocket });

// Loaded after the polyfill, as a browser would have XMLHttpRequest before the script runs.
const { DirectLine, ConnectionStatus }: typeof import('botframework-directlinejs') = require('botframework-directlinejs');
export { ConnectionStatus };

export interface ChannelClient {
  directLine: DirectLineClient;
  /** Every activity received so far, in order. */
  received: Activity[];
  /** What ended the activity stream, if anything did. */
  errors: unknown[];
  /** Resolves with the first received activity (from now on or already received) that matches. */
  next(match: (activity: Activity) => boolean): Promise<Activity>;
  /** Posts and resolves with the id the channel gave the activity. */
  post(activity: Activity): Promise<string>;
  end(): void;
}

export interface ClientOptions {
  token?: string;
  conversationId?: string;
  watermark?: string;
  /** Polling unless set: `true` streams over a WebSocket, DirectLineJS's own default. */
  webSocket?: boolean;
}

/** The official Direct Line client against the local channel at `baseUrl`, polling (as Web Chat can) or streaming. */
export function directLineClient(baseUrl: string, options: ClientOptions = {}): ChannelClient {
  const directLine = new DirectLine({ domain: `${baseUrl}/v3/directline`, webSocket: false, pollingInterval: 200, ...options });
  const received: Activity[] = [];
  const waiters: { match: (activity: Activity) => boolean; resolve: (activity: Activity) => void }[] = [];
  const errors: unknown[] = [];
  const subscription = directLine.activity$.subscribe({
    next(activity) {
      received.push(activity);
      for (const waiter of [...waiters]) {
        if (waiter.match(activity)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(activity);
        }
      }
    },
    // A refused start ends the stream with an error; tests look at connectionStatus$ instead.
    error(error: unknown) {
      errors.push(error);
    },
  });
  return {
    directLine,
    received,
    errors,
    next(match) {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    post(activity) {
      return new Promise((resolve, reject) => {
        directLine.postActivity(activity).subscribe({ next: resolve, error: reject });
      });
    },
    end() {
      subscription.unsubscribe();
      directLine.end();
    },
  };
}

export interface ChannelSuite {
  /** The bot, on a fresh store of the suite's backend. */
  readonly bot: RunningTestBot;
  /** A DirectLineJS client to the bot, ended after the suite. */
  client(options?: ClientOptions): ChannelClient;
}

/** The fixture of a channel suite: call it inside the `describe`; read `bot` inside the tests. */
export function channelSuite(backend: TestBackend): ChannelSuite {
  const clients: ChannelClient[] = [];
  const started = suiteFixture("the suite's bot", async (closeLater) => {
    const testStore = await backend.open();
    closeLater(() => testStore.dispose());
    const bot = await startTestBot(testStore.env);
    closeLater(() => bot.close());
    closeLater(() => {
      for (const c of clients) c.end();
    });
    return bot;
  });
  return {
    get bot() {
      return started();
    },
    client(options) {
      const created = directLineClient(started().url, options);
      clients.push(created);
      return created;
    },
  };
}

export interface ActivitySet {
  activities: Activity[];
  watermark?: string;
}

export interface RawStream {
  socket: NodeWebSocket;
  /** Every set received so far, in order. */
  sets: ActivitySet[];
  /** Resolves with the first activity (received so far or later) that matches. */
  next(match: (activity: Activity) => boolean): Promise<Activity>;
  /** Resolves when the server answered the upgrade (or refused it: then with its HTTP status). */
  opened: Promise<{ status: number }>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A bare WebSocket on a `streamUrl`, for what DirectLineJS hides (close codes, refusals, sets). */
export function openStream(streamUrl: string, options: { headers?: Record<string, string>; autoPong?: boolean } = {}): RawStream {
  const socket = new NodeWebSocket(streamUrl, { headers: options.headers, autoPong: options.autoPong ?? true });
  const sets: ActivitySet[] = [];
  const waiters: { match: (activity: Activity) => boolean; resolve: (activity: Activity) => void }[] = [];
  socket.on('message', (data) => {
    const text = data.toString();
    if (!text) return;
    const set = JSON.parse(text) as ActivitySet;
    sets.push(set);
    for (const activity of set.activities) {
      for (const waiter of [...waiters]) {
        if (waiter.match(activity)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(activity);
        }
      }
    }
  });
  const opened = new Promise<{ status: number }>((resolve) => {
    socket.once('open', () => resolve({ status: 101 }));
    socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    socket.once('error', () => resolve({ status: 0 }));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    socket,
    sets,
    opened,
    closed,
    next(match) {
      const already = sets.flatMap((s) => s.activities).find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
