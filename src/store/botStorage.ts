import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Kysely } from 'kysely';
import { EventLoopBatches } from '../eventLoopBatches';
import { StatementGroupCommit, TransactionGroupCommit, type ItemWrite } from './groupCommits';
import { ETagConflictError } from './storageErrors';
import { ReusableQuery } from './reusableQuery';
import type { Database } from './schema';
import type { StateCache } from './stateCache';

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
  private readonly commits?: TransactionGroupCommit | StatementGroupCommit;
  private readonly reads?: EventLoopBatches<BatchedRead>;
  private readonly cache?: StateCache;

  /** `cache` only where this process is the store's one writer as a rule (SQLite; src/store/stateCache.ts). */
  constructor(
    private readonly db: Kysely<Database>,
    options: { groupCommit?: 'transaction' | 'statement'; cache?: StateCache } = {},
  ) {
    this.cache = options.cache;
    this.queries = statements(db);
    if (options.groupCommit === 'transaction') this.commits = new TransactionGroupCommit(db, (trx, write) => this.writeItem(trx, write));
    if (options.groupCommit === 'statement') {
      this.commits = new StatementGroupCommit(db, (write) => this.writeItem(this.db, write));
      this.reads = new EventLoopBatches<BatchedRead>((reads) => this.readTogether(reads), READ_BATCH);
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    for (const row of await this.rowsOf(keys)) {
      const value: unknown = JSON.parse(row.value);
      items[row.key] = isPlainObject(value) ? { ...value, eTag: row.etag } : value;
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes || typeof changes !== 'object') throw new ReferenceError('Changes are required when writing.');
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    await this.forgettingAround(entries.map(([key]) => key), async () => {
      // One item (every turn's save) is one statement or a compare-and-set pair that needs no
      // transaction: each statement is atomic, and the pair's outcome is the same in any interleaving.
      const [single] = entries;
      if (entries.length === 1 && single) return this.writeOne(itemWrite(single[0], single[1]));
      const writes = entries.map(([key, item]) => itemWrite(key, item));
      await this.db.transaction().execute(async (trx) => {
        for (const write of writes) await this.writeItem(trx, write);
      });
    });
  }

  async readText(key: string): Promise<{ json: string; eTag: string } | undefined> {
    const cached = this.cache?.get(key);
    if (cached) return { json: cached.json, eTag: cached.eTag };
    if (this.reads) {
      const read: BatchedRead = { key };
      await this.reads.add(read);
      return read.found;
    }
    const [row] = (await this.queries.readOne.execute(this.db, { key })).rows;
    return row && { json: row.value, eTag: row.etag };
  }

  /** The stored rows of `keys` (at least one): one key, a turn's usual read, by the statement compiled once. */
  private async rowsOf(keys: string[]): Promise<{ key: string; etag: string; value: string }[]> {
    if (keys.length === 1) return (await this.queries.readOne.execute(this.db, { key: keys[0] })).rows;
    return this.db.selectFrom('bot_state').select(['key', 'etag', 'value']).where('key', 'in', keys).execute();
  }

  /** The reads handed in together, in one statement; each learns its own row. */
  private async readTogether(reads: BatchedRead[]): Promise<void> {
    const rows = await this.rowsOf([...new Set(reads.map((r) => r.key))]);
    const byKey = new Map(rows.map((row) => [row.key, { json: row.value, eTag: row.etag }]));
    for (const read of reads) read.found = byKey.get(read.key);
  }

  async writeText(key: string, json: string, eTag: string): Promise<void> {
    const write = settledWrite(key, json, eTag);
    const cache = this.cache;
    if (!cache) return this.writeOne(write);
    // A `*` write may race another write of this process; a compare-and-set that committed cannot.
    if (eTag === '*') return this.forgettingAround([key], () => this.writeOne(write));
    cache.forget([key]);
    await this.writeOne(write);
    cache.committed(key, { json, eTag: write.values.etag });
  }

  /** One item's write: in the next group commit when there is one. */
  private writeOne(write: ItemWrite): Promise<void> {
    return this.commits ? this.commits.write(write) : this.writeItem(this.db, write);
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0) return;
    await this.forgettingAround(keys, () => this.db.deleteFrom('bot_state').where('key', 'in', keys).execute());
  }

  /** Runs a change of `keys` that the cache cannot follow: they are forgotten before it and after it, whatever its outcome. */
  private async forgettingAround(keys: readonly string[], change: () => Promise<unknown>): Promise<void> {
    this.cache?.forget(keys);
    try {
      await change();
    } finally {
      this.cache?.forget(keys);
    }
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

/** Keys in one batched read at most. */
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
