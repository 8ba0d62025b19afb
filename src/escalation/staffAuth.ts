import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors';

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

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Bearer-token authentication for the staff API (STAFF_TOKENS). Tokens are compared as SHA-256
 * digests with `timingSafeEqual`, against every configured token without stopping early, so
 * timing reveals neither a token's prefix nor which one matched. `allowQueryToken` is for the
 * SSE feed only: EventSource cannot send headers.
 */
export function staffAuth(staff: readonly StaffCredential[] | undefined, options: { allowQueryToken?: boolean } = {}): RequestHandler {
  const known = (staff ?? []).map((s) => ({ name: s.name, digest: sha256(s.token) }));
  return (req, _res, next) => {
    if (known.length === 0) throw new AppError('UNAUTHORIZED', 'The staff API is closed: STAFF_TOKENS is not set.');
    const header = req.headers.authorization;
    const fromHeader = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const fromQuery = options.allowQueryToken && typeof req.query.token === 'string' ? req.query.token : undefined;
    const token = fromHeader ?? fromQuery;
    if (!token) throw new AppError('UNAUTHORIZED', 'A staff token is required (Authorization: Bearer <token>).');
    const digest = sha256(token);
    let match: string | undefined;
    for (const candidate of known) {
      if (timingSafeEqual(digest, candidate.digest) && match === undefined) match = candidate.name;
    }
    if (match === undefined) throw new AppError('UNAUTHORIZED', 'The staff token is not valid.');
    staffNames.set(req, match);
    next();
  };
}
