import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../errors';
import { EventLoopBatches } from '../eventLoopBatches';
import { ReusableQuery } from './reusableQuery';
import type { Database } from './schema';

/** The message botbuilder's own stores (MemoryStorage, BlobsStorage) use, so callers can match on it. */
export function eTagConflictMessage(key: string): string {
  return `Storage: error writing "${key}" due to eTag conflict.`;
}

/**
 * A `Storage` that also hands out and takes an item as its JSON text (without the eTag). The
 * conversation state compares the state as text on every turn: with the text it was read from it
 * needs neither to serialise the state once more nor to copy it around the eTag.
 */
export interface TextStorage extends Storage {
  /** The item's JSON text and eTag; undefined when the key has none. */
  readText(key: string): Promise<{ json: string; eTag: string } | undefined>;
  /** Writes the item whose JSON text is `json`, with `write`'s eTag contract (`*`: unconditionally). */
  writeText(key: string, json: string, eTag: string): Promise<void>;
}

export function isTextStorage(storage: Storage): storage is TextStorage {
  return 'readText' in storage && 'writeText' in storage;
}

export class ETagConflictError extends AppError {
  readonly statusCode = 412;
  constructor(readonly key: string) {
    super('ETAG_CONFLICT', eTagConflictMessage(key));
  }
}

/** One item's write, its values settled when it was handed in. */
interface ItemWrite {
  key: string;
  values: { key: string; etag: string; value: string; updatedAt: string; expected: string };
}

/**
 * botbuilder `Storage` on the SQL store, with the eTag contract of botbuilder's stores:
 * no eTag or `*` writes unconditionally; any other eTag must match the stored one, else the
 * write fails with an eTag conflict; an eTag on a key that does not exist yet is ignored (as
 * MemoryStorage). Unlike MemoryStorage, a batch is atomic: one conflict writes nothing.
 *
 * With `groupCommit`, single-item writes handed in during one turn of the event loop are written
 * together, since every turn saves its state: on SQLite in one transaction (a commit costs several
 * times a statement), on PostgreSQL in one statement (each statement is a round trip, and the
 * server's work per statement is shared), where the turns' reads of their state are also read
 * together. Each write still resolves only once it is committed, and fails alone on its own eTag
 * conflict.
 */
export class SqlBotStorage implements TextStorage {
  private readonly queries;
  private readonly commits?: GroupCommit | StatementGroupCommit;

  constructor(
    private readonly db: Kysely<Database>,
    options: { groupCommit?: 'transaction' | 'statement' } = {},
  ) {
    this.queries = statements(db);
    const writeAlone = (write: ItemWrite) => this.writeItem(this.db, write);
    if (options.groupCommit === 'transaction') this.commits = new GroupCommit(db, (trx, write) => this.writeItem(trx, write));
    if (options.groupCommit === 'statement') {
      this.commits = new StatementGroupCommit(db, writeAlone);
      this.reads = new EventLoopBatches<BatchedRead>((reads) => this.readTogether(reads), READ_BATCH);
    }
  }

  private readonly reads?: EventLoopBatches<BatchedRead>;

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    // A turn reads one key, its conversation's: that statement is compiled once.
    const rows = keys.length === 1 ? (await this.queries.readOne.execute(this.db, { key: keys[0] })).rows : await this.db.selectFrom('bot_state').select(['key', 'etag', 'value']).where('key', 'in', keys).execute();
    for (const row of rows) {
      const value: unknown = JSON.parse(row.value);
      items[row.key] = isPlainObject(value) ? { ...value, eTag: row.etag } : value;
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes || typeof changes !== 'object') throw new ReferenceError('Changes are required when writing.');
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    // One item (every turn's save) is one statement or a compare-and-set pair that needs no
    // transaction: each statement is atomic, and the pair's outcome is the same in any interleaving.
    const [single] = entries;
    if (entries.length === 1 && single) {
      const write = itemWrite(single[0], single[1]);
      return this.commits ? this.commits.write(write) : this.writeItem(this.db, write);
    }
    const writes = entries.map(([key, item]) => itemWrite(key, item));
    await this.db.transaction().execute(async (trx) => {
      for (const write of writes) await this.writeItem(trx, write);
    });
  }

  async readText(key: string): Promise<{ json: string; eTag: string } | undefined> {
    if (this.reads) {
      const read: BatchedRead = { key };
      await this.reads.add(read);
      return read.found;
    }
    const [row] = (await this.queries.readOne.execute(this.db, { key })).rows;
    return row && { json: row.value, eTag: row.etag };
  }

  /** The reads handed in together, in one statement; each learns its own row. */
  private async readTogether(reads: BatchedRead[]): Promise<void> {
    const keys = [...new Set(reads.map((r) => r.key))];
    const rows = keys.length === 1 ? (await this.queries.readOne.execute(this.db, { key: keys[0] })).rows : await this.db.selectFrom('bot_state').select(['key', 'etag', 'value']).where('key', 'in', keys).execute();
    const byKey = new Map(rows.map((row) => [row.key, { json: row.value, eTag: row.etag }]));
    for (const read of reads) read.found = byKey.get(read.key);
  }

  writeText(key: string, json: string, eTag: string): Promise<void> {
    const write = settledWrite(key, json, eTag);
    return this.commits ? this.commits.write(write) : this.writeItem(this.db, write);
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0) return;
    await this.db.deleteFrom('bot_state').where('key', 'in', keys).execute();
  }

  private async writeItem(db: Kysely<Database>, { key, values }: ItemWrite): Promise<void> {
    if (values.expected === '*') {
      await this.queries.upsert.execute(db, values);
      return;
    }
    // Compare-and-set: the row changes only if nobody wrote it since the caller read it.
    const updated = await this.queries.compareAndSet.execute(db, values);
    if ((updated.numAffectedRows ?? 0n) > 0n) return;
    const inserted = await this.queries.insertNew.execute(db, values);
    if ((inserted.numAffectedRows ?? 0n) === 0n) throw new ETagConflictError(key);
  }
}

