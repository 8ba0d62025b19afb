import { z } from 'zod';
import { AppError } from '../errors';
import { activityFields, malformedActivity } from '../bot';
import { idSchema } from '../ids';

/** Azure Direct Line's limit on one activity; larger ones are refused with 413, as Azure does. */
export const MAX_ACTIVITY_BYTES = 256 * 1024;

const account = z.object({ id: idSchema, name: z.string().max(256).optional(), role: z.string().max(32).optional() }).passthrough();

/**
 * An activity as a client (Web Chat, DirectLineJS) posts it: what the channel relies on, and the
 * fields the bot reads with their protocol types; the rest (value, …) passes through untouched.
 */
export const postedActivity = z
  .object({
    ...activityFields,
    type: z.string().min(1).max(64),
    from: account.partial({ id: true }).optional(),
  })
  .passthrough();

/** An activity as the bot sends it to its Connector (`POST /v3/conversations/:id/activities`). */
export const botActivity = z
  .object({
    type: z.string().min(1).max(64),
    from: account.optional(),
    text: z.string().optional(),
    replyToId: z.string().optional(),
    channelData: z.record(z.unknown()).optional(),
  })
  .passthrough();

export type PostedActivity = z.infer<typeof postedActivity>;
export type BotActivity = z.infer<typeof botActivity>;

/** A stored activity: JSON as clients receive it. */
export type ChannelActivity = Record<string, unknown> & { type: string; id?: string };

export function parsePostedActivity(body: unknown): PostedActivity {
  return parse(postedActivity, body);
}

export function parseBotActivity(body: unknown): BotActivity {
  return parse(botActivity, body);
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  checkSize(body);
  const result = schema.safeParse(body);
  if (!result.success) throw malformedActivity(result.error);
  return result.data;
}

/** Measured on the JSON (UTF-8), as it would travel; the body limit of the app is a little larger. */
function checkSize(body: unknown): void {
  if (Buffer.byteLength(JSON.stringify(body) ?? '', 'utf8') > MAX_ACTIVITY_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `An activity may be at most ${MAX_ACTIVITY_BYTES / 1024} KB.`);
  }
}
