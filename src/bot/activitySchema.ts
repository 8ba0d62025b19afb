import { z } from 'zod';
import { AppError } from '../errors';
import { firstIssue } from '../validation';
import { idSchema } from '../ids';

/**
 * The fields of an incoming activity that the bot, botbuilder or the transcript read, with the
 * types the Activity protocol gives them. An activity whose field has another type is refused
 * with a 400 naming the field, on `/api/messages` and on the local Direct Line channel alike,
 * so a wrong type never reaches a turn (where `attachments: "x"` used to throw). Fields the bot
 * never reads pass through untouched; `value` is free by protocol and checked by its readers.
 */
const account = z.object({
  id: idSchema,
  name: z.string().max(256).optional(),
  role: z.string().max(32).optional(),
  aadObjectId: z.string().max(256).optional(),
}).passthrough();

const timestamp = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date and time');

/** What an incoming activity may carry besides its envelope (type, conversation, from, recipient). */
export const activityFields = {
  id: idSchema.optional(),
  name: z.string().max(256).optional(),
  text: z.string().optional(),
  textFormat: z.string().max(32).optional(),
  locale: z.string().max(64).optional(),
  replyToId: idSchema.optional(),
  timestamp: timestamp.optional(),
  localTimestamp: timestamp.optional(),
  channelData: z.record(z.unknown()).optional(),
  attachments: z.array(z.object({ contentType: z.string().max(256), name: z.string().max(256).optional(), contentUrl: z.string().max(2048).optional() }).passthrough()).max(50).optional(),
  entities: z.array(z.object({ type: z.string().max(128) }).passthrough()).max(50).optional(),
  membersAdded: z.array(account).max(100).optional(),
  membersRemoved: z.array(account).max(100).optional(),
};

export const accountSchema = account;

/** The one wording of a refused activity, whichever endpoint refused it. */
export function malformedActivity(error: z.ZodError): AppError {
  const issue = firstIssue(error);
  return new AppError('BAD_REQUEST', `The activity is malformed at "${issue.path || 'body'}": ${issue.message}.`);
}
