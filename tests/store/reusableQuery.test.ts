import { describe, expect, it } from 'vitest';
import { ReusableQuery } from '../../src/store';
import { announceSkip, backends, storePerTest } from '../helpers/stores';

for (const backend of backends) {
  announceSkip(backend, 'reusable queries');

  describe.skipIf(!backend.available)(`reusable queries on ${backend.name}`, () => {
    const t = storePerTest(backend);

    it('run with new values each time, a slot used twice taking the same value', async () => {
      const db = t.store.db;
      const upsert = new ReusableQuery<'key' | 'value'>((slot) =>
        db.insertInto('bot_state').values({ key: slot('key'), etag: slot('value'), value: slot('value'), updated_at: slot('key') }),
      );
      const read = new ReusableQuery<'key', { value: string }>((slot) => db.selectFrom('bot_state').select('value').where('key', '=', slot('key')).where('updated_at', '=', slot('key')));
      await upsert.execute(db, { key: 'a', value: '1' });
      await upsert.execute(db, { key: 'b', value: '2' });
      expect((await read.execute(db, { key: 'a' })).rows).toEqual([{ value: '1' }]);
      expect((await read.execute(db, { key: 'b' })).rows).toEqual([{ value: '2' }]);
    });

    it('refuse a query with a value that is not a slot, so none is frozen into it by mistake', () => {
      const db = t.store.db;
      expect(() => new ReusableQuery((_slot) => db.selectFrom('bot_state').select('value').where('key', '=', 'fixed'))).toThrow(/only through slots/);
    });
  });
}
