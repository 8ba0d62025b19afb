import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { TurnContext } from 'botbuilder';
import { attachRequest, keepRequest, RequestContext, requestIdFrom, type Logger } from '../logger';
import type { Metrics, TurnResult } from '../metrics';
import { bearerToken, secretDigest } from '../bearer';

/**
 * First on every request: its id (the caller's `X-Request-Id` when plausible, else a new one)
 * goes back in the response header, and its handlers log through `requestOf(res).log`. Requests
 * that did not run a turn get one access line at the end (method, path without the query, where
 * the staff feed's token may be, status, time).
 */
export function requestContext(log: Logger): RequestHandler {
  return (req, res, next) => {
    const context = new RequestContext(requestIdFrom(req.headers['x-request-id']), log);
    res.setHeader('X-Request-Id', context.reqId);
    const started = performance.now();
    // `close` comes for answered and abandoned requests alike (a live feed ends by the client leaving).
    res.once('close', () => {
      // A turn has its turn line instead.
      if (context.isTurn) return;
      const query = req.originalUrl.indexOf('?');
      const path = query < 0 ? req.originalUrl : req.originalUrl.slice(0, query);
      const line = { reqId: context.reqId, method: req.method, path: path.slice(0, 256), status: res.statusCode, ms: Math.round(performance.now() - started) };
      log.info(res.writableFinished ? line : { ...line, aborted: true }, 'request');
    });
    keepRequest(res, context);
    next();
  };
}

/**
 * Turns, however they arrive (`POST /api/messages` or the local channel): each is counted and
 * timed, and ends with one `turn` log line carrying the request id, activity id and channel. The
 * turn's own lines (`turnLog`) carry them too.
 */
export class TurnRecorder {
  constructor(
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  /** A turn starts: the request's later lines carry the activity's id and channel. */
  begin(activity: object, request: RequestContext | undefined): RecordedTurn {
    request?.noteActivity(activity);
    return new RecordedTurn(request ?? this.log, performance.now(), this.metrics);
  }
}

type TurnActivity = { channelId?: string; conversation?: { id?: string }; type?: string };

/** One turn being recorded: its logic, then its line and metrics. */
class RecordedTurn {
  /** The bot's logic threw (the adapter then apologised): the turn line says `error`. */
  private failed = false;

  constructor(
    /** The request that brought the turn (its lines carry it), else the plain logger. */
    private readonly source: RequestContext | Logger,
    private readonly startedMs: number,
    private readonly metrics: Metrics | undefined,
  ) {}

  /** Wraps the bot's logic: the turn's lines carry the request (`turnLog`), and a throw marks the turn failed on its way to the adapter's onTurnError. */
  logic(run: (context: TurnContext) => Promise<void>): (context: TurnContext) => Promise<void> {
    const request = this.source instanceof RequestContext ? this.source : undefined;
    return async (context) => {
      if (request) attachRequest(context.turnState, request);
      try {
        await run(context);
      } catch (error) {
        this.failed = true;
        throw error;
      }
    };
  }

  /** The turn's line and metrics; `rejected` when it never reached the bot (bad activity or token). */
  end(activity: TurnActivity, outcome: { status: number; rejected?: boolean; failed?: boolean }): void {
    const result: TurnResult = outcome.rejected ? 'rejected' : outcome.failed || this.failed ? 'error' : 'ok';
    const ms = performance.now() - this.startedMs;
    this.metrics?.turn(activity.channelId, result, ms / 1000);
    const log = this.source instanceof RequestContext ? this.source.log : this.source;
    log.info({ conversationId: activity.conversation?.id, activityType: activity.type, status: outcome.status, result, ms: Math.round(ms) }, 'turn');
  }
}

/**
 * `GET /metrics` in Prometheus' text format. With a token, only `Authorization: Bearer <token>`
 * opens it (compared in constant time); without one it is meant for a port only the scraper reaches.
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const expected = token === undefined ? undefined : secretDigest(token);
  return async (req, res) => {
    if (expected) {
      if (!timingSafeEqual(secretDigest(bearerToken(req.headers.authorization) ?? ''), expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'UNAUTHORIZED', message: 'A metrics token is required (Authorization: Bearer <token>).' }));
        return;
      }
    }
    const { contentType, body } = await metrics.exposition();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  };
}

/** The metrics port: `GET /metrics` and nothing else. */
export function metricsServer(metrics: Metrics, token: string | undefined, log: Logger): Server {
  const answer = metricsEndpoint(metrics, token);
  return createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'NOT_FOUND', message: 'Only GET /metrics is served here.' }));
      return;
    }
    answer(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'metrics scrape failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}
