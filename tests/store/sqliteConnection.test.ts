import { describe, expect, it } from 'vitest';
import { FifoLock } from '../../src/store/database';
import { sqliteBackend, storePerTest } from '../helpers/stores';

describe('the SQLite connection', () => {
  const t = storePerTest(sqliteBackend);

  it('makes a query sent while a transaction is open wait for it, never joining it', async () => {
    const db = t.store.db;
    const row = (key: string) => ({ key, etag: 'e', value: '{}', updated_at: 'now' });
    let outside: Promise<unknown> | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('bot_state').values(row('inside')).execute();
        outside = db.insertInto('bot_state').values(row('outside')).execute();
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await outside;
    const keys = (await db.selectFrom('bot_state').select('key').execute()).map((r) => r.key);
    expect(keys).toEqual(['outside']);
  });

  it('hands the connection to waiting queries first come, first served', async () => {
    const lock = new FifoLock();
    const order: number[] = [];
    await lock.acquire();
    const waiters = [1, 2, 3].map((n) => lock.acquire().then(() => order.push(n)));
    for (let i = 0; i < 3; i++) {
      lock.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    lock.release();
    await expect(lock.acquire()).resolves.toBeUndefined();
  });
});
