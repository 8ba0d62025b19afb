import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Kysely } from 'kysely';
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
 * With `groupCommit` (SQLite), single-item writes handed in during one turn of the event loop are
 * committed together in one transaction: a commit costs several times a statement, and every turn
 * saves its state. Each write still resolves only once its transaction has committed, and fails
 * alone on its own eTag conflict.
 */
export class SqlBotStorage implements TextStorage {
  private readonly queries;
  private readonly commits?: GroupCommit;

  constructor(
    private readonly db: Kysely<Database>,
    options: { groupCommit?: boolean } = {},
  ) {
    this.queries = statements(db);
    if (options.groupCommit) this.commits = new GroupCommit(db, (trx, write) => this.writeItem(trx, write));
  }

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
    const [row] = (await this.queries.readOne.execute(this.db, { key })).rows;
    return row && { json: row.value, eTag: row.etag };
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
