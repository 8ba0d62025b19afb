import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { namingStatements } from '../../src/store/namedStatements';
import { announceSkip, postgresBackend, TEST_DATABASE_URL } from '../helpers/stores';

// pg's connection class, whose parse() sends a Parse message: one per statement the server parses.
const { prototype: connection } = require('pg/lib/connection') as { prototype: { parse(query: { name?: string; text: string }): void } };

interface Tables {
  talks: { id: number; title: string; room?: string };
}

announceSkip(postgresBackend, 'named statements');

describe.skipIf(!postgresBackend.available)('named statements on PostgreSQL', () => {
  let schema: string;
  let pool: Pool;
  let db: Kysely<Tables>;
  const open = (limit?: number) => {
    // One connection, so what one statement left on it is what the next finds.
    pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1, options: `-c search_path=${schema}` });
    db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: namingStatements(pool, limit) }) });
  };
  const talk = (id: number) => db.selectFrom('talks').selectAll().where('id', '=', id).execute();
  const prepared = async () => (await sql<{ statement: string }>`select statement from pg_prepared_statements order by prepare_time`.execute(db)).rows.map((r) => r.statement);

  beforeEach(async () => {
    schema = `test_${randomBytes(6).toString('hex')}`;
    const admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.query(`create schema ${schema}; create table ${schema}.talks (id int primary key, title text not null); insert into ${schema}.talks values (1, 'Keynote'), (2, 'Lightning talks')`);
    await admin.end();
    open();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await db.destroy();
    const admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it('parses a statement once per connection, then runs it with new values', async () => {
    const parse = vi.spyOn(connection, 'parse');
    expect(await talk(1)).toEqual([{ id: 1, title: 'Keynote' }]);
    expect(await talk(2)).toEqual([{ id: 2, title: 'Lightning talks' }]);
    expect(await talk(1)).toEqual([{ id: 1, title: 'Keynote' }]);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(parse.mock.calls[0]?.[0].name).toMatch(/^tsb_\d+$/);
    expect(await prepared()).toEqual([expect.stringMatching(/^select \* from "talks" where "id" = \$1$/)]);
  });

  it('leaves transaction commands, statements without values and DDL unnamed', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('talks').values({ id: 3, title: 'Panel' }).execute();
      await sql`select count(*) from talks`.execute(trx);
    });
    await db.schema.createIndex('talks_title').on('talks').column('title').execute();
    expect(await prepared()).toEqual([expect.stringMatching(/^insert into "talks"/)]);
  });

  it('keeps working when a migration changes the columns under a select * it prepared', async () => {
    await talk(1);
    // PostgreSQL refuses to run the kept plan now: "cached plan must not change result type".
    await sql`alter table talks add column room text`.execute(db);
    expect(await talk(1)).toEqual([{ id: 1, title: 'Keynote', room: null }]);
    // Named again under a new name, parsed against the table as it is.
    expect(await talk(2)).toEqual([{ id: 2, title: 'Lightning talks', room: null }]);
  });

  it('inside a transaction, fails that transaction as any error would; the next run outside works', async () => {
    await talk(1);
    await sql`alter table talks add column room text`.execute(db);
    await expect(db.transaction().execute(async (trx) => trx.selectFrom('talks').selectAll().where('id', '=', 1).execute())).rejects.toMatchObject({ code: '0A000' });
    expect(await talk(1)).toEqual([{ id: 1, title: 'Keynote', room: null }]);
  });

  it('runs a statement again when the server no longer has it (a pooler, DISCARD ALL)', async () => {
    await talk(1);
    await sql`deallocate all`.execute(db);
    expect(await talk(2)).toEqual([{ id: 2, title: 'Lightning talks' }]);
    expect(await talk(1)).toEqual([{ id: 1, title: 'Keynote' }]);
  });

  it('names at most the limit of distinct statements; the ones after run unnamed', async () => {
    await db.destroy();
    open(2);
    await talk(1);
    await db.selectFrom('talks').select('title').where('id', '=', 1).execute();
    await db.selectFrom('talks').select('id').where('title', '=', 'Keynote').execute();
    const parse = vi.spyOn(connection, 'parse');
    expect(await db.selectFrom('talks').select('id').where('title', '=', 'Panel').execute()).toEqual([]);
    expect(parse.mock.calls.map(([query]) => query.name ?? '')).toEqual(['']);
    expect(await prepared()).toHaveLength(2);
  });
});
