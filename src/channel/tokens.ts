import { createHash, randomBytes } from 'node:crypto';
import { secondsAfter } from '../timestamps';

/** How long a conversation token lives; DirectLineJS refreshes it every 15 minutes. */
export const TOKEN_LIFETIME_S = 3600;
/** Refreshes allowed per conversation and minute: DirectLineJS asks once every 15 minutes. */
export const TOKEN_REFRESHES_PER_MINUTE = 5;
/** Valid tokens a conversation keeps; a refresh retires the oldest, so requests in flight with the previous one still pass. */
export const TOKENS_KEPT = 3;

export interface IssuedToken {
  token: string;
  hash: string;
  expiresAt: Date;
}

/** A random token; only its hash is stored, so the store alone cannot be used to join a conversation. */
export function issueToken(now = new Date()): IssuedToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), expiresAt: secondsAfter(now, TOKEN_LIFETIME_S) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
