import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Kysely } from 'kysely';
import { isDiagnosticsRecord, type DiagnosticsRecord } from '../diagnosis';
import type { Database } from '../store';

/** Short ids people can read out or type ("SR-7K2Q9M4D"); collisions are refused by the primary key. */
export function newId(prefix: 'E' | 'SR'): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const bytes = randomBytes(8);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return `${prefix}-${id}`;
}

export function parseRecord(json: string): DiagnosticsRecord | null {
  const value: unknown = JSON.parse(json);
  return isDiagnosticsRecord(value) ? value : null;
}

export function parseArray(json: string): unknown[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value : [];
}

export function parseActivity(json: string): Partial<Activity> {
  const value: unknown = JSON.parse(json);
  return typeof value === 'object' && value !== null ? value : {};
}

/** A conversation's diagnostics as a stored escalation or support record kept them, with when. */
export interface Snapshot {
  diagnostics: DiagnosticsRecord | null;
  createdAt: string;
}

/** The snapshot in the conversation's newest row of `table`. */
export async function latestSnapshot(db: Kysely<Database>, table: 'escalations' | 'support_records', conversationId: string): Promise<Snapshot | undefined> {
  const row = await db
    .selectFrom(table)
    .select(['diagnostics', 'created_at'])
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? { diagnostics: parseRecord(row.diagnostics), createdAt: row.created_at } : undefined;
}
