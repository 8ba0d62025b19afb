import http from 'node:http';
import type { Express } from 'express';
import { createAdapter, createBot, diagnosticsReader, type ChannelCredentials } from './bot';
import { createDiagnoser } from './diagnosis';
import { loadConfig, type Config } from './config';
import { AppError, ConfigError } from './errors';
import { createEscalation, type StaffCheckRequester } from './escalation';
import { limitHeapGrowth } from './heapGrowth';
import { Lifecycle } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { localConnector } from './channel';
import { Metrics } from './metrics';
import { createApp, metricsServer as createMetricsServer } from './server';
import { openStore, type Store } from './store';
import type { LocalChannel } from './channel';

export interface RunningBot {
  url: string;
  /** Where `GET /metrics` is served when `METRICS_PORT` is set. */
  metricsUrl?: string;
  server: http.Server;
  app: Express;
  store: Store;
  lifecycle: Lifecycle;
  metrics: Metrics;
  /** The local web-chat channel: its WebSocket streams (`openStreams`, `closeStreams()`). */
  channel: LocalChannel;
  /**
   * Drains for `drainS` seconds (`/readyz` answers 503, turns are still served), then stops
   * accepting, closes streams, lets in-flight requests finish (at most SHUTDOWN_TIMEOUT_S) and
   * closes the store. Tests call it without a drain period.
   */
  close(options?: { drainS?: number }): Promise<void>;
}

