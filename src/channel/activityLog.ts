import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store';
import type { ChannelActivity } from './activities';
import { AppError } from '../errors';

export interface ChannelConversation {
  id: string;
  userId: string;
}

/**
 * What the channel keeps: conversations, hashed tokens and each conversation's activity log.
 * It lives in the store (SQLite or PostgreSQL), so several instances serve the same
 * conversations and nothing is lost when the process restarts.
 */
export interface ActivityLog {
  createConversation(conversation: ChannelConversation, token: { hash: string; expiresAt: Date }): Promise<void>;
  /** Adds a token to a conversation and retires its oldest so that `keep` remain. */
  addToken(conversationId: string, token: { hash: string; expiresAt: Date }, keep: number): Promise<void>;
  /** The conversation a token opens, if the token exists and has not expired. */
  findToken(hash: string, now: Date): Promise<{ conversationId: string; expiresAt: Date } | undefined>;
  findConversation(id: string): Promise<ChannelConversation | undefined>;
  /** Appends an activity, giving it the next sequence number and the id `<conversationId>|<seq>`. */
  append(conversationId: string, activity: ChannelActivity): Promise<{ id: string; seq: number } | undefined>;
  /** Activities with a sequence number above `watermark`, oldest first. */
  after(conversationId: string, watermark: number, limit: number): Promise<{ seq: number; activity: ChannelActivity }[]>;
  /** Replaces an activity and moves it to the end of the log, so polling clients receive the new version. */
  replace(conversationId: string, activityId: string, activity: ChannelActivity): Promise<boolean>;
  remove(conversationId: string, activityId: string): Promise<boolean>;
  /** Whether the conversation's log holds this activity. */
  has(conversationId: string, activityId: string): Promise<boolean>;
}

/** Azure Direct Line's id form: the conversation id, a bar, the sequence number padded to 7 digits. */
export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

export class SqlActivityLog implements ActivityLog {
  constructor(private readonly db: Kysely<Database>) {}

  async createConversation(conversation: ChannelConversation, token: { hash: string; expiresAt: Date }): Promise<void> {
    const now = new Date().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('channel_conversations').values({ id: conversation.id, user_id: conversation.userId, last_seq: 0, created_at: now }).execute();
      await insertToken(trx, conversation.id, token);
      // Expired tokens are useless; clearing them here keeps the table small without a timer.
      await trx.deleteFrom('channel_tokens').where('expires_at', '<', now).execute();
    });
  }

  async addToken(conversationId: string, token: { hash: string; expiresAt: Date }, keep: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Refreshes of one conversation take turns (the row lock on PostgreSQL), so each prune sees the others' tokens.
      await trx.updateTable('channel_conversations').set((eb) => ({ last_seq: eb.ref('last_seq') })).where('id', '=', conversationId).execute();
      await insertToken(trx, conversationId, token);
      // The new token always stays (refreshes within one millisecond tie on created_at).
      const previous = trx
        .selectFrom('channel_tokens')
        .select('token_hash')
        .where('conversation_id', '=', conversationId)
        .where('token_hash', '!=', token.hash)
        .orderBy('created_at', 'desc')
        .limit(keep - 1);
      await trx.deleteFrom('channel_tokens').where('conversation_id', '=', conversationId).where('token_hash', '!=', token.hash).where('token_hash', 'not in', previous).execute();
    });
  }

  async findToken(hash: string, now: Date): Promise<{ conversationId: string; expiresAt: Date } | undefined> {
    const row = await this.db
      .selectFrom('channel_tokens')
      .select(['conversation_id', 'expires_at'])
      .where('token_hash', '=', hash)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return row && { conversationId: row.conversation_id, expiresAt: new Date(row.expires_at) };
  }

  async findConversation(id: string): Promise<ChannelConversation | undefined> {
    const row = await this.db.selectFrom('channel_conversations').select(['id', 'user_id']).where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, userId: row.user_id };
  }

  async append(conversationId: string, activity: ChannelActivity): Promise<{ id: string; seq: number } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const seq = await nextSeq(trx, conversationId);
      if (seq === undefined) return undefined;
      const id = activityId(conversationId, seq);
      await trx
        .insertInto('channel_activities')
        .values({ conversation_id: conversationId, seq, activity_id: id, activity: JSON.stringify({ ...activity, id }), created_at: new Date().toISOString() })
        .execute();
      return { id, seq };
    });
  }

  async after(conversationId: string, watermark: number, limit: number): Promise<{ seq: number; activity: ChannelActivity }[]> {
    const rows = await this.db
      .selectFrom('channel_activities')
      .select(['seq', 'activity'])
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', watermark)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ seq: Number(row.seq), activity: parseStored(row.activity) }));
  }

  async replace(conversationId: string, id: string, activity: ChannelActivity): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('channel_activities').select('seq').where('conversation_id', '=', conversationId).where('activity_id', '=', id).executeTakeFirst();
      if (!existing) return false;
      const seq = await nextSeq(trx, conversationId);
      if (seq === undefined) return false;
      await trx
        .updateTable('channel_activities')
        .set({ seq, activity: JSON.stringify({ ...activity, id }) })
        .where('conversation_id', '=', conversationId)
        .where('activity_id', '=', id)
        .execute();
      return true;
    });
  }

  async has(conversationId: string, id: string): Promise<boolean> {
    const row = await this.db.selectFrom('channel_activities').select('seq').where('conversation_id', '=', conversationId).where('activity_id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  async remove(conversationId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('channel_activities').where('conversation_id', '=', conversationId).where('activity_id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

async function insertToken(db: Kysely<Database> | Transaction<Database>, conversationId: string, token: { hash: string; expiresAt: Date }): Promise<void> {
  await db
    .insertInto('channel_tokens')
    .values({ token_hash: token.hash, conversation_id: conversationId, expires_at: token.expiresAt.toISOString(), created_at: new Date().toISOString() })
    .execute();
}

/**
 * Bumps the conversation's counter and returns the new value. The row lock taken by the
 * update (PostgreSQL) or the single writer (SQLite) holds until commit, so activities become
 * visible in sequence order and a poller never skips one.
 */
async function nextSeq(trx: Transaction<Database>, conversationId: string): Promise<number | undefined> {
  const row = await trx
    .updateTable('channel_conversations')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
    .where('id', '=', conversationId)
    .returning('last_seq')
    .executeTakeFirst();
  return row && Number(row.last_seq);
}

function parseStored(json: string): ChannelActivity {
  const value: unknown = JSON.parse(json);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'type' in value && typeof value.type === 'string') {
    return { ...value, type: value.type };
  }
  throw new AppError('STORED_DATA_INVALID', 'A stored channel activity is not an activity object.');
}
