import { randomBytes } from 'node:crypto';
import type { Activity, ConversationReference } from 'botbuilder';
import { sql, type Kysely, type Selectable } from 'kysely';
import { createRecord, isDiagnosticsRecord, type DiagnosticsRecord } from '../diagnosis';
import { ReusableQuery, type Database, type EscalationStatus, type SatisfactionRating, type SupportRecordStatus } from '../store';
import type { StoreCounts } from '../metrics';
import { isReachable } from './proactive';
import { buildReport, type Report } from './reports';
import { secondsAfter, secondsBetween } from '../timestamps';
import { AppError } from '../errors';

export type { EscalationStatus, SatisfactionRating, SupportRecordStatus };

/** A staff hand-off as the rest of the code sees it (the row, with its JSON parsed). */
export interface Escalation {
  id: string;
  conversationId: string;
  channelId: string;
  reference: ConversationReference;
  userName: string | null;
  reason: string;
  status: EscalationStatus;
  claimedBy: string | null;
  createdAt: string;
  dueAt: string;
  claimedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  supportRecordId: string | null;
  solved: string | null;
  hubState: string | null;
  /** The person's latest message while it was open (capped at `LAST_MESSAGE_CHARS`). */
  lastMessage: string | null;
  lastMessageAt: string | null;
  dismissReason: string | null;
  /** The advice staff sent as a step, until the person answers it. */
  pendingAdvice: string | null;
}

export interface EscalationDetail extends Escalation {
  diagnostics: DiagnosticsRecord | null;
  transcript: unknown[];
}

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

/** A staff member's internal note on an escalation or a support record. */
export interface StaffNote {
  id: number;
  author: string;
  text: string;
  at: string;
}

export const LAST_MESSAGE_CHARS = 300;

export interface TranscriptEntry {
  id: number;
  direction: 'in' | 'out';
  at: string;
  activity: Partial<Activity>;
  /** Who wrote it, from the server's own record of what it sent; never from what a client claims. */
  author: TranscriptAuthor;
}

export interface TranscriptAuthor {
  role: 'person' | 'bot' | 'staff';
  name: string | null;
}

export interface TranscriptRow {
  conversationId: string;
  channelId: string;
  direction: 'in' | 'out';
  activity: Partial<Activity>;
  /** On the person's answer to a step. */
  stepOutcome?: StepOutcomeNote;
  at: Date;
}

/** A step's outcome as the reports read it: whose advice, how it went, on what platform. */
export interface StepOutcomeNote {
  adviceId: string;
  outcome: 'fixed' | 'not-fixed' | 'already-tried' | 'verified-fixed' | 'verified-not-fixed';
  givenBy: 'bot' | 'staff';
  os?: string;
  browser?: string;
}

export interface NewEscalation {
  reference: ConversationReference;
  userName: string | null;
  reason: string;
  diagnostics: DiagnosticsRecord;
  transcript: Partial<Activity>[];
  /** The message that led to the request, if it was one. */
  lastMessage?: string;
  now: Date;
  timeoutS: number;
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

/** Short ids people can read out or type ("SR-7K2Q9M4D"); collisions are refused by the primary key. */
export function newId(prefix: 'E' | 'SR'): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const bytes = randomBytes(8);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return `${prefix}-${id}`;
}

/**
 * Escalation's own tables: hand-offs, support records and transcripts. Every state change of an
 * escalation is a compare-and-set on its status, so two staff, or two instances, acting at once
 * cannot both win.
 */
export class EscalationRecords {
  private readonly transcriptInserts = new Map<number, ReusableQuery<string>>();

  constructor(private readonly db: Kysely<Database>) {}

  async insertEscalation(input: NewEscalation): Promise<Escalation> {
    const at = input.now.toISOString();
    const row = {
      id: newId('E'),
      conversation_id: input.reference.conversation.id,
      channel_id: input.reference.channelId,
      reference: JSON.stringify(input.reference),
      user_name: input.userName,
      reason: input.reason,
      status: 'waiting' as const,
      claimed_by: null,
      created_at: at,
      due_at: secondsAfter(input.now, input.timeoutS).toISOString(),
      claimed_at: null,
      closed_at: null,
      closed_by: null,
      diagnostics: JSON.stringify(input.diagnostics),
      transcript: JSON.stringify(input.transcript),
      support_record_id: null,
      solved: null,
      hub_state: null,
      first_staff_reply_at: null,
      last_message: input.lastMessage ? input.lastMessage.slice(0, LAST_MESSAGE_CHARS) : null,
      last_message_at: input.lastMessage ? at : null,
      dismiss_reason: null,
      pending_advice: null,
      updated_at: at,
    };
    await this.db.insertInto('escalations').values(row).execute();
    return toEscalation(row);
  }

