import { PostgresAdapter, sql, type Generated, type Kysely } from 'kysely';
import type { MigrationParts } from './migrationParts';

/** The transcript of every conversation (src/escalation): each activity in and out, in order. */
export interface TranscriptActivityTable {
  /** Assigned by the database; orders a conversation's activities as they were logged. */
  id: Generated<number>;
  conversation_id: string;
  channel_id: string;
  direction: 'in' | 'out';
  activity: string;
  /** On the person's answer to a step: `{adviceId, outcome, givenBy, os, browser}` as JSON, for the reports. */
  step_outcome: string | null;
  created_at: string;
}


export interface TranscriptTables {
  transcript_activities: TranscriptActivityTable;
}

/** This group's share of the numbered migrations (src/store/migrations.ts). */
export const transcriptMigrations: MigrationParts = {
  async '020-escalations'(db: Kysely<unknown>) {
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
  async '050-staff-desk'(db: Kysely<unknown>) {
    // A step's outcome rides on the transcript row of the answer (the turn's one insert); the reports read it.
    await db.schema.alterTable('transcript_activities').addColumn('step_outcome', 'text').execute();
    await db.schema.createIndex('transcript_activities_step_outcomes').on('transcript_activities').columns(['created_at']).where(sql.ref('step_outcome'), 'is not', null).execute();
  },
};
