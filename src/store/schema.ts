import type { Generated } from 'kysely';
import type { ChannelTables } from './channelTables';
import type { EscalationTables } from './escalationTables';
import type { SupportRecordTables } from './supportRecordTables';
import type { TranscriptTables } from './transcriptTables';

/**
 * The tables of the store, shared by both backends. Timestamps are ISO-8601 text and JSON
 * documents are text, so the same queries run unchanged on SQLite and PostgreSQL.
 */
export interface BotStateTable {
  key: string;
  etag: string;
  value: string;
  updated_at: string;
}

export interface Database extends ChannelTables, EscalationTables, SupportRecordTables, TranscriptTables {
  bot_state: BotStateTable;
}

export type { Generated };
