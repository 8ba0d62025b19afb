import { sql, type Kysely } from 'kysely';
import { EventLoopBatches } from '../eventLoopBatches';
import { ReusableQuery } from './reusableQuery';
import type { Database } from './schema';
import { ETagConflictError } from './storageErrors';

/**
 * How the bot state's single-item writes handed in together (every turn saves its state) are
 * written together, each still settled with its own outcome (src/store/botStorage.ts).
 */

/** One item's write, its values settled when it was handed in. */
export interface ItemWrite {
  key: string;
  values: { key: string; etag: string; value: string; updatedAt: string; expected: string };
}

/**
 * Group commit of single-item writes on SQLite (EventLoopBatches): the writes of one batch run in one
 * transaction, in the order they came (two turns of one conversation compare-and-set as they would
 * one after the other). A write that meets an eTag conflict changes nothing and fails alone; the
 * others commit. Should the transaction itself fail, nothing of it was stored, and each write is
 * tried again on its own, so each caller learns its own outcome.
 */
export class TransactionGroupCommit {
  static readonly MAX_BATCH = 256;
  private readonly batches = new EventLoopBatches<ItemWrite>((writes) => this.commit(writes), TransactionGroupCommit.MAX_BATCH);

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
        // Inside the transaction only an eTag conflict is a write's own; anything else fails the batch.
        for (const write of writes) {
          const outcome = await outcomeOf(this.writeItem(trx, write));
          if (outcome !== undefined && !(outcome instanceof ETagConflictError)) throw outcome;
          outcomes.push(outcome);
        }
      });
    } catch {
      return this.eachAlone(writes);
    }
    return outcomes;
  }

  private async eachAlone(writes: ItemWrite[]): Promise<unknown[]> {
    const outcomes: unknown[] = [];
    for (const write of writes) outcomes.push(await outcomeOf(this.writeItem(this.db, write)));
    return outcomes;
  }
}

/** A write's outcome as EventLoopBatches takes it: undefined when done, else its error. */
function outcomeOf(write: Promise<void>): Promise<unknown> {
  return write.then(() => undefined, (error: unknown) => error);
}

/**
 * Group commit in one statement (PostgreSQL): the writes of a batch, at most one per key, are one
 * compare-and-set of many rows — rows whose eTag matches (or `*`) are updated, keys with no row
 * are inserted, and the keys written come back; a key not written met an eTag conflict. (Two
 * writes of one key in a batch go in statements one after the other, in the order they came.)
 * A `*` write beaten by a concurrent insert, and every write of a statement that failed (nothing
 * of it was stored), are tried again alone, so each caller learns its own outcome.
 */
export class StatementGroupCommit {
  static readonly MAX_BATCH = 256;
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
    const outcomes = new Map<ItemWrite, unknown>();
    // Each round takes the first write left of every key.
    for (let pending = writes; pending.length > 0; ) {
      const keys = new Set<string>();
      const round = pending.filter((w) => !keys.has(w.key) && keys.add(w.key));
      (await this.commitOnce(round)).forEach((outcome, i) => outcomes.set(round[i] as ItemWrite, outcome));
      pending = pending.filter((w) => !outcomes.has(w));
    }
    return writes.map((w) => outcomes.get(w));
  }

  /** Writes of distinct keys: one statement, then alone what it could not settle. */
  private async commitOnce(writes: ItemWrite[]): Promise<unknown[]> {
    let written: Set<string>;
    try {
      const values: Record<string, string> = {};
      writes.forEach(({ values: v }, i) => Object.assign(values, { [`key${i}`]: v.key, [`etag${i}`]: v.etag, [`value${i}`]: v.value, [`at${i}`]: v.updatedAt, [`expected${i}`]: v.expected }));
      written = new Set((await this.batchWrite(writes.length).execute(this.db, values)).rows.map((row) => row.key));
    } catch {
      return Promise.all(writes.map((write) => outcomeOf(this.writeAlone(write))));
    }
    return Promise.all(writes.map(async (write) => {
      if (written.has(write.key)) return undefined;
      if (write.values.expected !== '*') return new ETagConflictError(write.key);
      return outcomeOf(this.writeAlone(write));
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
