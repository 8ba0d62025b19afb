import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ETagConflictError, SqlBotStorage } from '../../src/store';
import { openDatabase, SQLITE_FILE_NAME } from '../../src/store/database';
import { StateCache } from '../../src/store/stateCache';
import { sqliteStatementsDuring } from '../helpers/sqlStatements';
import { sqliteBackend, storePerTest } from '../helpers/stores';

const stateReads = (sources: string[]) => sources.filter((source) => /from "bot_state"/.test(source));

describe('the SQLite store reads the state this process saved last from memory', () => {
  const t = storePerTest(sqliteBackend);

  it('a state saved by compare-and-set is read back without a statement, eTag and text as stored', async () => {
    const { storage } = t.store;
    await storage.writeText('conversation/1', '{"turn":1}', '*');
    const first = await storage.readText('conversation/1');
    await storage.writeText('conversation/1', '{"turn":2}', first?.eTag ?? '');
    const { result: cached, sources } = await sqliteStatementsDuring(() => storage.readText('conversation/1'));
    expect(stateReads(sources)).toEqual([]);
    // What the store holds, read past the cache.
    const stored = (await storage.read(['conversation/1']))['conversation/1'] as { turn: number; eTag: string };
    expect(cached).toEqual({ json: '{"turn":2}', eTag: stored.eTag });
    expect(stored.turn).toBe(2);
  });

  it('a commit by another connection to the file empties it: the next read returns what that one wrote', async () => {
    const { storage } = t.store;
    await storage.writeText('conversation/2', '{"by":"bot"}', '*');
    await storage.writeText('conversation/2', '{"by":"bot","turn":2}', (await storage.readText('conversation/2'))?.eTag ?? '');
    const other = new SqliteDatabase(path.join(t.options.dataDir, SQLITE_FILE_NAME));
    try {
      other.prepare(`update bot_state set value = '{"by":"other"}', etag = 'other-etag' where key = 'conversation/2'`).run();
    } finally {
      other.close();
    }
    expect(await storage.readText('conversation/2')).toEqual({ json: '{"by":"other"}', eTag: 'other-etag' });
    // And a save from the stale read conflicts, as without the cache.
    await expect(storage.writeText('conversation/2', '{"by":"bot","turn":3}', 'not-the-stored-etag')).rejects.toBeInstanceOf(ETagConflictError);
  });

  it('forgets a key whose write conflicted, was unconditional or deleted: the next read is the stored row', async () => {
    const { storage } = t.store;
    await storage.writeText('conversation/3', '{"turn":1}', '*');
    const read = await storage.readText('conversation/3');
    await storage.writeText('conversation/3', '{"turn":2}', read?.eTag ?? '');
    await expect(storage.writeText('conversation/3', '{"turn":"stale"}', read?.eTag ?? '')).rejects.toBeInstanceOf(ETagConflictError);
    expect((await storage.readText('conversation/3'))?.json).toBe('{"turn":2}');

    await storage.writeText('conversation/3', '{"turn":"forced"}', '*');
    const forced = await sqliteStatementsDuring(() => storage.readText('conversation/3'));
    expect(forced.result?.json).toBe('{"turn":"forced"}');
    expect(stateReads(forced.sources)).toHaveLength(1);

    await storage.writeText('conversation/3', '{"turn":3}', (await storage.readText('conversation/3'))?.eTag ?? '');
    await storage.write({ 'conversation/3': { turn: 'object', eTag: '*' } });
    expect(JSON.parse((await storage.readText('conversation/3'))?.json ?? '{}')).toEqual({ turn: 'object' });

    await storage.writeText('conversation/3', '{"turn":4}', (await storage.readText('conversation/3'))?.eTag ?? '');
    await storage.delete(['conversation/3']);
    const deleted = await sqliteStatementsDuring(() => storage.readText('conversation/3'));
    expect(deleted.result).toBeUndefined();
    expect(stateReads(deleted.sources)).toHaveLength(1);
  });

  it('holds at most its size: the least recently used states are read from the store again', async () => {
    const { db, dataVersion, close } = openDatabase({ dataDir: t.options.dataDir });
    try {
      if (!dataVersion) throw new Error('SQLite has a data version');
      // Room for about two of these states.
      const storage = new SqlBotStorage(db, { groupCommit: 'transaction', cache: new StateCache(dataVersion, 2_500) });
      const state = (n: number) => JSON.stringify({ n, padding: 'x'.repeat(400) });
      for (const n of [1, 2, 3]) {
        await storage.writeText(`conversation/size-${n}`, state(0), '*');
        await storage.writeText(`conversation/size-${n}`, state(n), (await storage.readText(`conversation/size-${n}`))?.eTag ?? '');
      }
      const { sources } = await sqliteStatementsDuring(async () => {
        for (const n of [1, 2, 3]) expect(JSON.parse((await storage.readText(`conversation/size-${n}`))?.json ?? '{}')).toMatchObject({ n });
      });
      // The first was dropped for the third; the other two came from memory.
      expect(stateReads(sources)).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