  async get(id: string): Promise<EscalationDetail | undefined> {
    const row = await this.db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return { ...toEscalation(row), diagnostics: parseRecord(row.diagnostics), transcript: parseArray(row.transcript) };
  }

  /** Every escalation of `status` (or all), each with its diagnostics snapshot. */
  async listDetailed(status?: EscalationStatus): Promise<(Escalation & { diagnostics: DiagnosticsRecord | null })[]> {
    let query = this.db.selectFrom('escalations').select([...ESCALATION_COLUMNS, 'diagnostics']).orderBy('created_at', 'asc').orderBy('id', 'asc').limit(500);
    if (status) query = query.where('status', '=', status);
    return (await query.execute()).map((row) => ({ ...toEscalation(row), diagnostics: parseRecord(row.diagnostics) }));
  }

  async list(status?: EscalationStatus): Promise<Escalation[]> {
    let query = this.db.selectFrom('escalations').select(ESCALATION_COLUMNS).orderBy('created_at', 'asc').orderBy('id', 'asc').limit(500);
    if (status) query = query.where('status', '=', status);
    return (await query.execute()).map(toEscalation);
  }

  /** The conversation's most recent escalation, whatever its state. */
  async latestFor(conversationId: string): Promise<Escalation | undefined> {
    const row = await this.db
      .selectFrom('escalations')
      .select(ESCALATION_COLUMNS)
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row ? toEscalation(row) : undefined;
  }

  /** Every waiting escalation, oldest first: the queue. Positions are ranks in it. */
  async queue(): Promise<Escalation[]> {
    const rows = await this.db.selectFrom('escalations').select(ESCALATION_COLUMNS).where('status', '=', 'waiting').orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(toEscalation);
  }

