import express, { type RequestHandler } from 'express';
import { AppError } from '../errors';

/** Deeper JSON than any activity, card or facts document needs; deeper bodies are refused. */
export const MAX_JSON_DEPTH = 64;

/**
 * The one JSON body parser of the app, followed by a nesting check: a body nested thousands of
 * levels deep parses fine but overflows the stack of whatever walks it next (JSON.stringify,
 * structuredClone, the transcript), so it is refused here, once, for every route.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const depthGuard: RequestHandler = (req, _res, next) => {
    const body: unknown = req.body;
    if (typeof body === 'object' && body !== null && depthExceeds(body, MAX_JSON_DEPTH)) {
      throw new AppError('BAD_REQUEST', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    }
    next();
  };
  return [express.json({ limit }), depthGuard];
}

/** Walks without recursion, so the check itself cannot overflow; stops at the first too-deep value. */
function depthExceeds(root: object, max: number): boolean {
  const pending: { value: object; depth: number }[] = [{ value: root, depth: 1 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    if (item.depth > max) return true;
    for (const child of Object.values(item.value)) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth: item.depth + 1 });
    }
  }
  return false;
}
