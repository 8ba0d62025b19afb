import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
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

/**
 * Bearer-token authentication for the staff API (STAFF_TOKENS). Tokens are compared as SHA-256
 * digests with `timingSafeEqual`, against every configured token without stopping early, so
 * timing reveals neither a token's prefix nor which one matched. `allowQueryToken` is for the
 * SSE feed only: EventSource cannot send headers.
 */
export function staffAuth(
  staff: readonly StaffCredential[] | undefined,
  options: { allowQueryToken?: boolean; failures: RateLimit },
): RequestHandler {
  const known = (staff ?? []).map((s) => ({ name: s.name, digest: secretDigest(s.token) }));
  const { failures } = options;
  return async (req, res, next) => {
    if (known.length === 0) throw new AppError('UNAUTHORIZED', 'The staff API is closed: STAFF_TOKENS is not set.');
    // The client's address as TRUST_PROXY defines it (the socket's, unless a trusted proxy says otherwise).
    const address = req.ip ?? 'unknown';
    // Too many wrong tokens from one address: refuse even a right one for the rest of the window.
    if (await failures.isLimited(address)) {
      res.setHeader('Retry-After', '60');
      throw new AppError('RATE_LIMITED', 'Too many failed sign-ins from this address; try again in a minute.');
    }
    // Only a presented, wrong token is a guess; a request without one is just not signed in.
    const refuseGuess = async (message: string): Promise<never> => {
      if (!(await failures.take(address)).allowed) {
        res.setHeader('Retry-After', '60');
        throw new AppError('RATE_LIMITED', 'Too many failed sign-ins from this address; try again in a minute.');
      }
      throw new AppError('UNAUTHORIZED', message);
    };
    const fromHeader = bearerToken(req.headers.authorization);
    const fromQuery = options.allowQueryToken && typeof req.query.token === 'string' ? req.query.token : undefined;
    const token = fromHeader ?? fromQuery;
    if (!token) throw new AppError('UNAUTHORIZED', 'A staff token is required (Authorization: Bearer <token>).');
    const digest = secretDigest(token);
    let match: string | undefined;
    for (const candidate of known) {
      if (timingSafeEqual(digest, candidate.digest) && match === undefined) match = candidate.name;
    }
    if (match === undefined) return await refuseGuess('The staff token is not valid.');
    staffNames.set(req, match);
    next();
  };
}
