import { Migrator, PostgresAdapter, sql, type Kysely, type MigrationProvider } from 'kysely';
import { channelMigrations } from './channelTables';
import { escalationMigrations } from './escalationTables';
import { composeMigrations, type MigrationParts } from './migrationParts';
import { RATE_LIMIT_TABLE } from './rateLimits';
import { AppError } from '../errors';
import type { Database } from './schema';
import { supportRecordMigrations } from './supportRecordTables';
import { transcriptMigrations } from './transcriptTables';

/** The bot's conversation state (botbuilder `Storage`, src/store/botStorage.ts). */
const botStateMigrations: MigrationParts = {
  async '001-bot-state'(db: Kysely<unknown>) {
    await db.schema
      .createTable('bot_state')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
      .execute();
  },
};

/** rate-limiter-flexible's table, in its own layout; only PostgreSQL shares counts between instances. */
const rateLimitMigrations: MigrationParts = {
  async '040-limits'(db: Kysely<unknown>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    await db.schema
      .createTable(RATE_LIMIT_TABLE)
      .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expire', 'bigint')
      .execute();
  },
};

/**
 * Numbered migrations, in code so they ship with the build and run the same under tsx and
 * node, made of each table group's share. Append new ones; never edit one that has been released.
 */
const migrations = composeMigrations([botStateMigrations, channelMigrations, escalationMigrations, supportRecordMigrations, transcriptMigrations, rateLimitMigrations]);

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Runs pending migrations. On PostgreSQL, Kysely holds an advisory lock, so two instances starting at once are safe. */
export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<void> {
  // Kysely looks for its own tables in every schema unless told which: with another schema of
  // the same database already migrated it would think ours exist too.
  const { error, results } = await new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new AppError('MIGRATION_FAILED', `Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