/** A state read waiting for its batch, and what it found. */
interface BatchedRead {
  key: string;
  found?: { json: string; eTag: string };
}

/** Keys in one batched read or write statement at most (PostgreSQL takes 65 535 parameters). */
const READ_BATCH = 256;

/** What is written for an item: its JSON text without the eTag, a new eTag, the eTag expected. */
function itemWrite(key: string, item: unknown): ItemWrite {
  const plain = isPlainObject(item);
  const expected = plain && typeof item.eTag === 'string' ? item.eTag : '*';
  return settledWrite(key, JSON.stringify(plain ? withoutETag(item) : item), expected);
}

function settledWrite(key: string, value: string, expected: string): ItemWrite {
  return { key, values: { key, etag: randomUUID(), value, updatedAt: new Date().toISOString(), expected } };
}

/**
 * Group commit of single-item writes (EventLoopBatches): the writes of one batch run in one
 * transaction, in the order they came (two turns of one conversation compare-and-set as they would
 * one after the other). A write that meets an eTag conflict changes nothing and fails alone; the
 * others commit. Should the transaction itself fail, nothing of it was stored, and each write is
 * tried again on its own, so each caller learns its own outcome.
 */
class GroupCommit {
  static readonly MAX_BATCH = 256;
  private readonly batches = new EventLoopBatches<ItemWrite>((writes) => this.commit(writes), GroupCommit.MAX_BATCH);

  constructor(
    private readonly db: Kysely<Database>,
    private readonly writeItem: (db: Kysely<Database>, write: ItemWrite) => Promise<void>,
  ) {}

  write(write: ItemWrite): Promise<void> {
    return this.batches.add(write);
  }

  private async commit(writes: ItemWrite[]): Promise<unknown[]> {
    if (writes.length === 1) return this.eachAlone(writes);
    const outcomes: unknown[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const write of writes) outcomes.push(await this.outcomeOf(() => this.writeItem(trx, write), true));
      });
    } catch {
      return this.eachAlone(writes);
    }
    return outcomes;
  }

  private async eachAlone(writes: ItemWrite[]): Promise<unknown[]> {
    const outcomes: unknown[] = [];
    for (const write of writes) outcomes.push(await this.outcomeOf(() => this.writeItem(this.db, write), false));
    return outcomes;
  }

  /** Undefined when the write is done, else its error; inside a transaction only an eTag conflict is its own (anything else fails the batch). */
  private async outcomeOf(write: () => Promise<void>, inTransaction: boolean): Promise<unknown> {
    try {
      await write();
      return undefined;
    } catch (error) {
      if (inTransaction && !(error instanceof ETagConflictError)) throw error;
      return error;
    }
  }
}

/**
 * Group commit in one statement (PostgreSQL): the writes of a batch, at most one per key, are one
 * compare-and-set of many rows — rows whose eTag matches (or `*`) are updated, keys with no row
 * are inserted, and the keys written come back; a key not written met an eTag conflict. (Two
 * writes of one key in a batch go in statements one after the other, in the order they came.)
 * A `*` write beaten by a concurrent insert, and every write of a statement that failed (nothing
 * of it was stored), are tried again alone, so each caller learns its own outcome.
 */
