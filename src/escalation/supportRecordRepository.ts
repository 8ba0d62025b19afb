import { sql, type Kysely, type Selectable } from 'kysely';
import type { DiagnosticsRecord } from '../diagnosis';
import type { Database, SupportRecordStatus } from '../store';
import { latestSnapshot, newId, parseArray, parseRecord, type Snapshot } from './storedRows';

export type { SupportRecordStatus };

export interface SupportRecord {
  id: string;
  conversationId: string;
  channelId: string;
  escalationId: string | null;
  reason: string;
  os: string | null;
  browser: string | null;
  tried: string[];
  diagnostics: DiagnosticsRecord | null;
  contact: string | null;
  description: string | null;
  followUp: string;
  status: SupportRecordStatus;
  statusBy: string | null;
  statusAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The most a support record keeps of what the person typed (characters). */
export const SUPPORT_RECORD_LIMITS = { description: 8000, contact: 320 } as const;

/** How much of a note went into the record: all of it, the part that fitted, or none (it was full). */
export type SupportDetailsAdded = 'all' | 'part' | 'none';

export interface NewSupportRecord {
  conversationId: string;
  channelId: string;
  escalationId?: string;
  reason: string;
  diagnostics: DiagnosticsRecord;
  contact?: string;
  description?: string;
  /** Whether the bot asked the person for details and waits for their next message. */
  followUp: 'asked' | 'skipped';
  now: Date;
}

/** Support records (SPEC §5.3): filed when staff cannot help now, read and worked by staff later. */
export class SupportRecordRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(input: NewSupportRecord): Promise<SupportRecord> {
    const row = supportRecordRow(newId('SR'), input);
    await this.db.insertInto('support_records').values(row).execute();
    return toSupportRecord(row);
  }

  /** Files a record again under its id with what is known now (its turn never finished). */
  async refile(id: string, input: NewSupportRecord): Promise<SupportRecord> {
    const { id: _id, created_at: _created, ...changes } = supportRecordRow(id, input);
    const row = await this.db.updateTable('support_records').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return toSupportRecord(row);
  }

  /** Newest first; `text` matches the id, conversation id, contact or description, ignoring case. */
  async list(filter: { status?: SupportRecordStatus; text?: string } = {}): Promise<SupportRecord[]> {
    let query = this.db.selectFrom('support_records').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(500);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.text) {
      const pattern = `%${filter.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or(['id', 'conversation_id', 'contact', 'description'].map((column) => eb(sql`lower(${sql.ref(column)})`, 'like', sql`${pattern} escape '\\'`))),
      );
    }
    return (await query.execute()).map(toSupportRecord);
  }

  async get(id: string): Promise<SupportRecord | undefined> {
    const row = await this.db.selectFrom('support_records').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSupportRecord(row) : undefined;
  }

  async setStatus(id: string, status: SupportRecordStatus, staffName: string, now: Date): Promise<SupportRecord | undefined> {
    const at = now.toISOString();
    const row = await this.db
      .updateTable('support_records')
      .set({ status, status_by: staffName, status_at: at, updated_at: at })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toSupportRecord(row) : undefined;
  }

  async latestFor(conversationId: string): Promise<SupportRecord | undefined> {
    const row = await this.db
      .selectFrom('support_records')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row ? toSupportRecord(row) : undefined;
  }

  /**
   * Adds the person's details; a later note is appended, a later contact replaces the earlier one.
   * The description keeps at most `SUPPORT_RECORD_LIMITS.description` characters in all; what
   * did not fit is reported, so the person can be told rather than lose it silently.
   */
  async addDetails(id: string, details: { description?: string; contact?: string }, now: Date): Promise<SupportDetailsAdded> {
    const row = await this.db.selectFrom('support_records').select(['description', 'contact']).where('id', '=', id).executeTakeFirst();
    if (!row) return 'none';
    const joined = details.description ? [row.description, details.description].filter(Boolean).join('\n') : row.description;
    const description = joined === null ? null : joined.slice(0, SUPPORT_RECORD_LIMITS.description);
    const contact = details.contact?.slice(0, SUPPORT_RECORD_LIMITS.contact) ?? row.contact;
    await this.db
      .updateTable('support_records')
      .set({ description, contact, follow_up: 'done', updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
    if (joined === null || joined.length === description?.length) return 'all';
    return description?.length === (row.description?.length ?? 0) ? 'none' : 'part';
  }

  async endFollowUp(id: string, now: Date): Promise<void> {
    await this.db.updateTable('support_records').set({ follow_up: 'skipped', updated_at: now.toISOString() }).where('id', '=', id).where('follow_up', '=', 'asked').execute();
  }

  /** Records filed so far, by reason (the figures operators watch). */
  async countByReason(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('support_records').select((eb) => ['reason', eb.fn.countAll<number>().as('n')]).groupBy('reason').execute();
    // PostgreSQL returns counts as strings (bigint).
    return Object.fromEntries(rows.map((row) => [row.reason, Number(row.n)]));
  }

  /** The diagnostics snapshot of the conversation's newest record, with when it was filed. */
  latestSnapshot(conversationId: string): Promise<Snapshot | undefined> {
    return latestSnapshot(this.db, 'support_records', conversationId);
  }
}

export function supportRecordRow(id: string, input: NewSupportRecord): Selectable<Database['support_records']> {
  const at = input.now.toISOString();
  const facts = input.diagnostics.facts;
  return {
    id,
    conversation_id: input.conversationId,
    channel_id: input.channelId,
    escalation_id: input.escalationId ?? null,
    reason: input.reason,
    os: [facts.os, facts.osVersion].filter(Boolean).join(' ') || null,
    browser: [facts.browser, facts.browserVersion].filter(Boolean).join(' ') || null,
    tried: JSON.stringify(input.diagnostics.steps.map((s) => s.adviceId)),
    diagnostics: JSON.stringify(input.diagnostics),
    contact: input.contact?.slice(0, SUPPORT_RECORD_LIMITS.contact) ?? null,
    description: input.description?.slice(0, SUPPORT_RECORD_LIMITS.description) ?? null,
    follow_up: input.followUp,
    status: 'open',
    status_by: null,
    status_at: null,
    created_at: at,
    updated_at: at,
  };
}

export function toSupportRecord(row: Selectable<Database['support_records']>): SupportRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    channelId: row.channel_id,
    escalationId: row.escalation_id,
    reason: row.reason,
    os: row.os,
    browser: row.browser,
    tried: parseArray(row.tried).filter((t): t is string => typeof t === 'string'),
    diagnostics: parseRecord(row.diagnostics),
    contact: row.contact,
    description: row.description,
    followUp: row.follow_up,
    status: row.status,
    statusBy: row.status_by,
    statusAt: row.status_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
