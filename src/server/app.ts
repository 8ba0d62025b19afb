import helmet from 'helmet';
import express, { type Express, type Router } from 'express';
import type { ActivityHandlerBase, TurnContext } from 'botbuilder';
import type { BotAdapter } from '../bot';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Store } from '../store';
import { parseFacts, type Diagnosis, type Facts } from '../diagnosis';
import { inProcessDelivery, localChannel, type DeliverToBot, type LocalChannel } from '../channel';
import type { Lifecycle } from '../lifecycle';
import type { Metrics } from '../metrics';
import { webChatPage } from '../web';
import { errorHandler } from './errors';
import { jsonBody } from './jsonBody';
import { channelCredentialsRequired, messagesHandler } from './messages';
import { metricsEndpoint, requestContext, TurnRecorder } from './observability';
import { openApiDocument } from './openapi';

export interface AppDeps {
  /** Set by the process on SIGTERM so `/readyz` turns away new traffic while in-flight turns finish. */
  lifecycle?: Pick<Lifecycle, 'draining'>;
  /** Counted turns and `GET /metrics` (on this app when `METRICS_TOKEN` is set and `METRICS_PORT` is not). */
  metrics?: Metrics;
  config: Config;
  log: Logger;
  store: Store;
  adapter: BotAdapter;
  bot: ActivityHandlerBase;
  diagnose(facts: Facts): Promise<Diagnosis>;
  /** Further parts' routes (escalation's staff API and console), mounted before the 404. */
  routers?: Router[];
}

/**
 * Security headers for every answer. The pages load only their own files (no inline script,
 * no CDN); Web Chat injects its styles at run time, hence 'unsafe-inline' for styles only.
 * No CORS headers: the pages are same-origin, so other sites' scripts cannot call the API.
 */
function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
      },
    },
    // The page asks for the camera and microphone itself (the probe); nothing else may.
    crossOriginEmbedderPolicy: false,
  });
}

const noSniff: express.RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
};

/** How long `/readyz` waits for the store before calling it unavailable (probes time out at about a second or two). */
const READY_PING_MS = 2000;

/**
 * Builds the HTTP app without listening, so tests can run it in-process on port 0. Its `channel`
 * is the local web-chat channel: the process wires its WebSocket upgrades and closes its streams.
 */
export function createApp(deps: AppDeps): Express & { channel: LocalChannel } {
  const app = express();
  app.disable('x-powered-by');
  // Which proxies may name the client (req.ip): the rate limits and the Connector half's check read it.
  app.set('trust proxy', deps.config.TRUST_PROXY);
  app.use(requestContext(deps.log));
  const turns = new TurnRecorder(deps.log, deps.metrics);
  // The channel's endpoint answers channels, never a page a browser renders: it skips the page
  // headers (a dozen per answer, ~4 % of a turn in the profile) but for the one a JSON answer needs.
  const json = jsonBody(deps.config.BODY_LIMIT);
  app.post('/api/messages', noSniff, channelCredentialsRequired(deps.config.MicrosoftAppId), json, messagesHandler({ ...deps, turns }));

  app.use(securityHeaders());
  app.use(json);

  // SPEC §4.2: facts in, findings/steps/escalation out; invalid facts → 400 naming the field.
  app.post('/api/diagnose', async (req, res) => {
    res.json(await deps.diagnose(parseFacts(req.body)));
  });

  // Liveness: the process answers. It does not ask the database: restarting would not bring it back.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', draining: deps.lifecycle?.draining ?? false, uptimeS: Math.round(process.uptime()) });
  });

  // Readiness, for a load balancer: the store answers and the instance is not shutting down.
  app.get('/readyz', async (_req, res) => {
    const health = await withDeadline(deps.store.health(), READY_PING_MS, { ok: false, kind: deps.store.kind, error: `no answer within ${READY_PING_MS} ms` });
    const draining = deps.lifecycle?.draining ?? false;
    const ready = health.ok && !draining;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : draining ? 'draining' : 'unavailable', store: health });
  });

  if (deps.metrics && deps.config.METRICS_TOKEN && deps.config.METRICS_PORT === undefined) {
    const answer = metricsEndpoint(deps.metrics, deps.config.METRICS_TOKEN);
    app.get('/metrics', (req, res) => answer(req, res));
  }
  // Generated on first request (about 50 ms), not at every start.
  let description: ReturnType<typeof openApiDocument> | undefined;
  app.get('/api/openapi.json', (_req, res) => {
    res.json((description ??= openApiDocument()));
  });

  // The self-hosted web chat: the page at `/`, and the local channel it talks to.
  const inProcess = inProcessDelivery(deps.adapter, deps.config.MicrosoftAppId);
  const run = (context: TurnContext) => deps.bot.run(context);
  const deliver: DeliverToBot = async (activity, request) => {
    const turn = turns.begin(activity, request);
    try {
      await inProcess(activity, turn.logic(run));
      turn.end(activity, { status: 200 });
    } catch (error) {
      turn.end(activity, { status: 502, failed: true });
      throw error;
    }
  };
  const channel = localChannel({
    log: deps.log,
    db: deps.store.db,
    notifier: deps.store.notifier,
    rateLimits: deps.store.rateLimits,
    behindTrustedProxy: deps.config.TRUST_PROXY !== false && deps.config.TRUST_PROXY !== 0,
    deliver,
  });
  app.use(channel.router);
  app.use(webChatPage());
  for (const router of deps.routers ?? []) app.use(router);

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND', message: 'No such route.' });
  });
  app.use(errorHandler(deps.log));
  return Object.assign(app, { channel });
}

function withDeadline<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