/** The composition root: store → bot → HTTP app → listening server. */
export async function startBot(config: Config, log: Logger, options: { credentials?: ChannelCredentials } = {}): Promise<RunningBot> {
  // Rules are loaded and validated once, before the first turn; a bad rule file stops the start.
  const diagnoser = createDiagnoser();
  const diagnosis = { diagnose: diagnoser.diagnose.bind(diagnoser), ruleFacts: new Set(diagnoser.ruleSet.factNames) };
  const metrics = new Metrics({ diagnoser: () => diagnoser.stats() });
  const store = await openStore({
    databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, schema: config.DATABASE_SCHEMA, poolSize: config.DATABASE_POOL_SIZE,
    namedStatements: config.DATABASE_PREPARED_STATEMENTS,
    onQuery: (seconds, failed) => metrics.query(seconds, failed),
  });
  // Escalation sends proactive messages through the adapter, and the bot calls escalation.
  // Proactive sends to the local web chat take its loopback connector, whatever the bot's identity.
  const adapter = createAdapter(config, log, { credentials: options.credentials, local: localConnector() });
  // Staff checks run bot logic in the person's conversation; the bot is built just below.
  let runtime: ReturnType<typeof createBot> | undefined;
  const requestCheck: StaffCheckRequester = (context, staffName) => {
    if (!runtime) throw new AppError('BOT_UNAVAILABLE', 'The bot is not ready yet.');
    return runtime.requestStaffCheck(context, staffName);
  };
  const escalation = createEscalation({
    config, log, store, adapter, readDiagnostics: diagnosticsReader(store.storage), requestCheck, diagnose: diagnosis.diagnose,
    observer: {
      claimed: (s) => metrics.claimed(s),
      firstStaffReply: (s) => metrics.firstStaffReply(s),
      webhook: { attempt: () => metrics.webhookAttempt(), delivery: (result) => metrics.webhookDelivery(result) },
    },
  });
  metrics.addStoreCounts(() => escalation.counts());
  metrics.countStreams('staff-feed', () => escalation.openStreams());
  runtime = createBot({
    config, log, storage: store.storage, diagnosis, adapter, handoff: escalation.handoff, gate: escalation.gate, middleware: [escalation.transcript],
    onStepOutcome: (outcome) => metrics.stepOutcome(outcome),
  });
  const { bot } = runtime;
  escalation.repromptWith((context) => bot.repromptPending(context));
  const lifecycle = new Lifecycle();
  // The staff console's EventSource reconnects by itself (to another instance behind the balancer).
  lifecycle.onStop('staff live feed', () => escalation.closeStreams());
  const app = createApp({ config, log, store, adapter, bot, diagnose: diagnosis.diagnose, lifecycle, metrics, routers: [escalation.router] });
  const { channel } = app;
  // Direct Line clients reconnect after 1012 (service restart), to another instance when this one drains.
  lifecycle.onStop('web chat streams', () => channel.close());
  metrics.countStreams('web-chat', () => channel.openStreams);

  const server = http.createServer(app);
  server.on('upgrade', (req, socket, head) => {
    if (!channel.upgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.keepAliveTimeout = 65_000;
  let port: number;
  try {
    port = await listen(server, config.PORT, 'PORT');
  } catch (error) {
    await store.close();
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  let metricsServer: http.Server | undefined;
  let metricsUrl: string | undefined;
  if (config.METRICS_PORT !== undefined) {
    metricsServer = createMetricsServer(metrics, config.METRICS_TOKEN, log);
    metricsUrl = `http://127.0.0.1:${await listen(metricsServer, config.METRICS_PORT, 'METRICS_PORT')}`;
  }

  if (!config.MicrosoftAppId) log.warn('MicrosoftAppId is empty: channel authentication is off (fine for local use and the Emulator, not for Azure)');
  escalation.start();
  log.info({ port, metricsPort: metricsUrl ? Number(new URL(metricsUrl).port) : undefined, store: store.kind, dataDir: store.kind === 'sqlite' ? config.dataDir : undefined }, 'Technical Support bot listening');

  let closing: Promise<void> | undefined;
  const close = ({ drainS = 0 }: { drainS?: number } = {}) =>
    (closing ??= (async () => {
      lifecycle.draining = true;
      if (drainS > 0) {
        log.info({ drainS }, 'draining: /readyz answers 503 while turns are still served');
        await new Promise((resolve) => setTimeout(resolve, drainS * 1000));
      }
      log.info('no longer accepting connections; finishing requests in flight');
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      // Streams never end by themselves: they close now, telling their clients to reconnect.
      await lifecycle.runClosers(log);
      if (!(await finishInFlight(server, stopped, config.SHUTDOWN_TIMEOUT_S * 1000))) {
        log.warn({ timeoutS: config.SHUTDOWN_TIMEOUT_S }, 'requests still running at the shutdown timeout were cut off');
      }
      // The timeout poller and webhook retries must not outlive the store.
      await escalation.stop();
      await store.close();
      log.info('stopped');
    })());
  return { url, metricsUrl, server, app, store, lifecycle, metrics, channel, close };
}

/** Listens on all interfaces; a port that cannot be had is said against the variable that chose it. */
async function listen(server: http.Server, port: number, variable: string): Promise<number> {
  try {
    return await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'EADDRINUSE') throw new ConfigError(variable, `port ${port} is already in use; choose another with ${variable}`, { cause: error });
    if (code === 'EACCES') throw new ConfigError(variable, `not allowed to listen on port ${port}; ports below 1024 need privileges`, { cause: error });
    throw error;
  }
}

/**
 * Waits for the server to close: each keep-alive connection is closed as soon as it is idle (its
 * response sent), so a client is never cut off mid-answer; at the timeout the rest are cut.
 */
async function finishInFlight(server: http.Server, stopped: Promise<void>, timeoutMs: number): Promise<boolean> {
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const finished = await Promise.race([stopped.then(() => true as const), timedOut]);
    if (!finished) {
      server.closeAllConnections();
      await stopped;
    }
    return finished;
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  limitHeapGrowth();
  // `.env` is for development; real deployments set the environment.
  (await import('dotenv')).config({ quiet: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`Configuration error: ${error instanceof AppError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const log = createLogger(config.LOG_LEVEL);
  const running = await startBot(config, log);

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    // The drain, the in-flight timeout, and a margin for closing the store.
    const limitS = config.SHUTDOWN_DRAIN_S + config.SHUTDOWN_TIMEOUT_S + 5;
    const force = setTimeout(() => {
      log.error({ limitS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, limitS * 1000);
    force.unref();
    running.close({ drainS: config.SHUTDOWN_DRAIN_S }).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
