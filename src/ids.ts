import { z } from 'zod';
import { AppError } from './errors';
import { firstIssue } from './validation';

/**
 * The one rule for every id a client hands the bot (conversations, activities, accounts,
 * channels, escalations): 1–256 characters and no control characters. Checked at the edge, so
 * SQLite and PostgreSQL see the same ids (PostgreSQL refuses a NUL byte in text outright).
 */
export const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .regex(/^\P{Cc}*$/u, 'must not contain control characters');

/** A checked id from a URL or body; a 400 naming `what` otherwise. */
export function parseId(value: unknown, what: string): string {
  const result = idSchema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('BAD_REQUEST', `The ${what} ${firstIssue(result.error).message}.`);
}
