import type { Kysely } from 'kysely';
import type { MigrationParts } from './migrationParts';

/** Tables of support records (src/escalation): filed when staff cannot help now, worked by staff later. */
export interface SupportRecordTable {
  id: string;
  conversation_id: string;
  channel_id: string;
  escalation_id: string | null;
  reason: string;
  os: string | null;
  browser: string | null;
  /** Advice ids tried, JSON array. */
  tried: string;
  diagnostics: string;
  contact: string | null;
  description: string | null;
  /** `asked` while the bot waits for the person's optional details; then `done` or `skipped`. */
  follow_up: string;
  /** How far staff have worked it: `open`, `contacted`, `resolved`; who set it and when. */
  status: SupportRecordStatus;
  status_by: string | null;
  status_at: string | null;
  created_at: string;
  updated_at: string;
}

export type SupportRecordStatus = 'open' | 'contacted' | 'resolved';

export interface SupportRecordTables {
  support_records: SupportRecordTable;
}

/** This group's share of the numbered migrations (src/store/migrations.ts). */
export const supportRecordMigrations: MigrationParts = {
  async '020-escalations'(db: Kysely<unknown>) {
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
  },
  async '050-staff-desk'(db: Kysely<unknown>) {
    await db.schema.alterTable('support_records').addColumn('status', 'text', (c) => c.notNull().defaultTo('open')).execute();
    await db.schema.alterTable('support_records').addColumn('status_by', 'text').execute();
    await db.schema.alterTable('support_records').addColumn('status_at', 'text').execute();
  },
};
