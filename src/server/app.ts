import helmet from 'helmet';
import express, { type Express, type Router } from 'express';
import type { ActivityHandlerBase } from 'botbuilder';
import type { BotAdapter } from '../bot/adapter';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Store } from '../store';
import { parseFacts, type Diagnosis, type Facts } from '../diagnosis';
import { inProcessDelivery, localChannel } from '../channel';
import { webChatPage } from '../web';
import { errorHandler } from './errors';
import { messagesHandler } from './messages';

export interface AppDeps {
  /** Set by the process on SIGTERM so `/readyz` turns away new traffic while in-flight turns finish. */
  lifecycle?: { draining: boolean };
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

/** Builds the HTTP app without listening, so tests can run it in-process on port 0. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // The channel's endpoint answers channels, never a page a browser renders: it skips the page
  // headers (a dozen per answer, ~4 % of a turn in the profile) but for the one a JSON answer needs.
  const json = express.json({ limit: deps.config.BODY_LIMIT });
  app.post('/api/messages', noSniff, json, messagesHandler(deps));

  app.use(securityHeaders());
  app.use(json);

  // SPEC §4.2: facts in, findings/steps/escalation out; invalid facts → 400 naming the field.
  app.post('/api/diagnose', async (req, res) => {
    res.json(await deps.diagnose(parseFacts(req.body)));
  });

  app.get('/healthz', async (_req, res) => {
    const health = await deps.store.health();
    res.status(health.ok ? 200 : 503).json({ status: health.ok ? 'ok' : 'unavailable', store: health });
  });

  // For a load balancer: ready when the database answers and the instance is not shutting down.
  app.get('/readyz', async (_req, res) => {
    const health = await deps.store.health();
    const ready = health.ok && !deps.lifecycle?.draining;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : deps.lifecycle?.draining ? 'draining' : 'unavailable', store: health });
  });

  // The self-hosted web chat: the page at `/`, and the local channel it talks to.
  app.use(localChannel({ log: deps.log, db: deps.store.db, deliver: inProcessDelivery(deps.adapter, (context) => deps.bot.run(context), deps.config.MicrosoftAppId) }));
  app.use(webChatPage());
  for (const router of deps.routers ?? []) app.use(router);

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND', message: 'No such route.' });
  });
  app.use(errorHandler(deps.log));
  return app;
}
