import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { AppError } from '../errors';
import { parseId } from '../ids';
import type { RateLimit } from '../store';
import { requestLog, requestOf, type Logger } from '../logger';
import { parsePostedActivity } from './activities';
import type { ActivityLog, ChannelConversation } from './activityLog';
import type { DeliverToBot, InboundActivity } from './botDelivery';
import type { ActivityStreams } from './streams';
import { bearerToken } from '../bearer';
import { TOKENS_KEPT, hashToken, issueToken } from './tokens';

/** Who the bot is on this channel; replies carry it back as their `from`. */
export const BOT_ACCOUNT = { id: 'tech-support-bot', name: 'Technical Support', role: 'bot' } as const;
export const CHANNEL_ID = 'directline';

/** Largest batch one `GET …/activities` returns; the client asks again from the new watermark. */
const PAGE_SIZE = 100;

export interface DirectLineDeps {
  log: Logger;
  activityLog: ActivityLog;
  deliver: DeliverToBot;
  /** New conversations per client address. */
  starts: RateLimit;
  /** Token refreshes per conversation. */
  refreshes: RateLimit;
  /** Open WebSocket streams, which get each new activity of their conversation. */
  streams: ActivityStreams;
}

/** A watermark as this channel gives them: empty (from the start) or a sequence number. */
function parseWatermark(query: unknown): number {
  const raw = typeof query === 'string' ? query : '';
  if (!/^\d{0,15}$/.test(raw)) throw new AppError('BAD_REQUEST', 'The watermark is not one this channel gave.');
  return raw === '' ? 0 : Number(raw);
}

/**
 * The client half: the subset of Direct Line 3.0 that DirectLineJS and Web Chat use, over a
 * WebSocket stream (their default) or polling. Starting a conversation needs no secret (the
 * chat is public) and is rate-limited per address; every later call needs that conversation's token.
 */
export function directLineRoutes(deps: DirectLineDeps): Router {
  const { activityLog, log } = deps;
  const router = Router();
  router.param('conversationId', (_req, _res, next, value: string) => {
    parseId(value, 'conversation id');
    next();
  });

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

  /** As Azure answers: the stream URL carries the token, since a browser's WebSocket cannot send headers. */
  const conversationBody = (req: Request, conversationId: string, token: string, expiresAt: Date, watermark?: number) => {
    const scheme = req.protocol === 'https' ? 'wss' : 'ws';
    const query = new URLSearchParams({ watermark: watermark === undefined ? '-' : String(watermark), t: token });
    return {
      conversationId,
      token,
      expires_in: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
      streamUrl: `${scheme}://${req.get('host') ?? `127.0.0.1:${req.socket.localPort}`}${req.baseUrl}/conversations/${encodeURIComponent(conversationId)}/stream?${query}`,
    };
  };
  // The bot's replies go to this process's own Connector half, over loopback.
  const serviceUrl = (req: Request) => `http://127.0.0.1:${req.socket.localPort}`;

  router.post('/conversations', async (req, res) => {
    // A client that already holds a token (e.g. from tokens/refresh) gets its own conversation back, as on Azure.
    const presented = bearerToken(req.headers.authorization);
    const existing = presented ? await activityLog.findToken(hashToken(presented), new Date()) : undefined;
    if (presented && existing) {
      res.status(200).json(conversationBody(req, existing.conversationId, presented, existing.expiresAt));
      return;
    }
    const verdict = await deps.starts.take(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!verdict.allowed) {
      res.setHeader('Retry-After', String(verdict.retryAfterS));
      throw new AppError('RATE_LIMITED', 'Too many new conversations from this address; try again in a minute.');
    }
    // The user id is the server's, never the client's: it keys the bot's user state.
    const conversation = { id: randomBytes(18).toString('base64url'), userId: `dl_${randomBytes(12).toString('base64url')}` };
    const token = issueToken();
    await activityLog.createConversation(conversation, token);
    log.debug({ conversationId: conversation.id }, 'web chat conversation started');
    // As Azure does, the bot hears that the bot and the person joined, so any embed is greeted;
    // before the answer, so the greeting is waiting when the client first reads.
    await deps.deliver(membersAdded(conversation, serviceUrl(req)), requestOf(res)).catch((error: unknown) => {
      requestLog(res, log).error({ err: error, conversationId: conversation.id }, 'the bot could not take the start of a web chat conversation');
    });
    res.status(201).json(conversationBody(req, conversation.id, token.token, token.expiresAt));
  });

  // Reconnect (DirectLineJS passes `conversationId` and its watermark): the same conversation and token, a stream from there.
  router.get('/conversations/:conversationId', async (req, res) => {
    const { conversationId, token, expiresAt } = await authorize(req, res, req.params.conversationId);
    res.json(conversationBody(req, conversationId, token, expiresAt, parseWatermark(req.query.watermark)));
  });

  router.post('/tokens/refresh', async (req, res) => {
    const { conversationId } = await authorize(req, res);
    const verdict = await deps.refreshes.take(conversationId);
    if (!verdict.allowed) {
      res.setHeader('Retry-After', String(verdict.retryAfterS));
      throw new AppError('RATE_LIMITED', 'This conversation\'s token was refreshed too often; keep using the current one.');
    }
    // The previous tokens stay valid (the oldest beyond TOKENS_KEPT are retired), so requests already in flight do not fail.
    const token = issueToken();
    await activityLog.addToken(conversationId, token, TOKENS_KEPT);
    res.json(conversationBody(req, conversationId, token.token, token.expiresAt));
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
    if (posted.type !== 'typing') await deps.streams.announce(conversationId);

    const inbound: InboundActivity = { ...echo, id, serviceUrl: serviceUrl(req) };
    try {
      await deps.deliver(inbound, requestOf(res));
    } catch (error) {
      requestLog(res, log).error({ err: error, conversationId }, 'the bot could not take a web chat activity');
      throw new AppError('BOT_UNAVAILABLE', 'The bot could not take the activity; please send it again.', { cause: error });
    }
    res.json({ id });
  });

  router.get('/conversations/:conversationId/activities', async (req, res) => {
    const { conversationId } = await authorize(req, res, req.params.conversationId);
    const watermark = parseWatermark(req.query.watermark);
    const page = await activityLog.after(conversationId, watermark, PAGE_SIZE);
    res.json({ activities: page.map((entry) => entry.activity), watermark: String(page.at(-1)?.seq ?? watermark) });
  });

  // Uploads are not offered: the page has no upload button. Streams are WebSocket upgrades (streams.ts).
  router.use((_req, _res) => {
    throw new AppError('NOT_FOUND', 'This Direct Line call is not offered by the local channel.');
  });
  return router;
}

/** The `conversationUpdate` Azure sends when a conversation starts: the bot and the person joined. */
function membersAdded(conversation: ChannelConversation, serviceUrl: string): InboundActivity {
  const user = { id: conversation.userId, role: 'user' };
  return {
    type: 'conversationUpdate',
    id: `${conversation.id}|start`,
    channelId: CHANNEL_ID,
    serviceUrl,
    timestamp: new Date().toISOString(),
    conversation: { id: conversation.id },
    from: user,
    recipient: { ...BOT_ACCOUNT },
    membersAdded: [{ id: BOT_ACCOUNT.id, name: BOT_ACCOUNT.name }, { id: user.id }],
  };
}
