import type { Activity } from 'botbuilder';
import type { Kysely } from 'kysely';
import { ReusableQuery, type Database } from '../store';
import { parseActivity } from './storedRows';

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

/** The transcript of every conversation, in and out, and the step outcomes the reports read from it. */
export class TranscriptRepository {
  private readonly transcriptInserts = new Map<number, ReusableQuery<string>>();

  constructor(private readonly db: Kysely<Database>) {}

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

  /** The channel a conversation id belongs to, if its transcript has a row. */
  async channelOf(conversationId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('transcript_activities').select('channel_id').where('conversation_id', '=', conversationId).limit(1).executeTakeFirst();
    return row?.channel_id;
  }
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
