import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter, createBot, diagnosticsReader } from './bot';
import { createDiagnoser } from './diagnosis';
import { loadConfig, type Config } from './config';
import { AppError } from './errors';
import { createEscalation } from './escalation';
import { createLogger, type Logger } from './logger';
import { createApp } from './server/app';
import { openStore, type Store } from './store';

export interface RunningBot {
  url: string;
  server: http.Server;
  store: Store;
  /** Stops accepting, lets in-flight turns finish, closes the store. */
  close(): Promise<void>;
}

/** The composition root: store → bot → HTTP app → listening server. */
export async function startBot(config: Config, log: Logger, options: { schema?: string } = {}): Promise<RunningBot> {
  // Rules are loaded and validated once, before the first turn; a bad rule file stops the start.
  const diagnoser = createDiagnoser();
  const diagnosis = { diagnose: diagnoser.diagnose.bind(diagnoser), ruleFacts: new Set(diagnoser.ruleSet.factNames) };
  const store = await openStore({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, schema: options.schema, poolSize: config.DATABASE_POOL_SIZE });
  // Escalation sends proactive messages through the adapter, and the bot calls escalation.
  const adapter = createAdapter(config, log);
  const escalation = createEscalation({ config, log, store, adapter, readDiagnostics: diagnosticsReader(store.storage) });
  const { bot } = createBot({ config, log, storage: store.storage, diagnosis, adapter, handoff: escalation.service, gate: escalation.service, middleware: [escalation.transcript] });
  const lifecycle = { draining: false };
  const app = createApp({ config, log, store, adapter, bot, diagnose: diagnosis.diagnose, lifecycle, routers: [escalation.router] });

  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, '0.0.0.0', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  if (!config.MicrosoftAppId) log.warn('MicrosoftAppId is empty: channel authentication is off (fine for local use and the Emulator, not for Azure)');
  escalation.start();
  log.info({ port, store: store.kind, dataDir: store.kind === 'sqlite' ? config.dataDir : undefined }, 'Technical Support bot listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      lifecycle.draining = true;
      // Live-feed streams never end by themselves; the timeout poller must not outlive the store.
      await escalation.stop();
      await new Promise<void>((resolve) => {
        // Idle keep-alive sockets are closed now; busy ones after their response is sent.
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await store.close();
    })());
  return { url, server, store, close };
}

async function main(): Promise<void> {
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
  const running = await startBot(config, log, { schema: process.env.DATABASE_SCHEMA || undefined });

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    running.close().then(
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
