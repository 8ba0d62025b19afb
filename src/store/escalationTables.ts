import { PostgresAdapter, type Generated, type Kysely } from 'kysely';
import type { MigrationParts } from './migrationParts';

/**
 * Tables of escalation's staff hand-offs (src/escalation): the escalations, staff's internal notes
 * and the person's satisfaction answers. JSON documents (conversation reference, diagnostics
 * record, transcript snapshot) are text; timestamps are ISO-8601 UTC text, which sorts and
 * compares as time.
 */
export type EscalationStatus = 'waiting' | 'claimed' | 'closed' | 'timed-out';

export interface EscalationTable {
  id: string;
  conversation_id: string;
  channel_id: string;
  /** botbuilder ConversationReference as JSON: how to reach the person later (proactive sends). */
  reference: string;
  /** The person's display name as the channel gave it, if any. */
  user_name: string | null;
  reason: string;
  status: EscalationStatus;
  claimed_by: string | null;
  created_at: string;
  /** When the no-staff fallback fires if nobody has claimed it; the timeout poller reads it. */
  due_at: string;
  claimed_at: string | null;
  closed_at: string | null;
  closed_by: string | null;
  /** The diagnostics record (JSON) at the time of the request. */
  diagnostics: string;
  /** The transcript (JSON array of activities) at the time of the request. */
  transcript: string;
  /** Set when the escalation timed out and a support record was filed instead. */
  support_record_id: string | null;
  /** `asked` once staff closed it and the person was asked; then `yes`, `no` or `no-answer`. */
  solved: string | null;
  /** The last `handoff.status` state a contact-centre hub reported (accepted, failed, completed). */
  hub_state: string | null;
  /** When the first staff message was delivered to the person (time to first reply). */
  first_staff_reply_at: string | null;
  /** The person's latest message while the escalation is open (capped), and when it came. */
  last_message: string | null;
  last_message_at: string | null;
  /** Why staff took an unclaimed escalation out of the queue (`dismiss`), if they did. */
  dismiss_reason: string | null;
  /** The advice id staff last sent as a step, until the person answers it. */
  pending_advice: string | null;
  updated_at: string;
}

export interface StaffNoteTable {
  id: Generated<number>;
  /** An escalation id (E-…) or a support record id (SR-…). */
  subject_id: string;
  author: string;
  text: string;
  created_at: string;
}

export type SatisfactionRating = 'good' | 'ok' | 'poor';

export interface SatisfactionTable {
  id: Generated<number>;
  conversation_id: string;
  escalation_id: string | null;
  after: 'bot' | 'staff';
  rating: SatisfactionRating;
  created_at: string;
}

export interface EscalationTables {
  escalations: EscalationTable;
  staff_notes: StaffNoteTable;
  satisfaction: SatisfactionTable;
}

/** This group's share of the numbered migrations (src/store/migrations.ts). */
export const escalationMigrations: MigrationParts = {
  async '020-escalations'(db: Kysely<unknown>) {
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
  },
  async '030-first-staff-reply'(db: Kysely<unknown>) {
    // When staff's first message reached the person: set once (compare-and-set), for time-to-first-reply.
    await db.schema.alterTable('escalations').addColumn('first_staff_reply_at', 'text').execute();
  },
  async '050-staff-desk'(db: Kysely<unknown>) {
    // What the queue shows without reading every transcript, and how an escalation ended or is being worked.
    for (const column of ['last_message', 'last_message_at', 'dismiss_reason', 'pending_advice']) {
      await db.schema.alterTable('escalations').addColumn(column, 'text').execute();
    }
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
  async '060-claim-times'(db: Kysely<unknown>) {
    // The wait estimate a person hears reads the latest claims: without an index each escalation
    // scanned and sorted the whole table, a cost that grew with every escalation ever made.
    await db.schema.createIndex('escalations_claimed').on('escalations').columns(['claimed_at']).execute();
  },
};
