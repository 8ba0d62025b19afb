import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Router } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from '../logger';
import type { Database, Notifier, RateLimits } from '../store';
import { SqlActivityLog, type ActivityLog } from './activityLog';
import type { DeliverToBot } from './botDelivery';
import { connectorRoutes } from './connector';
import { directLineRoutes } from './directLine';
import { ActivityStreams, STREAM_CLOSE } from './streams';
import { TOKEN_REFRESHES_PER_MINUTE } from './tokens';

export { inProcessDelivery, isLocalConversation, localConnector, type DeliverToBot, type DirectTurns, type InboundActivity } from './botDelivery';
export { SqlActivityLog, activityId, type ActivityLog } from './activityLog';
export { MAX_ACTIVITY_BYTES, postedActivity, botActivity, type ChannelActivity } from './activities';
export { BOT_ACCOUNT, CHANNEL_ID } from './directLine';
export { TOKEN_LIFETIME_S, TOKEN_REFRESHES_PER_MINUTE, TOKENS_KEPT } from './tokens';
export { STREAM_CLOSE } from './streams';

export interface LocalChannelDeps {
  log: Logger;
  db: Kysely<Database>;
  /** The store's notifier: it carries news of written activities to streams on other instances. */
  notifier: Notifier;
  deliver: DeliverToBot;
  /** Where the counts behind the channel's rate limits live (shared between instances on PostgreSQL). */
  rateLimits: RateLimits;
  /** Whether the app trusts a proxy's X-Forwarded-For (TRUST_PROXY); see the Connector half's check. */
  behindTrustedProxy: boolean;
  /** New conversations allowed per client address per minute. */
  startsPerMinute?: number;
  activityLog?: ActivityLog;
  /** How often idle streams are pinged; 30 s by default. */
  heartbeatMs?: number;
}

export interface LocalChannel {
  /** The HTTP routes: mount on the app. */
  router: Router;
  /** For the HTTP server's `upgrade` event: opens WebSocket streams; false for any other path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Open WebSocket streams on this instance. */
  readonly openStreams: number;
  /** Closes every open stream with 1012 (service restart): clients reconnect, to another instance when this one drains. */
  closeStreams(): void;
  /** Closes the streams and stops listening for other instances' news. */
  close(): void;
}

/**
 * The local web-chat channel: Direct Line 3.0 for the page under `/v3/directline` (WebSocket
 * streams and polling), and the Connector half the bot replies to under `/v3/conversations`.
 * Its activity log lives in the store, so it needs no Azure and survives restarts.
 */
export function localChannel(deps: LocalChannelDeps): LocalChannel {
  const activityLog = deps.activityLog ?? new SqlActivityLog(deps.db);
  const streams = new ActivityStreams({ log: deps.log, activityLog, notifier: deps.notifier, heartbeatMs: deps.heartbeatMs });
  const router = Router();
  const starts = deps.rateLimits.create('dl-starts', deps.startsPerMinute ?? 30);
  const refreshes = deps.rateLimits.create('dl-refreshes', TOKEN_REFRESHES_PER_MINUTE);
  router.use('/v3/directline', directLineRoutes({ log: deps.log, activityLog, deliver: deps.deliver, starts, refreshes, streams }));
  router.use('/v3/conversations', connectorRoutes({ log: deps.log, activityLog, streams, behindTrustedProxy: deps.behindTrustedProxy }));
  return {
    router,
    upgrade: (req, socket, head) => streams.handleUpgrade(req, socket, head),
    get openStreams() {
      return streams.size;
    },
    closeStreams: () => streams.closeAll(STREAM_CLOSE.restart, 'server restarting'),
    close: () => streams.close(),
  };
}
