import type { Activity, ConversationReference } from 'botbuilder';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool, type Updateable } from 'kysely';
import { createRecord, type DiagnosticsRecord } from '../diagnosis';
import type { StoreCounts } from '../metrics';
import { ReusableQuery, type Database, type EscalationStatus, type SatisfactionRating } from '../store';
import { AppError } from '../errors';
import { secondsAfter, secondsBetween } from '../timestamps';
import { isReachable } from './proactive';
import { buildReport, type Report } from './reports';
import { latestSnapshot, newId, parseArray, parseRecord, type Snapshot } from './storedRows';
import { supportRecordRow, toSupportRecord, type SupportRecord } from './supportRecordRepository';

export type { EscalationStatus, SatisfactionRating };

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

/** A staff member's internal note on an escalation or a support record. */
export interface StaffNote {
  id: number;
  author: string;
  text: string;
  at: string;
}

export const LAST_MESSAGE_CHARS = 300;

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

/** How many of the latest claims the wait estimate is taken from. */
const RECENT_CLAIMS = 20;
/** How long one read of the recent claim waits serves the staff calls after it. */
const CLAIM_WAITS_KEPT_MS = 5_000;

/**
 * Staff hand-offs, with the staff's notes and the person's satisfaction answers. Every state
 * change of an escalation is a compare-and-set on its status, so two staff, or two instances,
 * acting at once cannot both win.
 */
export class EscalationRepository {
  /** The two reads every turn of a conversation with staff and every staff action make, compiled once. */
  private readonly reads;
  /** The latest read of recent claim waits, and when it was made. */
  private claimWaits: { at: number; waits: Promise<number[]> } | undefined;

  constructor(private readonly db: Kysely<Database>) {
    this.reads = {
      byId: new ReusableQuery<'id', EscalationRow>((slot) => db.selectFrom('escalations').select(ESCALATION_COLUMNS).where('id', '=', slot('id'))),
      latestFor: new ReusableQuery<'conversationId', EscalationRow>((slot) =>
        db.selectFrom('escalations').select(ESCALATION_COLUMNS).where('conversation_id', '=', slot('conversationId')).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(sql.lit(1)),
      ),
    };
  }

  /**
   * A new escalation, waiting, and its 1-based place in the queue: counted in the same statement
   * (the person waits for this turn, and on PostgreSQL a statement is a round trip).
   */
  async enqueue(input: NewEscalation): Promise<{ escalation: Escalation; position: number }> {
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
    const { ahead } = await this.db
      .insertInto('escalations')
      .values(row)
      // Only rows committed before this statement are counted; the new one is not ahead of itself.
      .returning((eb) => eb.selectFrom('escalations').select((inner) => inner.fn.countAll<number | string | bigint>().as('n')).where(waitingAhead(at, row.id)).as('ahead'))
      .executeTakeFirstOrThrow();
    return { escalation: toEscalation(row), position: Number(ahead) + 1 };
  }

  async get(id: string): Promise<EscalationDetail | undefined> {
    const row = await this.db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return { ...toEscalation(row), diagnostics: parseRecord(row.diagnostics), transcript: parseArray(row.transcript) };
  }

  /** The escalation without its snapshots: what the staff desk's actions check and announce (the transcript alone can be 200 activities). */
  async find(id: string): Promise<Escalation | undefined> {
    const [row] = (await this.reads.byId.execute(this.db, { id })).rows;
    return row && toEscalation(row);
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
    const [row] = (await this.reads.latestFor.execute(this.db, { conversationId })).rows;
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
      .where(waitingAhead(escalation.createdAt, escalation.id))
      .executeTakeFirstOrThrow();
    return Number(ahead) + 1;
  }

  /** Compare-and-set: only a waiting escalation can be claimed, so exactly one of two claimants wins. */
  async claim(id: string, staffName: string, now: Date): Promise<Escalation | undefined> {
    const at = now.toISOString();
    return this.changeStatus(id, (eb) => eb('status', '=', 'waiting'), { status: 'claimed', claimed_by: staffName, claimed_at: at, updated_at: at });
  }

  /**
   * Closes a waiting or claimed escalation; `from` is the status it must still have and, with
   * `heldBy`, who must still hold it (the claimant closing their own: one statement, no read first).
   */
  async close(id: string, from: EscalationStatus, staffName: string, now: Date, heldBy?: string): Promise<Escalation | undefined> {
    const at = now.toISOString();
    const expected: Expected = heldBy === undefined ? (eb) => eb('status', '=', from) : (eb) => eb.and({ status: from, claimed_by: heldBy });
    return this.changeStatus(id, expected, { status: 'closed', closed_at: at, closed_by: staffName, solved: 'asked', updated_at: at });
  }

  /** Compare-and-set: takes an unclaimed escalation out of the queue, with the reason staff gave. */
  async dismiss(id: string, staffName: string, reason: string, now: Date): Promise<Escalation | undefined> {
    const at = now.toISOString();
    return this.changeStatus(id, (eb) => eb('status', '=', 'waiting'), { status: 'closed', closed_at: at, closed_by: staffName, dismiss_reason: reason, updated_at: at });
  }

  /** Compare-and-set: the claimant hands it back to the queue, at its old place, with a fresh claim window. */
  async release(id: string, staffName: string, now: Date, timeoutS: number): Promise<Escalation | undefined> {
    return this.changeStatus(id, (eb) => eb.and({ status: 'claimed', claimed_by: staffName }), {
      status: 'waiting', claimed_by: null, claimed_at: null, pending_advice: null, due_at: secondsAfter(now, timeoutS).toISOString(), updated_at: now.toISOString(),
    });
  }

