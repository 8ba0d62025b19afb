import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { AppError } from '../errors';
import { parseId } from '../ids';
import type { Logger } from '../logger';
import { parseBotActivity, type BotActivity, type ChannelActivity } from './activities';
import type { ActivityLog } from './activityLog';
import { BOT_ACCOUNT, CHANNEL_ID } from './directLine';
import type { ActivityStreams } from './streams';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Only the bot of this process (or of an instance on the same machine) may write into a
 * person's chat: requests must come over loopback and not through a proxy, which would
 * otherwise make every outside caller look local. Forwarding headers express does not read
 * (`Forwarded`, `X-Real-IP`) cannot be checked, so they are always refused; `X-Forwarded-For`
 * is read through TRUST_PROXY when it is set (the client behind it must be local too), and
 * refused when it is not.
 */
function fromThisMachine(req: Request, behindTrustedProxy: boolean): boolean {
  const { headers } = req;
  if (headers.forwarded !== undefined || headers['x-real-ip'] !== undefined) return false;
  if (headers['x-forwarded-for'] !== undefined && !behindTrustedProxy) return false;
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && LOOPBACK.has(req.ip ?? '');
}

/**
 * The Connector half: the Bot Framework REST calls the bot makes to its `serviceUrl`
 * (botbuilder posts replies to `…/activities/:replyToId` and proactive sends to
 * `…/activities`). Each bot activity goes into the conversation's log and out to its open
 * streams; polling clients pick it up on their next poll.
 */
export function connectorRoutes(deps: { log: Logger; activityLog: ActivityLog; streams: ActivityStreams; behindTrustedProxy: boolean }): Router {
  const { activityLog, log, streams } = deps;
  const router = Router();

  router.use((req, _res, next) => {
    if (!fromThisMachine(req, deps.behindTrustedProxy)) throw new AppError('FORBIDDEN', 'The connector of the local channel answers this machine only.');
    next();
  });

  for (const name of ['conversationId', 'activityId', 'replyToId']) {
    router.param(name, (_req, _res, next, value: string) => {
      parseId(value, name === 'conversationId' ? 'conversation id' : 'activity id');
      next();
    });
  }

  const asStored = async (conversationId: string, body: BotActivity, replyToId: string | undefined): Promise<ChannelActivity> => {
    const { serviceUrl: _internalUrl, id: _ignored, replyToId: _claimed, ...rest } = body;
    // Web Chat holds back an activity whose replyToId it has not seen, for 5 s: only real ones are kept.
    const repliesTo = replyToId && (await activityLog.has(conversationId, replyToId)) ? replyToId : undefined;
    return {
      ...rest,
      ...openableFiles(body),
      ...staffAuthored(body),
      channelId: CHANNEL_ID,
      conversation: { id: conversationId },
      ...(repliesTo ? { replyToId: repliesTo } : {}),
      timestamp: new Date().toISOString(),
    };
  };

  const send = async (req: Request<{ conversationId: string; replyToId?: string }>) => {
    const { conversationId } = req.params;
    const body = parseBotActivity(req.body);
    const replyToId = req.params.replyToId ?? body.replyToId;
    if (!(await activityLog.findConversation(conversationId))) throw new AppError('NOT_FOUND', 'No such conversation on the local channel.');
    if (body.type === 'typing') {
      // Typing goes over the streams only, as on Azure: a polled indicator would show after the reply.
      const id = `${conversationId}|typing-${randomBytes(6).toString('hex')}`;
      await streams.typing(conversationId, { ...(await asStored(conversationId, body, undefined)), id });
      return { id };
    }
    const appended = await activityLog.append(conversationId, await asStored(conversationId, body, replyToId));
    if (!appended) throw new AppError('NOT_FOUND', 'No such conversation on the local channel.');
    await streams.announce(conversationId);
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
    const stored = await asStored(conversationId, body, body.replyToId);
    if (!(await activityLog.replace(conversationId, activityId, stored))) throw new AppError('NOT_FOUND', 'No such activity on the local channel.');
    await streams.announce(conversationId);
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

/** Staff relays name their author in `channelData.staff`; the chat shows them as that person, not as the bot. */
function staffAuthored(body: BotActivity): { from: { id: string; name?: string; role: string }; text?: string } {
  const staff = body.channelData?.staff;
  if (typeof staff === 'object' && staff !== null && 'name' in staff && typeof staff.name === 'string' && staff.name !== '') {
    const text = 'text' in staff && typeof staff.text === 'string' ? staff.text : body.text;
    return { from: { id: `staff:${staff.name.toLowerCase()}`, name: staff.name, role: 'bot' }, ...(typeof text === 'string' ? { text } : {}) };
  }
  return { from: { ...BOT_ACCOUNT, ...body.from, role: 'bot' } };
}

/**
 * An attachment sent inline as JSON (`diagnostics.json`) is given a `data:` URL, so Web Chat shows
 * it as a file to open or download instead of an empty bubble. The file lives inside the
 * activity, so only a holder of the conversation's token can read it.
 */
function openableFiles(body: BotActivity): { attachments?: unknown[] } {
  const attachments: unknown = body.attachments;
  if (!Array.isArray(attachments)) return {};
  return {
    attachments: attachments.map((attachment: unknown) => {
      if (typeof attachment !== 'object' || attachment === null || !('contentType' in attachment) || attachment.contentType !== 'application/json') return attachment;
      if ('contentUrl' in attachment && attachment.contentUrl) return attachment;
      const content = 'content' in attachment ? attachment.content : undefined;
      const json = JSON.stringify(content ?? null, null, 2);
      return { ...attachment, contentUrl: `data:application/json;base64,${Buffer.from(json, 'utf8').toString('base64')}` };
    }),
  };
}
