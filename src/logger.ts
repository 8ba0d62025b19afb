import { AsyncLocalStorage } from 'node:async_hooks';
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

/** What every log line written while serving one request carries: its id and, in a turn, the activity. */
export interface RequestContext {
  reqId: string;
  activityId?: string;
  channelId?: string;
}

const requestContext = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` (and everything it starts) as part of the request `context`: its log lines carry it. */
export function withRequestContext<T>(context: RequestContext, fn: () => T): T {
  return requestContext.run(context, fn);
}

/** The request being served, if any. */
export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}

/** Marks the current request as a turn of this activity, so the turn's lines say which one. */
export function noteActivity(activity: object): void {
  const context = requestContext.getStore();
  if (!context) return;
  if ('id' in activity && typeof activity.id === 'string') context.activityId = activity.id.slice(0, 256);
  if ('channelId' in activity && typeof activity.channelId === 'string') context.channelId = activity.channelId.slice(0, 64);
}

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** The caller's `X-Request-Id` when it is a plausible id (no spaces, no control characters), else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // pid and hostname tell instances apart; `base` replaces pino's defaults, so they are named.
      base: { pid: process.pid, hostname: os.hostname(), service: 'tech-support-bot' },
      // A copy: pino merges the line's own fields into what the mixin returns.
      mixin: () => {
        const context = requestContext.getStore();
        return context ? { ...context } : {};
      },
    },
    destination,
  );
}
