import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { parsePostedActivity } from './activities';
import type { ActivityLog } from './activityLog';
import type { DeliverToBot, InboundActivity } from './botDelivery';
import type { FixedWindowLimiter } from '../rateLimit';
import { bearerToken, hashToken, issueToken } from './tokens';

/** Who the bot is on this channel; replies carry it back as their `from`. */
export const BOT_ACCOUNT = { id: 'tech-support-bot', name: 'Technical Support', role: 'bot' } as const;
export const CHANNEL_ID = 'directline';

/** Largest batch one `GET …/activities` returns; the client asks again from the new watermark. */
const PAGE_SIZE = 100;

export interface DirectLineDeps {
  log: Logger;
  activityLog: ActivityLog;
  deliver: DeliverToBot;
  limiter: FixedWindowLimiter;
}

/**
 * The client half: the subset of Direct Line 3.0 that DirectLineJS and Web Chat use with
 * polling (`webSocket: false`). Starting a conversation needs no secret (the chat is public)
 * and is rate-limited per address; every later call needs that conversation's token.
 */
export function directLineRoutes(deps: DirectLineDeps): Router {
  const { activityLog, log } = deps;
  const router = Router();

  /** The conversation the request's token opens; 401 without a token, 403 for a bad, expired or foreign one. */
  async function authorize(req: Request, res: Response, conversationId?: string): Promise<{ conversationId: string; token: string; expiresAt: Date }> {
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new AppError('UNAUTHORIZED', 'A conversation token is required (Authorization: Bearer <token>).');
    }
    const found = await activityLog.findToken(hashToken(token), new Date());
    if (!found) throw new AppError('FORBIDDEN', 'The token is not valid or has expired.');
    if (conversationId !== undefined && found.conversationId !== conversationId) throw new AppError('FORBIDDEN', 'The token does not open this conversation.');
    return { ...found, token };
  }

  const conversationBody = (conversationId: string, token: string, expiresAt: Date) => ({
    conversationId,
    token,
    expires_in: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
  });

  router.post('/conversations', async (req, res) => {
    // A client that already holds a token (e.g. from tokens/refresh) gets its own conversation back, as on Azure.
    const presented = bearerToken(req.headers.authorization);
    const existing = presented ? await activityLog.findToken(hashToken(presented), new Date()) : undefined;
    if (presented && existing) {
      res.status(200).json(conversationBody(existing.conversationId, presented, existing.expiresAt));
      return;
    }
    const verdict = deps.limiter.take(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!verdict.allowed) {
      res.setHeader('Retry-After', String(verdict.retryAfterS));
      throw new AppError('RATE_LIMITED', 'Too many new conversations from this address; try again in a minute.');
    }
    // The user id is the server's, never the client's: it keys the bot's user state.
    const conversation = { id: randomBytes(18).toString('base64url'), userId: `dl_${randomBytes(12).toString('base64url')}` };
    const token = issueToken();
    await activityLog.createConversation(conversation, token);
    log.debug({ conversationId: conversation.id }, 'web chat conversation started');
    res.status(201).json(conversationBody(conversation.id, token.token, token.expiresAt));
  });

  // Reconnect (DirectLineJS passes `conversationId`): the same conversation and token.
  router.get('/conversations/:conversationId', async (req, res) => {
    const { conversationId, token, expiresAt } = await authorize(req, res, req.params.conversationId);
    res.json(conversationBody(conversationId, token, expiresAt));
  });

  router.post('/tokens/refresh', async (req, res) => {
    const { conversationId } = await authorize(req, res);
    // The old token stays valid until it expires, so requests already in flight do not fail.
    const token = issueToken();
    await activityLog.addToken(conversationId, token);
    res.json(conversationBody(conversationId, token.token, token.expiresAt));
  });

  router.post('/conversations/:conversationId/activities', async (req, res) => {
    const { conversationId } = await authorize(req, res, req.params.conversationId);
    const posted = parsePostedActivity(req.body);
    const conversation = await activityLog.findConversation(conversationId);
    if (!conversation) throw new AppError('NOT_FOUND', 'No such conversation.');

    const { serviceUrl: _clientServiceUrl, id: _clientId, ...rest } = posted;
    const echo = {
      ...rest,
      channelId: CHANNEL_ID,
      conversation: { id: conversationId },
      from: { ...posted.from, id: conversation.userId, role: 'user' },
      recipient: { ...BOT_ACCOUNT },
      timestamp: new Date().toISOString(),
    };
    // Typing is not kept (Azure sends it over WebSocket only, and a polled one would show late);
    // everything else is echoed, `channelData.clientActivityID` included, so Web Chat marks it sent.
    const id = posted.type === 'typing' ? `${conversationId}|typing-${randomBytes(6).toString('hex')}` : (await activityLog.append(conversationId, echo))?.id;
    if (!id) throw new AppError('NOT_FOUND', 'No such conversation.');

    // The bot's replies go to this process's own Connector half, over loopback.
    const inbound: InboundActivity = { ...echo, id, serviceUrl: `http://127.0.0.1:${req.socket.localPort}` };
    try {
      await deps.deliver(inbound);
    } catch (error) {
      log.error({ err: error, conversationId }, 'the bot could not take a web chat activity');
      throw new AppError('BOT_UNAVAILABLE', 'The bot could not take the activity; please send it again.', { cause: error });
    }
    res.json({ id });
  });

  router.get('/conversations/:conversationId/activities', async (req, res) => {
    const { conversationId } = await authorize(req, res, req.params.conversationId);
    const raw = typeof req.query.watermark === 'string' ? req.query.watermark : '';
    if (!/^\d{0,15}$/.test(raw)) throw new AppError('BAD_REQUEST', 'The watermark is not one this channel gave.');
    const watermark = raw === '' ? 0 : Number(raw);
    const page = await activityLog.after(conversationId, watermark, PAGE_SIZE);
    res.json({ activities: page.map((entry) => entry.activity), watermark: String(page.at(-1)?.seq ?? watermark) });
  });

  // Attachments and WebSocket streams are not offered: Web Chat uses neither with polling and no upload button.
  router.use((_req, _res) => {
    throw new AppError('NOT_FOUND', 'This Direct Line call is not offered by the local channel.');
  });
  return router;
}
