import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { parseBotActivity, type BotActivity, type ChannelActivity } from './activities';
import type { ActivityLog } from './activityLog';
import { BOT_ACCOUNT, CHANNEL_ID } from './directLine';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Only the bot of this process (or of an instance on the same machine) may write into a
 * person's chat: requests must come over loopback and not through a proxy, which would
 * otherwise make every outside caller look local.
 */
function fromThisMachine(req: Request): boolean {
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

/**
 * The Connector half: the Bot Framework REST calls the bot makes to its `serviceUrl`
 * (botbuilder posts replies to `…/activities/:replyToId` and proactive sends to
 * `…/activities`). Each bot activity goes into the conversation's log, where the page's
 * next poll picks it up.
 */
export function connectorRoutes(deps: { log: Logger; activityLog: ActivityLog }): Router {
  const { activityLog, log } = deps;
  const router = Router();

  router.use((req, _res, next) => {
    if (!fromThisMachine(req)) throw new AppError('FORBIDDEN', 'The connector of the local channel answers this machine only.');
    next();
  });

  const asStored = (conversationId: string, body: BotActivity, replyToId?: string): ChannelActivity => {
    const { serviceUrl: _internalUrl, id: _ignored, ...rest } = body;
    return {
      ...rest,
      channelId: CHANNEL_ID,
      conversation: { id: conversationId },
      from: { ...BOT_ACCOUNT, ...body.from, role: 'bot' },
      ...(replyToId ? { replyToId } : {}),
      timestamp: new Date().toISOString(),
    };
  };

  const send = async (req: Request<{ conversationId: string; replyToId?: string }>) => {
    const { conversationId, replyToId } = req.params;
    const body = parseBotActivity(req.body);
    if (!(await activityLog.findConversation(conversationId))) throw new AppError('NOT_FOUND', 'No such conversation on the local channel.');
    // Typing is acknowledged but not kept: a polled typing indicator would only show after the reply.
    if (body.type === 'typing') return { id: `${conversationId}|typing-${randomBytes(6).toString('hex')}` };
    const appended = await activityLog.append(conversationId, asStored(conversationId, body, replyToId));
    if (!appended) throw new AppError('NOT_FOUND', 'No such conversation on the local channel.');
    log.debug({ conversationId, activityType: body.type }, 'bot activity stored for web chat');
    return { id: appended.id };
  };

  router.post('/:conversationId/activities', async (req, res) => {
    res.json(await send(req));
  });
  router.post('/:conversationId/activities/:replyToId', async (req, res) => {
    res.json(await send(req));
  });

  router.put('/:conversationId/activities/:activityId', async (req, res) => {
    const { conversationId, activityId } = req.params;
    const body = parseBotActivity(req.body);
    if (!(await activityLog.replace(conversationId, activityId, asStored(conversationId, body, typeof body.replyToId === 'string' ? body.replyToId : undefined)))) {
      throw new AppError('NOT_FOUND', 'No such activity on the local channel.');
    }
    res.json({ id: activityId });
  });

  router.delete('/:conversationId/activities/:activityId', async (req, res) => {
    const { conversationId, activityId } = req.params;
    if (!(await activityLog.remove(conversationId, activityId))) throw new AppError('NOT_FOUND', 'No such activity on the local channel.');
    res.status(200).end();
  });

  router.use((_req, _res) => {
    throw new AppError('NOT_FOUND', 'This Connector call is not offered by the local channel.');
  });
  return router;
}
