import type { Kysely } from 'kysely';
import type { MigrationParts } from './migrationParts';

/**
 * Tables of the local web-chat channel (src/channel): its conversations, the hashes of the
 * tokens it issued, and each conversation's activity log. `seq` is the per-conversation
 * sequence number that Direct Line clients see as the watermark.
 */
export interface ChannelConversationTable {
  id: string;
  /** The user id bound to the conversation at start; posted activities are attributed to it. */
  user_id: string;
  /** The highest `seq` handed out so far; bumped in the same transaction as each insert. */
  last_seq: number;
  created_at: string;
}

export interface ChannelTokenTable {
  /** SHA-256 of the token (hex): a leaked database does not leak usable tokens. */
  token_hash: string;
  conversation_id: string;
  expires_at: string;
  created_at: string;
}

export interface ChannelActivityTable {
  conversation_id: string;
  seq: number;
  /** The activity id clients see (`<conversationId>|<seq>`), kept when the activity is updated. */
  activity_id: string;
  /** The activity as JSON. */
  activity: string;
  created_at: string;
}

export interface ChannelTables {
  channel_conversations: ChannelConversationTable;
  channel_tokens: ChannelTokenTable;
  channel_activities: ChannelActivityTable;
}

/** This group's share of the numbered migrations (src/store/migrations.ts). */
export const channelMigrations: MigrationParts = {
  async '010-channel'(db: Kysely<unknown>) {
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
  async '040-limits'(db: Kysely<unknown>) {
    // A conversation's tokens are pruned on every refresh.
    await db.schema.createIndex('channel_tokens_conversation').on('channel_tokens').columns(['conversation_id', 'created_at']).execute();
  },
};
