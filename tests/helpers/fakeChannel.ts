import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';
import type { ReplyActivity } from './talk';

export interface CapturedActivity extends ReplyActivity {
  conversation?: { id: string };
  from?: { id: string; name?: string };
  /** The Authorization header the bot sent it with (Azure channels need a token). */
  authorization?: string;
  channelData?: { staff?: { name: string; text?: string }; questionId?: string; [key: string]: unknown };
  replyToId?: string;
  /** When it reached the channel, and when the channel answered (performance.now()). */
  arrivedAt?: number;
  answeredAt?: number;
}

export interface FakeChannel {
  /** The `serviceUrl` to give conversations: the bot's proactive sends come here. */
  serviceUrl: string;
  /** Every activity the bot sent, in order. */
  received: CapturedActivity[];
  /** Activities sent to one conversation. */
  sentTo(conversationId: string): CapturedActivity[];
  close(): Promise<void>;
}

/**
 * A channel's Connector half on port 0 (`POST /v3/conversations/:id/activities[/:replyToId]`),
 * capturing what the bot sends outside a turn: queue updates, staff messages, timeout notices.
 */
export async function startFakeChannel(options: { holdMs?: (activity: CapturedActivity) => number } = {}): Promise<FakeChannel> {
  const received: CapturedActivity[] = [];
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  let next = 0;
  const capture: express.RequestHandler = (req, res) => {
    const body: unknown = req.body;
    const answer = () => res.status(200).json({ id: `fake-${++next}` });
    if (!isActivity(body)) return void answer();
    const activity: CapturedActivity = { ...body, conversation: { id: String(req.params.conversationId) }, authorization: req.headers.authorization, arrivedAt: performance.now() };
    received.push(activity);
    const done = () => {
      activity.answeredAt = performance.now();
      answer();
    };
    // A channel slow to take some activities (a hub's, under load): answered after `holdMs`.
    const holdMs = options.holdMs?.(activity) ?? 0;
    if (holdMs > 0) setTimeout(done, holdMs);
    else done();
  };
  app.post('/v3/conversations/:conversationId/activities', capture);
  app.post('/v3/conversations/:conversationId/activities/:replyToId', capture);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}`,
    received,
    sentTo: (conversationId) => received.filter((a) => a.conversation?.id === conversationId),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The bot's own activities, read as the protocol defines them; only the type is checked. */
function isActivity(value: unknown): value is CapturedActivity {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}
