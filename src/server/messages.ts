import type { RequestHandler } from 'express';
import type { Activity, ActivityHandlerBase, InvokeResponse, TurnContext } from 'botbuilder';
import { activityFields, malformedActivity, type BotAdapter } from '../bot';
import { z } from 'zod';
import { bearerToken } from '../bearer';
import { AppError } from '../errors';
import { idSchema } from '../ids';
import type { TurnRecorder } from './observability';
import { requestOf } from '../logger';

/**
 * What every activity must have before the bot sees it. State is keyed by conversation id, so
 * a missing one would pour unrelated people into one shared state.
 */
export const activityEnvelope = z
  .object({
    ...activityFields,
    type: z.string().min(1).max(64),
    conversation: z.object({ id: idSchema }).passthrough(),
    from: z.object({ id: idSchema }).passthrough(),
    recipient: z.object({ id: idSchema }).passthrough(),
    // Bot state is keyed by channel too: botbuilder throws on a turn without one.
    channelId: idSchema.max(64),
    serviceUrl: z.string().max(2048).regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
    deliveryMode: z.string().max(32).optional(),
  })
  .passthrough()
  // Replies go to serviceUrl unless they come back in the response; without one a turn would
  // only wait on retries to nowhere.
  .refine((a) => a.deliveryMode === 'expectReplies' || a.serviceUrl !== undefined, { message: 'serviceUrl is required', path: ['serviceUrl'] });

/**
 * Authentication reads three fields of an activity (channelId, recipient.role, serviceUrl), each
 * defensively, and a wrong type there only fails the token checks; so any object can be
 * authenticated before its envelope is checked. Past the envelope check it is an Activity as far
 * as botbuilder is concerned, which reads the rest defensively too.
 */
function isActivityObject(value: unknown): value is Activity {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * With `MicrosoftAppId` set, a request that carries no bearer token is refused before its body
 * is read: an unauthenticated caller learns nothing about what the body should be.
 */
export function channelCredentialsRequired(appId: string): RequestHandler {
  return (req, res, next) => {
    if (appId && bearerToken(req.headers.authorization) === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new AppError('UNAUTHORIZED', 'The request is not authorized.');
    }
    next();
  };
}

/**
 * `POST /api/messages`: the Bot Framework endpoint. The caller is authenticated first, then the
 * body checked, so a bad token is a 401 whatever the body, a malformed activity from a real
 * channel a 400, and neither reaches the bot; the turn itself runs in the adapter, whose
 * `onTurnError` catches what the bot throws.
 */
export function messagesHandler(deps: { adapter: BotAdapter; bot: ActivityHandlerBase; turns: TurnRecorder }): RequestHandler {
  const run = (context: TurnContext) => deps.bot.run(context);
  return async (req, res) => {
    const body: unknown = req.body;
    const turn = deps.turns.begin(isActivityObject(body) ? body : {}, requestOf(res));
    if (!isActivityObject(body)) {
      turn.end({}, { status: 400, rejected: true });
      throw new AppError('BAD_REQUEST', 'The body must be an activity object.');
    }
    let authenticated: Awaited<ReturnType<BotAdapter['authenticate']>>;
    try {
      authenticated = await deps.adapter.authenticate(body, req.headers.authorization ?? '');
    } catch (error) {
      turn.end({}, { status: 401, rejected: true });
      throw error;
    }
    const checked = activityEnvelope.safeParse(body);
    if (!checked.success) {
      turn.end({}, { status: 400, rejected: true });
      throw malformedActivity(checked.error);
    }
    const activity = withDates(body);
    let result: InvokeResponse | undefined;
    try {
      result = await deps.adapter.runTurn(activity, authenticated, turn.logic(run));
    } catch (error) {
      turn.end(activity, { status: 500, failed: true });
      throw error;
    }
    res.status(result?.status ?? 200);
    if (result?.body === undefined) res.end();
    // Written as is: express's res.json would also hash the body for an ETag no channel uses.
    else res.type('application/json').end(JSON.stringify(result.body));
    turn.end(activity, { status: res.statusCode });
  };
}

/** As botbuilder's own HTTP path does: ISO timestamps become Dates, the raw text is kept. */
function withDates(activity: Activity): Activity {
  const [timestamp, localTimestamp, expiration]: unknown[] = ['timestamp', 'localTimestamp', 'expiration'].map((key) => Reflect.get(activity, key));
  if (typeof timestamp === 'string') Object.assign(activity, { rawTimestamp: timestamp, timestamp: new Date(timestamp) });
  if (typeof localTimestamp === 'string') Object.assign(activity, { rawLocalTimestamp: localTimestamp, localTimestamp: new Date(localTimestamp) });
  if (typeof expiration === 'string') Object.assign(activity, { rawExpiration: expiration, expiration: new Date(expiration) });
  return activity;
}
