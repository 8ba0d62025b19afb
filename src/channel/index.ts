import { Router } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from '../logger';
import type { Database } from '../store';
import { SqlActivityLog, type ActivityLog } from './activityLog';
import type { DeliverToBot } from './botDelivery';
import { connectorRoutes } from './connector';
import { directLineRoutes } from './directLine';
import { FixedWindowLimiter } from '../rateLimit';

export { inProcessDelivery, type DeliverToBot, type DirectTurns, type InboundActivity } from './botDelivery';
export { SqlActivityLog, activityId, type ActivityLog } from './activityLog';
export { MAX_ACTIVITY_BYTES, postedActivity, botActivity, type ChannelActivity } from './activities';
export { BOT_ACCOUNT, CHANNEL_ID } from './directLine';
export { TOKEN_LIFETIME_S } from './tokens';

export interface LocalChannelDeps {
  log: Logger;
  db: Kysely<Database>;
  deliver: DeliverToBot;
  /** New conversations allowed per client address per minute. */
  startsPerMinute?: number;
  activityLog?: ActivityLog;
}

/**
 * The local web-chat channel: Direct Line 3.0 (polling) for the page under
 * `/v3/directline`, and the Connector half the bot replies to under `/v3/conversations`. Its
 * activity log lives in the store, so it needs no Azure and survives restarts.
 */
export function localChannel(deps: LocalChannelDeps): Router {
  const activityLog = deps.activityLog ?? new SqlActivityLog(deps.db);
  const router = Router();
  router.use('/v3/directline', directLineRoutes({ log: deps.log, activityLog, deliver: deps.deliver, limiter: new FixedWindowLimiter(deps.startsPerMinute ?? 30) }));
  router.use('/v3/conversations', connectorRoutes({ log: deps.log, activityLog }));
  return router;
}