  /** 1-based rank of a waiting escalation in the queue (0 when it is not waiting). */
  async position(escalation: Pick<Escalation, 'id' | 'createdAt' | 'status'>): Promise<number> {
    if (escalation.status !== 'waiting') return 0;
    const { ahead } = await this.db
      .selectFrom('escalations')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('ahead'))
      .where('status', '=', 'waiting')
      .where((eb) => eb.or([eb('created_at', '<', escalation.createdAt), eb.and([eb('created_at', '=', escalation.createdAt), eb('id', '<', escalation.id)])]))
      .executeTakeFirstOrThrow();
    return Number(ahead) + 1;
  }

  /** Compare-and-set: only a waiting escalation can be claimed, so exactly one of two claimants wins. */
  async claim(id: string, staffName: string, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('escalations')
      .set({ status: 'claimed', claimed_by: staffName, claimed_at: at, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Closes a waiting or claimed escalation; `from` is the status it must still have. */
  async close(id: string, from: EscalationStatus, staffName: string, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('escalations')
      .set({ status: 'closed', closed_at: at, closed_by: staffName, solved: 'asked', updated_at: at })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Compare-and-set: takes an unclaimed escalation out of the queue, with the reason staff gave. */
  async dismiss(id: string, staffName: string, reason: string, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('escalations')
      .set({ status: 'closed', closed_at: at, closed_by: staffName, dismiss_reason: reason, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Compare-and-set: the claimant hands it back to the queue, at its old place, with a fresh claim window. */
  async release(id: string, staffName: string, now: Date, timeoutS: number): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('escalations')
      .set({ status: 'waiting', claimed_by: null, claimed_at: null, pending_advice: null, due_at: secondsAfter(now, timeoutS).toISOString(), updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'claimed')
      .where('claimed_by', '=', staffName)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Compare-and-set: the claimant passes it to another staff member. */
  async transfer(id: string, from: string, to: string, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('escalations')
      .set({ claimed_by: to, claimed_at: at, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'claimed')
      .where('claimed_by', '=', from)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Compare-and-set: an ended escalation (closed, dismissed or timed out) is claimed again by `staffName`. */
  async reopen(id: string, staffName: string, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('escalations')
      .set({ status: 'claimed', claimed_by: staffName, claimed_at: at, closed_at: null, closed_by: null, solved: null, dismiss_reason: null, updated_at: at })
      .where('id', '=', id)
      .where('status', 'in', ['closed', 'timed-out'])
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async setLastMessage(id: string, text: string, now: Date): Promise<void> {
    const at = now.toISOString();
    await this.db.updateTable('escalations').set({ last_message: text.slice(0, LAST_MESSAGE_CHARS), last_message_at: at }).where('id', '=', id).execute();
  }

  report(from: Date, to: Date): Promise<Report> {
    return buildReport(this.db, from, to);
  }

  async logSatisfaction(input: { conversationId: string; escalationId?: string; after: 'bot' | 'staff'; rating: SatisfactionRating; now: Date }): Promise<void> {
    await this.db
      .insertInto('satisfaction')
      .values({ conversation_id: input.conversationId, escalation_id: input.escalationId ?? null, after: input.after, rating: input.rating, created_at: input.now.toISOString() })
      .execute();
  }

  /** The person's "How did we do?" answer after this escalation, if they gave one. */
  async satisfactionFor(escalationId: string): Promise<SatisfactionRating | null> {
    const row = await this.db.selectFrom('satisfaction').select('rating').where('escalation_id', '=', escalationId).orderBy('id', 'desc').executeTakeFirst();
    return row?.rating ?? null;
  }

  /** Seconds from request to claim of the most recent claims: the basis of an honest wait estimate. */
  async recentClaimWaits(limit = 20): Promise<number[]> {
    const rows = await this.db.selectFrom('escalations').select(['created_at', 'claimed_at']).where('claimed_at', 'is not', null).orderBy('claimed_at', 'desc').limit(limit).execute();
    return rows.flatMap((r) => (r.claimed_at ? [secondsBetween(r.created_at, r.claimed_at)] : []));
  }

  async setPendingAdvice(id: string, adviceId: string | null): Promise<void> {
    await this.db.updateTable('escalations').set({ pending_advice: adviceId }).where('id', '=', id).execute();
  }

  /** Clears the pending advice if it is still `adviceId`; true for the one caller that did. */
  async takePendingAdvice(id: string, adviceId: string): Promise<boolean> {
    const result = await this.db.updateTable('escalations').set({ pending_advice: null }).where('id', '=', id).where('pending_advice', '=', adviceId).executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async addNote(subjectId: string, author: string, text: string, now: Date): Promise<StaffNote> {
    const at = now.toISOString();
    const row = await this.db.insertInto('staff_notes').values({ subject_id: subjectId, author, text, created_at: at }).returning('id').executeTakeFirstOrThrow();
    return { id: Number(row.id), author, text, at };
  }

  async notes(subjectId: string): Promise<StaffNote[]> {
    const rows = await this.db.selectFrom('staff_notes').select(['id', 'author', 'text', 'created_at']).where('subject_id', '=', subjectId).orderBy('id', 'asc').limit(500).execute();
    return rows.map((r) => ({ id: Number(r.id), author: r.author, text: r.text, at: r.created_at }));
  }

  /** Ids of waiting escalations whose claim window has passed. */
  async due(now: Date): Promise<string[]> {
    const rows = await this.db
      .selectFrom('escalations')
      .select('id')
      .where('status', '=', 'waiting')
      .where('due_at', '<=', now.toISOString())
      .orderBy('due_at', 'asc')
      .limit(50)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * The no-staff fallback, in one transaction: the escalation times out (compare-and-set, so it
   * fires once across instances) and its support record is filed, or neither happens.
   */
  async timeOut(id: string, now: Date, from: 'waiting' | 'claimed' = 'waiting'): Promise<{ escalation: Escalation; supportRecord: SupportRecord } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      const supportRecordId = newId('SR');
      const updated = await trx
        .updateTable('escalations')
        .set({ status: 'timed-out', closed_at: at, support_record_id: supportRecordId, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      if (updated.numUpdatedRows !== 1n) return undefined;
      const row = await trx.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const diagnostics = parseRecord(row.diagnostics);
      const record = supportRecordRow(supportRecordId, {
        conversationId: row.conversation_id,
        channelId: row.channel_id,
        escalationId: id,
        reason: 'no-staff',
        diagnostics: diagnostics ?? createRecord(now),
        followUp: 'skipped',
        now,
      });
      await trx.insertInto('support_records').values(record).execute();
      return { escalation: toEscalation(row), supportRecord: toSupportRecord(record) };
    });
  }

  async setSolved(id: string, answer: 'yes' | 'no' | 'no-answer', now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('escalations')
      .set({ solved: answer, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('solved', '=', 'asked')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Compare-and-set: true only for the first staff message of this escalation, whichever instance sent it. */
  async markFirstStaffReply(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('escalations')
      .set({ first_staff_reply_at: now.toISOString() })
      .where('id', '=', id)
      .where('first_staff_reply_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** The figures operators watch, counted in the store so that every instance reports the same. */
  async counts(): Promise<StoreCounts> {
    const [escalations, records] = await Promise.all([
      this.db
        .selectFrom('escalations')
        .select((eb) => ['status', 'hub_state', 'solved', eb.fn.countAll<number>().as('n'), eb.fn.count<number>('claimed_at').as('claimed')])
        .groupBy(['status', 'hub_state', 'solved'])
        .execute(),
      this.db.selectFrom('support_records').select((eb) => ['reason', eb.fn.countAll<number>().as('n')]).groupBy('reason').execute(),
    ]);
    const counts: StoreCounts = { escalationsByStatus: {}, escalationsByHubState: {}, escalationsCreated: 0, claims: 0, supportRecordsByReason: {}, solvedAnswers: {} };
    const add = (into: Record<string, number>, key: string | null, n: number) => {
      if (key !== null) into[key] = (into[key] ?? 0) + n;
    };
    for (const row of escalations) {
      // PostgreSQL returns counts as strings (bigint).
      const n = Number(row.n);
      add(counts.escalationsByStatus, row.status, n);
      add(counts.escalationsByHubState, row.hub_state, n);
      add(counts.solvedAnswers, row.solved === 'asked' ? null : row.solved, n);
      counts.escalationsCreated += n;
      counts.claims += Number(row.claimed);
    }
    for (const row of records) add(counts.supportRecordsByReason, row.reason, Number(row.n));
    return counts;
  }

  async setHubState(conversationId: string, state: string, now: Date): Promise<Escalation | undefined> {
    const latest = await this.latestFor(conversationId);
    if (!latest) return undefined;
    await this.db.updateTable('escalations').set({ hub_state: state, updated_at: now.toISOString() }).where('id', '=', latest.id).execute();
    return { ...latest, hubState: state };
  }

  async insertSupportRecord(input: NewSupportRecord): Promise<SupportRecord> {
    const row = supportRecordRow(newId('SR'), input);
    await this.db.insertInto('support_records').values(row).execute();
    return toSupportRecord(row);
  }

  /** Files a record again under its id with what is known now (its turn never finished). */
  async refileSupportRecord(id: string, input: NewSupportRecord): Promise<SupportRecord> {
    const { id: _id, created_at: _created, ...changes } = supportRecordRow(id, input);
    const row = await this.db.updateTable('support_records').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return toSupportRecord(row);
  }

  /** Newest first; `text` matches the id, conversation id, contact or description, ignoring case. */
  async listSupportRecords(filter: { status?: SupportRecordStatus; text?: string } = {}): Promise<SupportRecord[]> {
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

  async getSupportRecord(id: string): Promise<SupportRecord | undefined> {
    const row = await this.db.selectFrom('support_records').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSupportRecord(row) : undefined;
  }

  async setSupportRecordStatus(id: string, status: SupportRecordStatus, staffName: string, now: Date): Promise<SupportRecord | undefined> {
    const at = now.toISOString();
    const row = await this.db
      .updateTable('support_records')
      .set({ status, status_by: staffName, status_at: at, updated_at: at })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toSupportRecord(row) : undefined;
  }

  async latestSupportRecordFor(conversationId: string): Promise<SupportRecord | undefined> {
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
  async addSupportDetails(id: string, details: { description?: string; contact?: string }, now: Date): Promise<SupportDetailsAdded> {
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

  async endSupportFollowUp(id: string, now: Date): Promise<void> {
    await this.db.updateTable('support_records').set({ follow_up: 'skipped', updated_at: now.toISOString() }).where('id', '=', id).where('follow_up', '=', 'asked').execute();
  }

  async logActivities(entries: TranscriptRow[]): Promise<void> {
    // At most 32 rows an insert: at most 32 shapes, each compiled once.
    for (let start = 0; start < entries.length; ) {
      const size = Math.min(32, entries.length - start);
      const values: Record<string, string | null> = {};
      for (const [i, e] of entries.slice(start, start + size).entries()) {
        Object.assign(values, {
          [`conversation${i}`]: e.conversationId, [`channel${i}`]: e.channelId, [`direction${i}`]: e.direction, [`activity${i}`]: JSON.stringify(e.activity),
          [`outcome${i}`]: e.stepOutcome ? JSON.stringify(e.stepOutcome) : null, [`at${i}`]: e.at.toISOString(),
        });
      }
      await this.transcriptInsert(size).execute(this.db, values);
      start += size;
    }
  }

  /** The transcript insert of `rows` rows, compiled once per row count. */
  private transcriptInsert(rows: number): ReusableQuery<string> {
    let query = this.transcriptInserts.get(rows);
    if (!query) {
      query = new ReusableQuery<string>((slot) =>
        this.db.insertInto('transcript_activities').values(
          Array.from({ length: rows }, (_, i) => ({ conversation_id: slot(`conversation${i}`), channel_id: slot(`channel${i}`), direction: slot(`direction${i}`) as 'in' | 'out', activity: slot(`activity${i}`), step_outcome: slot(`outcome${i}`), created_at: slot(`at${i}`) })),
        ),
      );
      this.transcriptInserts.set(rows, query);
    }
    return query;
  }

  async transcript(conversationId: string, limit = 1000): Promise<TranscriptEntry[]> {
    // The newest `limit` entries, returned oldest first.
    const rows = await this.db
      .selectFrom('transcript_activities')
      .select(['id', 'direction', 'activity', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map((r) => {
      const activity = parseActivity(r.activity);
      return { id: r.id, direction: r.direction, at: r.created_at, activity, author: authorOf(r.direction, activity) };
    });
  }

  /** The channel a conversation id belongs to, if escalation has ever seen it. */
  async channelOf(conversationId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('transcript_activities').select('channel_id').where('conversation_id', '=', conversationId).limit(1).executeTakeFirst();
    if (row) return row.channel_id;
    return (await this.latestFor(conversationId))?.channelId;
  }

  async latestDiagnosticsSnapshot(conversationId: string): Promise<DiagnosticsRecord | undefined> {
    const escalation = await this.db
      .selectFrom('escalations')
      .select(['diagnostics', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    const record = await this.db
      .selectFrom('support_records')
      .select(['diagnostics', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    const newest = [escalation, record].filter((r) => r !== undefined).sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
    return newest ? parseRecord(newest.diagnostics) ?? undefined : undefined;
  }
}

const ESCALATION_COLUMNS = [
  'id', 'conversation_id', 'channel_id', 'reference', 'user_name', 'reason', 'status', 'claimed_by', 'created_at', 'due_at',
  'claimed_at', 'closed_at', 'closed_by', 'support_record_id', 'solved', 'hub_state', 'last_message', 'last_message_at', 'dismiss_reason', 'pending_advice',
] as const;

type EscalationRow = Pick<Selectable<Database['escalations']>, (typeof ESCALATION_COLUMNS)[number]>;

function toEscalation(row: EscalationRow): Escalation {
  const reference: unknown = JSON.parse(row.reference);
  if (!isReachable(reference)) throw new AppError('STORED_DATA_INVALID', `escalation ${row.id}: stored conversation reference is malformed`);
  return {
    id: row.id,
    conversationId: row.conversation_id,
    channelId: row.channel_id,
    reference,
    userName: row.user_name,
    reason: row.reason,
    status: row.status,
    claimedBy: row.claimed_by,
    createdAt: row.created_at,
    dueAt: row.due_at,
    claimedAt: row.claimed_at,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    supportRecordId: row.support_record_id,
    solved: row.solved,
    hubState: row.hub_state,
    lastMessage: row.last_message,
    lastMessageAt: row.last_message_at,
    dismissReason: row.dismiss_reason,
    pendingAdvice: row.pending_advice,
  };
}

function supportRecordRow(id: string, input: NewSupportRecord): Selectable<Database['support_records']> {
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

/**
 * Only what this bot sent can be a staff message: the staff desk marks what it relays in
 * `channelData.staff`. Whatever a person's client puts in its own activities counts for nothing.
 */
function authorOf(direction: 'in' | 'out', activity: Partial<Activity>): TranscriptAuthor {
  if (direction === 'in') return { role: 'person', name: typeof activity.from?.name === 'string' ? activity.from.name : null };
  const staff: unknown = activity.channelData?.staff?.name;
  return typeof staff === 'string' ? { role: 'staff', name: staff } : { role: 'bot', name: null };
}

function toSupportRecord(row: Selectable<Database['support_records']>): SupportRecord {
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

function parseRecord(json: string): DiagnosticsRecord | null {
  const value: unknown = JSON.parse(json);
  return isDiagnosticsRecord(value) ? value : null;
}

function parseArray(json: string): unknown[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value : [];
}

function parseActivity(json: string): Partial<Activity> {
  const value: unknown = JSON.parse(json);
  return typeof value === 'object' && value !== null ? value : {};
}