class StatementGroupCommit {
  static readonly MAX_BATCH = READ_BATCH;
  private readonly batches = new EventLoopBatches<ItemWrite>((writes) => this.commit(writes), StatementGroupCommit.MAX_BATCH);
  private readonly batchWrites = new Map<number, ReusableQuery<string, { key: string }>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly writeAlone: (write: ItemWrite) => Promise<void>,
  ) {}

  write(write: ItemWrite): Promise<void> {
    return this.batches.add(write);
  }

  private async commit(writes: ItemWrite[]): Promise<unknown[]> {
    const outcomes: unknown[] = [];
    let pending = writes.map((_, i) => i);
    while (pending.length > 0) {
      const keys = new Set<string>();
      const now: number[] = [];
      const later: number[] = [];
      for (const i of pending) {
        const key = writes[i]?.key ?? '';
        if (keys.has(key)) later.push(i);
        else {
          keys.add(key);
          now.push(i);
        }
      }
      const round = now.map((i) => writes[i]).filter((w): w is ItemWrite => w !== undefined);
      const results = await this.commitOnce(round);
      now.forEach((i, n) => (outcomes[i] = results[n]));
      pending = later;
    }
    return outcomes;
  }

  /** Writes of distinct keys: one statement, then alone what it could not settle. */
  private async commitOnce(writes: ItemWrite[]): Promise<unknown[]> {
    let written: Set<string>;
    try {
      const values: Record<string, string> = {};
      writes.forEach(({ values: v }, i) => Object.assign(values, { [`key${i}`]: v.key, [`etag${i}`]: v.etag, [`value${i}`]: v.value, [`at${i}`]: v.updatedAt, [`expected${i}`]: v.expected }));
      written = new Set((await this.batchWrite(writes.length).execute(this.db, values)).rows.map((row) => row.key));
    } catch {
      return Promise.all(writes.map((write) => this.writeAlone(write).then(() => undefined, (error: unknown) => error)));
    }
    return Promise.all(writes.map(async (write) => {
      if (written.has(write.key)) return undefined;
      if (write.values.expected !== '*') return new ETagConflictError(write.key);
      return this.writeAlone(write).then(() => undefined, (error: unknown) => error);
    }));
  }

  /** The compare-and-set of `rows` rows, compiled once per row count. */
  private batchWrite(rows: number): ReusableQuery<string, { key: string }> {
    let query = this.batchWrites.get(rows);
    if (!query) {
      query = new ReusableQuery<string, { key: string }>((slot) => {
        const input = sql.join(Array.from({ length: rows }, (_, i) => sql`(${slot(`key${i}`)}::text, ${slot(`etag${i}`)}::text, ${slot(`value${i}`)}::text, ${slot(`at${i}`)}::text, ${slot(`expected${i}`)}::text)`));
        const statement = sql<{ key: string }>`with input (key, etag, value, updated_at, expected) as (values ${input}),
          updated as (
            update bot_state as s set etag = i.etag, value = i.value, updated_at = i.updated_at from input as i
            where s.key = i.key and (i.expected = '*' or s.etag = i.expected) returning s.key),
          inserted as (
            insert into bot_state (key, etag, value, updated_at)
            select i.key, i.etag, i.value, i.updated_at from input as i where not exists (select 1 from updated as u where u.key = i.key)
            on conflict (key) do nothing returning key)
          select key from updated union all select key from inserted`;
        return { compile: () => statement.compile(this.db) };
      });
      this.batchWrites.set(rows, query);
    }
    return query;
  }
}

function statements(db: Kysely<Database>) {
  type Slot = 'key' | 'etag' | 'value' | 'updatedAt';
  const written = (slot: (name: Slot) => string) => ({ etag: slot('etag'), value: slot('value'), updated_at: slot('updatedAt') });
  return {
    readOne: new ReusableQuery<'key', { key: string; etag: string; value: string }>((slot) => db.selectFrom('bot_state').select(['key', 'etag', 'value']).where('key', '=', slot('key'))),
    upsert: new ReusableQuery<Slot>((slot) =>
      db
        .insertInto('bot_state')
        .values({ key: slot('key'), ...written(slot) })
        .onConflict((oc) => oc.column('key').doUpdateSet(written(slot))),
    ),
    compareAndSet: new ReusableQuery<Slot | 'expected'>((slot) => db.updateTable('bot_state').set(written(slot)).where('key', '=', slot('key')).where('etag', '=', slot('expected'))),
    // An eTag on a key that does not exist yet is ignored (as MemoryStorage): the first write creates it.
    insertNew: new ReusableQuery<Slot>((slot) => db.insertInto('bot_state').values({ key: slot('key'), ...written(slot) }).onConflict((oc) => oc.column('key').doNothing())),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutETag(item: Record<string, unknown>): Record<string, unknown> {
  const { eTag: _ignored, ...rest } = item;
  return rest;
}
