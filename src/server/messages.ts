import type { RequestHandler } from 'express';
import type { Activity, ActivityHandlerBase, InvokeResponse } from 'botbuilder';
import { activityFields, malformedActivity, type BotAdapter } from '../bot';
import { z } from 'zod';
import { AppError } from '../errors';
import type { TurnRecorder } from './observability';

/**
 * What every activity must have before the bot sees it. State is keyed by conversation id, so
 * a missing one would pour unrelated people into one shared state.
 */
export const activityEnvelope = z
  .object({
    ...activityFields,
    type: z.string().min(1).max(64),
    conversation: z.object({ id: z.string().min(1).max(256) }).passthrough(),
    from: z.object({ id: z.string().min(1).max(256) }).passthrough(),
    recipient: z.object({ id: z.string().min(1).max(256) }).passthrough(),
    // Bot state is keyed by channel too: botbuilder throws on a turn without one.
    channelId: z.string().min(1).max(64),
    serviceUrl: z.string().max(2048).regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
    deliveryMode: z.string().max(32).optional(),
  })
  .passthrough()
  // Replies go to serviceUrl unless they come back in the response; without one a turn would
  // only wait on retries to nowhere.
  .refine((a) => a.deliveryMode === 'expectReplies' || a.serviceUrl !== undefined, { message: 'serviceUrl is required', path: ['serviceUrl'] });

/**
 * The checked envelope is an Activity as far as botbuilder is concerned; botbuilder reads the
 * rest defensively. Takes the result of the one parse, so the body is not parsed twice a turn.
 */
function isActivity(value: unknown, envelopeIsValid: boolean): value is Activity {
  return envelopeIsValid && typeof value === 'object' && value !== null;
}

/**
 * `POST /api/messages`: the Bot Framework endpoint. The body is checked and the caller
 * authenticated here, so a malformed activity is a 400 and a bad token a 401, and neither
 * reaches the bot; the turn itself runs in the adapter, whose `onTurnError` catches what the
 * bot throws.
 */
export function messagesHandler(deps: { adapter: BotAdapter; bot: ActivityHandlerBase; turns: TurnRecorder }): RequestHandler {
  const logic = deps.turns.logic((context) => deps.bot.run(context));
  return async (req, res) => {
    const started = performance.now();
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      deps.turns.begin({});
      deps.turns.end({}, started, { status: 400, rejected: true });
      throw new AppError('BAD_REQUEST', 'The body must be an activity object.');
    }
    const checked = activityEnvelope.safeParse(body);
    deps.turns.begin(body);
    if (!isActivity(body, checked.success)) {
      deps.turns.end(checked.success ? body : {}, started, { status: 400, rejected: true });
      throw checked.error ? malformedActivity(checked.error) : new AppError('BAD_REQUEST', 'The activity is malformed.');
    }
    const activity = withDates(body);
    let result: InvokeResponse | undefined;
    try {
      result = await deps.adapter.runTurn(activity, req.headers.authorization ?? '', logic);
    } catch (error) {
      const unauthorized = error instanceof AppError && error.code === 'UNAUTHORIZED';
      deps.turns.end(activity, started, { status: unauthorized ? 401 : 500, rejected: unauthorized, failed: !unauthorized });
      throw error;
    }
    res.status(result?.status ?? 200);
    if (result?.body === undefined) res.end();
    // Written as is: express's res.json would also hash the body for an ETag no channel uses.
    else res.type('application/json').end(JSON.stringify(result.body));
    deps.turns.end(activity, started, { status: res.statusCode });
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
