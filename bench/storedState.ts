import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Pool as PgPool } from 'pg';
import { SQLITE_FILE_NAME } from '../src/store/database';

/**
 * The size of what the bot stores per conversation (its `bot_state` row: dialog stack and
 * diagnostics record; transcripts are a table of their own), read straight from the bench's
 * database: the mean length in bytes of the rows whose key holds `conversationPrefix`.
 */
export async function storedStateBytes(store: { databaseUrl?: string; schema?: string; dataDir?: string }, conversationPrefix: string): Promise<number> {
  const pattern = `%${conversationPrefix}-%`;
  if (store.databaseUrl && store.schema) {
    const pool = new PgPool({ connectionString: store.databaseUrl, max: 1 });
    try {
      const result = await pool.query<{ bytes: string | null }>(`select avg(octet_length(value)) as bytes from "${store.schema}".bot_state where key like $1`, [pattern]);
      return Math.round(Number(result.rows[0]?.bytes ?? 0));
    } finally {
      await pool.end();
    }
  }
  if (!store.dataDir) return 0;
  const db = new SqliteDatabase(path.join(store.dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare<[string], { bytes: number | null }>('select avg(length(cast(value as blob))) as bytes from bot_state where key like ?').get(pattern);
    return Math.round(row?.bytes ?? 0);
  } finally {
    db.close();
  }
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const pool = new PgPool({ connectionString: databaseUrl, max: 1 });
  try {
    await pool.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await pool.end();
  }
}
