import { LRUCache } from 'lru-cache';

/** A state as this process last committed it: its JSON text and eTag. */
export interface CachedState {
  json: string;
  eTag: string;
}

/** What the cache holds at most, counted as the JSON texts' UTF-16 size (about 10 000 conversations). */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The conversation states this process last wrote, for the SQLite store, so that a turn's read of
 * its state — a statement, the connection's queue and a few promise hops on every turn — is
 * usually no read at all: the state a turn reads is almost always the one this process saved at
 * the end of the conversation's previous turn.
 *
 * Only a compare-and-set write that committed fills it: that write is the one successor of the
 * eTag it expected, so no other write of this process can have overtaken it. Every other write,
 * a conflict, a failure or a delete of the key empties the key. A write by any other connection
 * to the file (a second process, a repair by hand) changes SQLite's `data_version`, which is
 * read on every lookup: the whole cache is emptied before anything is read from it. Commits of
 * this process's own connection do not change it, so `bot_state` must be written only through
 * SqlBotStorage (src/store/botStorage.ts), as it is.
 */
export class StateCache {
  private readonly items: LRUCache<string, CachedState>;
  private seenVersion: number;

  /** `dataVersion`: SQLite's `PRAGMA data_version` on the connection the store writes with. */
  constructor(private readonly dataVersion: () => number, maxBytes = DEFAULT_MAX_BYTES) {
    this.items = new LRUCache<string, CachedState>({ maxSize: maxBytes, sizeCalculation: (state, key) => 2 * (state.json.length + state.eTag.length + key.length) + 64 });
    this.seenVersion = dataVersion();
  }

  get(key: string): CachedState | undefined {
    const version = this.dataVersion();
    if (version !== this.seenVersion) {
      this.items.clear();
      this.seenVersion = version;
      return undefined;
    }
    return this.items.get(key);
  }

  /** After a compare-and-set write of `key` committed. */
  committed(key: string, state: CachedState): void {
    this.items.set(key, state);
  }

  forget(keys: readonly string[]): void {
    for (const key of keys) this.items.delete(key);
  }
}
