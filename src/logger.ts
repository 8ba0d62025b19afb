import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One JSON logger for the process. Secrets are redacted by path, wherever they appear in a
 * logged object, so a careless `log.info({ config })` or `{ req }` cannot leak them.
 */
export const REDACTED_PATHS = [
  'MicrosoftAppPassword', '*.MicrosoftAppPassword', 'CertificatePrivateKey', '*.CertificatePrivateKey',
  'STAFF_TOKENS', '*.STAFF_TOKENS',
  'METRICS_TOKEN', '*.METRICS_TOKEN',
  'DATABASE_URL', '*.DATABASE_URL',
  'token', '*.token', 'streamUrl', '*.streamUrl', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'password', '*.password',
];

/**
 * One request being served: its id, the activity once the request turns out to be a turn, and the
 * logger of the request's own lines, each of which carries them. Handed on explicitly (express's
 * `res.locals`, a turn's state) rather than through AsyncLocalStorage: on Node 20 that hooks
 * every promise the process makes, about a tenth of a turn's CPU.
 */
export class RequestContext {
  /** The request runs a turn: it gets a turn line instead of an access line. */
  isTurn = false;
  activityId?: string;
  channelId?: string;
  private logger?: Logger;

  constructor(
    readonly reqId: string,
    private readonly base: Logger,
  ) {}

  /** The logger of this request's own lines: its id and, in a turn, the activity's id and channel. */
  get log(): Logger {
    return (this.logger ??= this.base.child({ reqId: this.reqId, activityId: this.activityId, channelId: this.channelId }));
  }

  /** Marks the request as a turn of this activity, so its later lines say which one. */
  noteActivity(activity: object): void {
    this.isTurn = true;
    if ('id' in activity && typeof activity.id === 'string') this.activityId = activity.id.slice(0, 256);
    if ('channelId' in activity && typeof activity.channelId === 'string') this.channelId = activity.channelId.slice(0, 64);
    this.logger = undefined;
  }
}

const REQUEST_KEY = 'request';
const TURN_REQUEST = Symbol('request');

/** Keeps the request with express's response, for its handlers (`requestOf`). */
export function keepRequest(res: { locals: Record<string, unknown> }, request: RequestContext): void {
  res.locals[REQUEST_KEY] = request;
}

/** The request an express response answers, when the request-context middleware saw it. */
export function requestOf(res: { locals: Record<string, unknown> }): RequestContext | undefined {
  const request = res.locals[REQUEST_KEY];
  return request instanceof RequestContext ? request : undefined;
}

/** The logger for a request handler's lines: its request's, else `fallback`. */
export function requestLog(res: { locals: Record<string, unknown> }, fallback: Logger): Logger {
  return requestOf(res)?.log ?? fallback;
}

/** Ties a turn to the request that brought it (a turn's state is a Map: botbuilder's `turnState`). */
export function attachRequest(turnState: Map<unknown, unknown>, request: RequestContext): void {
  turnState.set(TURN_REQUEST, request);
}

/** The logger for a turn's lines: its request's when it came with one, else `fallback` (a proactive turn). */
export function turnLog(turn: { turnState: Map<unknown, unknown> }, fallback: Logger): Logger {
  const request = turn.turnState.get(TURN_REQUEST);
  return request instanceof RequestContext ? request.log : fallback;
}

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** The caller's `X-Request-Id` when it is a plausible id (no spaces, no control characters), else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

const CENSOR = '[redacted]';

/** A path tree: each key leads to the rest of its paths, or to `null` where the value is censored. */
type PathTree = Map<string, PathTree | null>;

function addPath(tree: PathTree, parts: string[]): void {
  const [first, ...rest] = parts;
  if (first === undefined) return;
  if (rest.length === 0) {
    tree.set(first, null);
    return;
  }
  const existing = tree.get(first);
  if (existing === null) return;
  const next = existing ?? new Map<string, PathTree | null>();
  tree.set(first, next);
  addPath(next, rest);
}

function mergeTrees(a: PathTree | undefined, b: PathTree): PathTree {
  const merged: PathTree = new Map(b);
  for (const [key, sub] of a ?? []) {
    const other = merged.get(key);
    merged.set(key, sub === null || other === null ? null : other === undefined ? sub : mergeTrees(sub, other));
  }
  return merged;
}

/** The value with the tree's paths censored: the same object when none is there, else a copy (prototype kept, so errors stay errors). */
function censored(value: unknown, tree: PathTree): unknown {
  if (typeof value !== 'object' || value === null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, sub] of tree) {
    if (!(key in value)) continue;
    const inner: unknown = Reflect.get(value, key);
    const replaced = sub === null ? CENSOR : censored(inner, sub);
    if (replaced === inner) continue;
    copy ??= Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value)) as Record<string, unknown>;
    Object.defineProperty(copy, key, { value: replaced, enumerable: true, writable: true, configurable: true });
  }
  return copy ?? value;
}

/**
 * Redaction by REDACTED_PATHS, as pino's `redact` option did it: a path's value is censored, a
 * leading `*` stands for any top-level key, and the logged object is copied, never changed.
 * pino's own redaction ran its wildcard paths over every field of every line, parsing each path
 * anew (about 15 % of the bytes a turn allocated, for one log line); the paths here are parsed once.
 */
export function secretRedactor(paths: readonly string[]): (fields: Record<string, unknown>) => Record<string, unknown> {
  const literal: PathTree = new Map();
  const wildcard: PathTree = new Map();
  for (const path of paths) {
    const [first, ...rest] = path.split('.');
    if (first === '*') addPath(wildcard, rest);
    else addPath(literal, path.split('.'));
  }
  const perKey = new Map<string, PathTree | null>();
  for (const [key, sub] of literal) perKey.set(key, sub === null ? null : mergeTrees(sub, wildcard));
  return (fields) => {
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(fields)) {
      const tree = perKey.has(key) ? perKey.get(key) : wildcard;
      const value = fields[key];
      // pino leaves undefined fields out of the line.
      if (value === undefined) continue;
      const replaced = tree === null ? CENSOR : tree === undefined ? value : censored(value, tree);
      if (replaced === value) continue;
      copy ??= { ...fields };
      copy[key] = replaced;
    }
    return copy ?? fields;
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const redact = secretRedactor(REDACTED_PATHS);
  return pino(
    {
      level,
      formatters: { log: redact, bindings: redact },
      // pid and hostname tell instances apart; `base` replaces pino's defaults, so they are named.
      base: { pid: process.pid, hostname: os.hostname(), service: 'tech-support-bot' },
    },
    destination,
  );
}
