import { sql } from 'kysely';
import { ConfigError } from '../errors';
import { Client } from 'pg';
import { SqlBotStorage } from './botStorage';
import { StateCache } from './stateCache';
import { openDatabase, pingDatabase, type DatabaseOptions, type StoreKind } from './database';
import { migrateToLatest } from './migrations';
import { rateLimits, type RateLimits } from './rateLimits';
import { LocalNotifier, PostgresNotifier, type Notifier } from './notifications';
import type { Database } from './schema';
import type { Kysely } from 'kysely';

export { isTextStorage, SqlBotStorage, type TextStorage } from './botStorage';
export { ETagConflictError, eTagConflictMessage } from './storageErrors';
export { ReusableQuery } from './reusableQuery';
export type { Database } from './schema';
export type { EscalationStatus, SatisfactionRating } from './escalationTables';
export type { SupportRecordStatus } from './supportRecordTables';
export type { DatabaseOptions, StoreKind } from './database';
export type { Notifier } from './notifications';
export type { RateLimit, RateLimits, RateVerdict } from './rateLimits';

export type StoreHealth = { ok: true; kind: StoreKind } | { ok: false; kind: StoreKind; error: string };

/** The durable store: one database (SQLite file or PostgreSQL), migrated, with the bot's `Storage` on top. */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  readonly storage: SqlBotStorage;
  /** Live notifications; on PostgreSQL they reach every instance. */
  readonly notifier: Notifier;
  /** Rate-limit counts; on PostgreSQL every instance shares them. */
  readonly rateLimits: RateLimits;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/**
 * Instances starting together on a fresh database race to create the schema and Kysely's own
 * migration tables before Kysely's lock exists; one session-level advisory lock per schema,
 * held on its own connection for the whole migration, makes them take turns.
 */
async function withMigrationLock(databaseUrl: string, schema: string, migrate: () => Promise<void>): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    // Said at start as the setting to check, not as a bare "connect ECONNREFUSED".
    throw new ConfigError('DATABASE_URL', `cannot connect to PostgreSQL at ${redactedUrl(databaseUrl)} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [`tech-support-bot:migrations:${schema}`]);
    await migrate();
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL without its password, for messages and logs. */
function redactedUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'the configured URL';
  }
}

function openOrExplain(options: DatabaseOptions): ReturnType<typeof openDatabase> {
  try {
    return openDatabase(options);
  } catch (error) {
    if (options.databaseUrl) throw error;
    throw new ConfigError('DATA_DIR', `cannot open the SQLite store in ${options.dataDir} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

export async function openStore(options: DatabaseOptions): Promise<Store> {
  const { kind, db, pool, dataVersion, close } = openOrExplain(options);
  try {
    if (kind === 'postgres' && options.databaseUrl) {
      await withMigrationLock(options.databaseUrl, options.schema ?? 'public', async () => {
        if (options.schema) await sql`create schema if not exists ${sql.id(options.schema)}`.execute(db);
        await migrateToLatest(db, options.schema ?? 'public');
      });
    } else {
      await migrateToLatest(db);
    }
  } catch (error) {
    await close();
    throw error;
  }

  let closed = false;
  const notifier: Notifier = kind === 'postgres' && options.databaseUrl
    ? new PostgresNotifier(db, options.databaseUrl, options.schema ?? 'public')
    : new LocalNotifier();
  return {
    kind,
    db,
    // The turns' saves share a commit on SQLite (a commit costs several statements' worth) and a
    // statement on PostgreSQL (each is a round trip). On SQLite, where this process is the file's
    // one writer as a rule, a turn reads the state it saved last from memory.
    storage: new SqlBotStorage(db, { groupCommit: kind === 'sqlite' ? 'transaction' : 'statement', cache: dataVersion && new StateCache(dataVersion) }),
    notifier,
    rateLimits: rateLimits(pool),
    async health() {
      if (closed) return { ok: false, kind, error: 'store is closed' };
      try {
        await pingDatabase(db);
        return { ok: true, kind };
      } catch (error) {
        return { ok: false, kind, error: error instanceof Error ? error.message : String(error) };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await notifier.close();
      await close();
    },
  };
}