  /** Compare-and-set: the claimant passes it to another staff member. */
  async transfer(id: string, from: string, to: string, now: Date): Promise<Escalation | undefined> {
    const at = now.toISOString();
    return this.changeStatus(id, (eb) => eb.and({ status: 'claimed', claimed_by: from }), { claimed_by: to, claimed_at: at, updated_at: at });
  }

  /** Compare-and-set: an ended escalation (closed, dismissed or timed out) is claimed again by `staffName`. */
  async reopen(id: string, staffName: string, now: Date): Promise<Escalation | undefined> {
    const at = now.toISOString();
    return this.changeStatus(id, (eb) => eb('status', 'in', ['closed', 'timed-out']), {
      status: 'claimed', claimed_by: staffName, claimed_at: at, closed_at: null, closed_by: null, solved: null, dismiss_reason: null, updated_at: at,
    });
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

  /**
   * Seconds from request to claim of the most recent claims: the basis of an honest wait estimate.
   * A statistic, asked on every staff call: one read serves the calls of the next few seconds
   * (CLAIM_WAITS_KEPT_MS), and a claim made through this process is counted at once.
   */
  recentClaimWaits(): Promise<number[]> {
    const now = Date.now();
    if (this.claimWaits && now - this.claimWaits.at < CLAIM_WAITS_KEPT_MS) return this.claimWaits.waits;
    const waits = this.readClaimWaits();
    const kept = { at: now, waits };
    this.claimWaits = kept;
    // A failed read is not kept: the next call reads again.
    waits.catch(() => {
      if (this.claimWaits === kept) this.claimWaits = undefined;
    });
    return waits;
  }

  private async readClaimWaits(): Promise<number[]> {
    const rows = await this.db.selectFrom('escalations').select(['created_at', 'claimed_at']).where('claimed_at', 'is not', null).orderBy('claimed_at', 'desc').limit(RECENT_CLAIMS).execute();
    return rows.flatMap((r) => (r.claimed_at ? [secondsBetween(r.created_at, r.claimed_at)] : []));
  }

  async setPendingAdvice(id: string, adviceId: string | null): Promise<void> {
    await this.db.updateTable('escalations').set({ pending_advice: adviceId }).where('id', '=', id).execute();
  }

  /** Clears the pending advice if it is still `adviceId`; true for the one caller that did. */
  takePendingAdvice(id: string, adviceId: string): Promise<boolean> {
    return this.compareAndSet(id, (eb) => eb('pending_advice', '=', adviceId), { pending_advice: null });
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

  setSolved(id: string, answer: 'yes' | 'no' | 'no-answer', now: Date): Promise<boolean> {
    return this.compareAndSet(id, (eb) => eb('solved', '=', 'asked'), { solved: answer, updated_at: now.toISOString() });
  }

  /** Compare-and-set: true only for the first staff message of this escalation, whichever instance sent it. */
  markFirstStaffReply(id: string, now: Date): Promise<boolean> {
    return this.compareAndSet(id, (eb) => eb('first_staff_reply_at', 'is', null), { first_staff_reply_at: now.toISOString() });
  }

  /** The figures operators watch, counted in the store so that every instance reports the same (support records: their repository's). */
  async counts(): Promise<Omit<StoreCounts, 'supportRecordsByReason'>> {
    const escalations = await this.db
      .selectFrom('escalations')
      .select((eb) => ['status', 'hub_state', 'solved', eb.fn.countAll<number>().as('n'), eb.fn.count<number>('claimed_at').as('claimed')])
      .groupBy(['status', 'hub_state', 'solved'])
      .execute();
    const counts: Omit<StoreCounts, 'supportRecordsByReason'> = { escalationsByStatus: {}, escalationsByHubState: {}, escalationsCreated: 0, claims: 0, solvedAnswers: {} };
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
    return counts;
  }

  async setHubState(conversationId: string, state: string, now: Date): Promise<Escalation | undefined> {
    const latest = await this.latestFor(conversationId);
    if (!latest) return undefined;
    await this.db.updateTable('escalations').set({ hub_state: state, updated_at: now.toISOString() }).where('id', '=', latest.id).execute();
    return { ...latest, hubState: state };
  }

  /** The diagnostics snapshot of the conversation's newest escalation, with when it was requested. */
  latestSnapshot(conversationId: string): Promise<Snapshot | undefined> {
    return latestSnapshot(this.db, 'escalations', conversationId);
  }

  /** The one compare-and-set of an escalation: `changes` apply only while `expected` still holds; true for the caller whose update did. */
  private async compareAndSet(id: string, expected: Expected, changes: Updateable<Database['escalations']>): Promise<boolean> {
    const result = await this.db.updateTable('escalations').set(changes).where('id', '=', id).where(expected).executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** A status change: the escalation as changed, or undefined when it was not in the expected state (or does not exist); no second read. */
  private async changeStatus(id: string, expected: Expected, changes: Updateable<Database['escalations']>): Promise<Escalation | undefined> {
    const row = await this.db.updateTable('escalations').set(changes).where('id', '=', id).where(expected).returning(ESCALATION_COLUMNS).executeTakeFirst();
    // A new claim time: the next wait estimate reads the claims again.
    if (row && changes.claimed_at) this.claimWaits = undefined;
    return row ? toEscalation(row) : undefined;
  }
}

type Expected = (eb: ExpressionBuilder<Database, 'escalations'>) => Expression<SqlBool>;

/** Waiting escalations ahead of one created at `createdAt` with `id`: older, or as old with a smaller id. */
function waitingAhead(createdAt: string, id: string): Expected {
  return (eb) => eb.and([eb('status', '=', 'waiting'), eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])])]);
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
