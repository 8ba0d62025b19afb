import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { bearerToken, secretDigest } from '../bearer';
import { AppError } from '../errors';
import type { RateLimit } from '../store';

export interface StaffCredential {
  name: string;
  token: string;
}

const staffNames = new WeakMap<Request, string>();

/** The authenticated staff member's name: it comes from the token, never from the request. */
export function staffName(req: Request): string {
  const name = staffNames.get(req);
  if (!name) throw new AppError('UNAUTHORIZED', 'Not signed in as staff.');
  return name;
}

/** Wrong or missing staff tokens allowed per address and minute before every staff route answers 429. */
export const STAFF_SIGN_IN_FAILURES_PER_MINUTE = 20;
/** How long a right sign-in from an address spares its next ones the failure count's read. */
export const VERIFIED_KEPT_MS = 5_000;
/** Addresses kept so at most (staff desks' addresses: a handful). */
const VERIFIED_ADDRESSES = 1_000;

/**
 * Bearer-token authentication for the staff API (STAFF_TOKENS). Tokens are compared as SHA-256
 * digests with `timingSafeEqual`, against every configured token without stopping early, so
 * timing reveals neither a token's prefix nor which one matched. `allowQueryToken` is for the
 * SSE feed only: EventSource cannot send headers.
 *
 * Too many wrong tokens from one address, on any instance, and even a right one is refused for
 * the rest of the minute, so a guesser cannot tell a right guess. That count is a read of the
 * store (on PostgreSQL, a round trip); a staff desk makes many requests a minute, so an address
 * that signed in rightly with the limit not reached is not read again for `VERIFIED_KEPT_MS`,
 * unless a wrong token comes from it here meanwhile. A guesser's wrong token here is counted and
 * clears that at once; the lock-out reaches another instance's already-signed-in address up to
 * `VERIFIED_KEPT_MS` later.
 */
export function staffAuth(
  staff: readonly StaffCredential[] | undefined,
  options: { allowQueryToken?: boolean; failures: RateLimit; verifiedKeptMs?: number },
): RequestHandler {
  const known = (staff ?? []).map((s) => ({ name: s.name, digest: secretDigest(s.token) }));
  const { failures } = options;
  const verified = new LRUCache<string, true>({ max: VERIFIED_ADDRESSES, ttl: options.verifiedKeptMs ?? VERIFIED_KEPT_MS });
  const refuseLimited = (res: Response, address: string): never => {
    verified.delete(address);
    res.setHeader('Retry-After', '60');
    throw new AppError('RATE_LIMITED', 'Too many failed sign-ins from this address; try again in a minute.');
  };
  return async (req, res, next) => {
    if (known.length === 0) throw new AppError('UNAUTHORIZED', 'The staff API is closed: STAFF_TOKENS is not set.');
    // The client's address as TRUST_PROXY defines it (the socket's, unless a trusted proxy says otherwise).
    const address = req.ip ?? 'unknown';
    const fromHeader = bearerToken(req.headers.authorization);
    const fromQuery = options.allowQueryToken && typeof req.query.token === 'string' ? req.query.token : undefined;
    const token = fromHeader ?? fromQuery;
    const match = token === undefined ? undefined : staffNameOf(known, token);
    if (match === undefined || !verified.has(address)) {
      if (await failures.isLimited(address)) refuseLimited(res, address);
      if (!token) throw new AppError('UNAUTHORIZED', 'A staff token is required (Authorization: Bearer <token>).');
      // Only a presented, wrong token is a guess; a request without one is just not signed in.
      if (match === undefined) {
        verified.delete(address);
        if (!(await failures.take(address)).allowed) refuseLimited(res, address);
        throw new AppError('UNAUTHORIZED', 'The staff token is not valid.');
      }
      verified.set(address, true);
    }
    staffNames.set(req, match);
    next();
  };
}

/** The name of the staff member whose token this is, compared against every one (see above). */
function staffNameOf(known: readonly { name: string; digest: Buffer }[], token: string): string | undefined {
  const digest = secretDigest(token);
  let match: string | undefined;
  for (const candidate of known) {
    if (timingSafeEqual(digest, candidate.digest) && match === undefined) match = candidate.name;
  }
  return match;
}
