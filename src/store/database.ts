import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type SqliteDialectConfig, type KyselyConfig, type LogEvent } from 'kysely';
import { Pool } from 'pg';
import { SCHEMA_NAME } from '../config';
import { ConfigError } from '../errors';
import { namingStatements } from './namedStatements';
import type { Database } from './schema';

export type StoreKind = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** `postgres://…` selects PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL schema to use (tests give each run its own). */
  schema?: string;
  /** Largest number of pooled PostgreSQL connections per process. */
  poolSize?: number;
  /** PostgreSQL: run the store's statements as named ones (parsed once per connection); off behind a pooler that loses them. */
  namedStatements?: boolean;
  /** Told of every query: its duration and whether it failed (metrics). */
  onQuery?: (seconds: number, failed: boolean) => void;
}

export interface OpenDatabase {
  kind: StoreKind;
  db: Kysely<Database>;
  /** The PostgreSQL pool under `db`, for libraries that take one (the shared rate limits). */
  pool?: Pool;
  /** SQLite's `PRAGMA data_version` on the store's connection: it changes when another connection commits. */
  dataVersion?: () => number;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'tech-support.sqlite';

export function openDatabase(options: DatabaseOptions): OpenDatabase {
  if (options.databaseUrl) {
    const pool = new Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      options: options.schema ? `-c search_path=${quoteIdentifier(options.schema)}` : undefined,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    // A client in use when the server goes (kysely holds one between queries of a transaction) emits
    // 'error' on itself, with no listener of the pool's; its query reports the failure instead.
    pool.on('connect', (client) => client.on('error', () => {}));
    const dialect = new PostgresDialect({ pool: options.namedStatements === false ? pool : namingStatements(pool) });
    const db = new Kysely<Database>({ dialect, log: queryLog(options.onQuery) });
    return { kind: 'postgres', db, pool, close: () => db.destroy() };
  }

  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = new SqliteDatabase(path.join(options.dataDir, SQLITE_FILE_NAME));
  // WAL lets readers proceed during a write; NORMAL sync is durable across a process crash (kill -9).
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  file.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new FifoSqliteDialect({ database: reusingStatements(file) }), log: queryLog(options.onQuery) });
  const dataVersion = file.prepare('PRAGMA data_version').pluck();
  return { kind: 'sqlite', db, dataVersion: () => Number(dataVersion.get()), close: () => db.destroy() };
}

/** Kysely times each query only when asked to log, so without a listener nothing is measured. */
function queryLog(onQuery: DatabaseOptions['onQuery']): KyselyConfig['log'] {
  if (!onQuery) return undefined;
  return (event: LogEvent) => onQuery(event.queryDurationMillis / 1000, event.level === 'error');
}

/**
 * Kysely's SQLite driver prepares every query anew, which showed up in the turn profile; the same
 * few statements run on every turn, so prepared ones are kept (bounded) and reused unless busy.
 */
function reusingStatements(file: SqliteDatabase.Database, limit = 256): SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      statements.clear();
      file.close();
    },
    prepare(source: string) {
      const kept = statements.get(source);
      if (kept && !kept.busy) return kept;
      const statement = file.prepare(source);
      if (!kept) {
        if (statements.size >= limit) statements.clear();
        statements.set(source, statement);
      }
      return statement;
    },
  };
}

/**
 * SQLite has one connection, which Kysely's driver hands out under a mutex that wakes every
 * waiter on each release, only for all but one to wait again: with fifty turns in flight, each
 * query cost dozens of wake-ups (it showed as the difference between a statement's cost alone
 * and under load). Callers here queue first-come first-served, one woken per release, so the
 * driver's own mutex never has a waiter.
 */
class FifoSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new FifoSqliteDriver(this.settings);
  }
}

class FifoSqliteDriver extends SqliteDriver {
  private readonly queue = new FifoLock();

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.queue.acquire();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.queue.release();
  }
}

export class FifoLock {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the lock to the longest waiter, if any. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Checked again here: the name goes into a connection option as it is, and tests open stores directly. */
function quoteIdentifier(name: string): string {
  if (!SCHEMA_NAME.test(name)) throw new ConfigError('DATABASE_SCHEMA', `"${name}" is not a schema name`);
  return name;
}
