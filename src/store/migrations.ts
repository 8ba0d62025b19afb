import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema';
import { RATE_LIMIT_TABLE } from './rateLimits';
import { AppError } from '../errors';

/**
 * Numbered migrations, in code so they ship with the build and run the same under tsx and
 * node. Append new ones; never edit one that has been released.
 */
const migrations: Record<string, Migration> = {
  '001-bot-state': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('bot_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
        .execute();
    },
  },
  '010-channel': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('channel_conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('channel_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('channel_conversations.id').onDelete('cascade'))
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('channel_tokens_expires_at').on('channel_tokens').column('expires_at').execute();
      await db.schema
        .createTable('channel_activities')
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('channel_conversations.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('activity_id', 'text', (c) => c.notNull())
        .addColumn('activity', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('channel_activities_pk', ['conversation_id', 'seq'])
        .addUniqueConstraint('channel_activities_activity_id', ['conversation_id', 'activity_id'])
        .execute();
    },
  },
  '020-escalations': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('escalations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('closed_by', 'text')
        .addColumn('diagnostics', 'text', (c) => c.notNull())
        .addColumn('transcript', 'text', (c) => c.notNull())
        .addColumn('support_record_id', 'text')
        .addColumn('solved', 'text')
        .addColumn('hub_state', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // The queue and the timeout poller read by status and time; the gate by conversation.
      await db.schema.createIndex('escalations_status_due').on('escalations').columns(['status', 'due_at']).execute();
      await db.schema.createIndex('escalations_conversation').on('escalations').columns(['conversation_id', 'created_at']).execute();
      await db.schema
        .createTable('support_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('escalation_id', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('os', 'text')
        .addColumn('browser', 'text')
        .addColumn('tried', 'text', (c) => c.notNull())
        .addColumn('diagnostics', 'text', (c) => c.notNull())
        .addColumn('contact', 'text')
        .addColumn('description', 'text')
        .addColumn('follow_up', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('support_records_conversation').on('support_records').columns(['conversation_id', 'created_at']).execute();
      // A database-assigned id orders a conversation's activities exactly as they were logged.
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      await db.schema
        .createTable('transcript_activities')
        .addColumn('id', 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('activity', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('transcript_activities_conversation').on('transcript_activities').columns(['conversation_id', 'id']).execute();
    },
  },
  '030-first-staff-reply': {
    // When staff's first message reached the person: set once (compare-and-set), for time-to-first-reply.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('escalations').addColumn('first_staff_reply_at', 'text').execute();
    },
  },
  '040-limits': {
    async up(db: Kysely<unknown>) {
      // A conversation's tokens are pruned on every refresh.
      await db.schema.createIndex('channel_tokens_conversation').on('channel_tokens').columns(['conversation_id', 'created_at']).execute();
      // rate-limiter-flexible's table, in its own layout; only PostgreSQL shares counts between instances.
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      await db.schema
        .createTable(RATE_LIMIT_TABLE)
        .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expire', 'bigint')
        .execute();
    },
  },
  '050-staff-desk': {
    async up(db: Kysely<unknown>) {
      // What the queue shows without reading every transcript, and how an escalation ended or is being worked.
      for (const column of ['last_message', 'last_message_at', 'dismiss_reason', 'pending_advice']) {
        await db.schema.alterTable('escalations').addColumn(column, 'text').execute();
      }
      await db.schema.alterTable('support_records').addColumn('status', 'text', (c) => c.notNull().defaultTo('open')).execute();
      await db.schema.alterTable('support_records').addColumn('status_by', 'text').execute();
      await db.schema.alterTable('support_records').addColumn('status_at', 'text').execute();
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      // Internal notes of staff on an escalation or a support record; the person never sees them.
      await db.schema
        .createTable('staff_notes')
        .addColumn('id', 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('staff_notes_subject').on('staff_notes').columns(['subject_id', 'id']).execute();
      // A step's outcome rides on the transcript row of the answer (the turn's one insert); the reports read it.
      await db.schema.alterTable('transcript_activities').addColumn('step_outcome', 'text').execute();
      await db.schema.createIndex('transcript_activities_step_outcomes').on('transcript_activities').columns(['created_at']).where(sql.ref('step_outcome'), 'is not', null).execute();
      // The answer to "How did we do?", per conversation (after the bot fixed it or staff closed the chat).
      await db.schema
        .createTable('satisfaction')
        .addColumn('id', 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('escalation_id', 'text')
        .addColumn('after', 'text', (c) => c.notNull())
        .addColumn('rating', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('satisfaction_created').on('satisfaction').columns(['created_at']).execute();
    },
  },
};

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
