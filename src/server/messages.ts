import type { RequestHandler } from 'express';
import type { ActivityHandlerBase, CloudAdapter } from 'botbuilder';
import { z } from 'zod';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/**
 * What every activity must have before the bot sees it. State is keyed by conversation id, so
 * a missing one would pour unrelated people into one shared state.
 */
const activityEnvelope = z
  .object({
    type: z.string().min(1).max(64),
    conversation: z.object({ id: z.string().min(1).max(256) }).passthrough(),
    from: z.object({ id: z.string().max(256) }).passthrough().optional(),
    channelId: z.string().max(64).optional(),
    serviceUrl: z.string().max(2048).optional(),
  })
  .passthrough();

/**
 * `POST /api/messages`: the Bot Framework endpoint. The body is checked here so that a
 * malformed activity is a 400 and never reaches the bot; the turn itself runs in the adapter,
 * whose `onTurnError` catches what the bot throws.
 */
export function messagesHandler(deps: { adapter: CloudAdapter; bot: ActivityHandlerBase; log: Logger }): RequestHandler {
  return async (req, res) => {
    const started = performance.now();
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError('BAD_REQUEST', 'The body must be an activity object.');
    }
    const checked = activityEnvelope.safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new AppError('BAD_REQUEST', `The activity is malformed at "${issue?.path.join('.') || 'body'}": ${issue?.message ?? 'invalid'}.`);
    }
    const conversationId = checked.data.conversation.id;

    try {
      await deps.adapter.process(req, res, (context) => deps.bot.run(context));
    } catch (error) {
      // botbuilder validates the activity's shape with zod before the turn starts.
      if (error instanceof Error && error.name === 'ZodError') throw new AppError('BAD_REQUEST', 'The activity is malformed.', { cause: error });
      throw error;
    }
    deps.log.info({ conversationId, activityType: checked.data.type, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'turn');
  };
}
