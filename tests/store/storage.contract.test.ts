import { describe, expect, it } from 'vitest';
import { ConversationState, TestAdapter, TurnContext, type StoreItems } from 'botbuilder';
import { eTagConflictMessage, openStore, type Store } from '../../src/store';
import { announceSkip, backends, storePerTest } from '../helpers/stores';

// One contract, every backend: the behaviour botbuilder's own stores have (SPEC §7).
for (const backend of backends) {
  announceSkip(backend, 'storage contract');

  describe.skipIf(!backend.available)(`Storage contract on ${backend.name}`, () => {
    const t = storePerTest(backend);

    it('returns only the keys it has; missing keys are absent', async () => {
      await t.store.storage.write({ present: { n: 1 } });
      const items = await t.store.storage.read(['present', 'missing']);
      expect(Object.keys(items)).toEqual(['present']);
      expect(await t.store.storage.read([])).toEqual({});
    });

    it('writes an item read and then changed as changed (as BotState does with its cached object)', async () => {
      await t.store.storage.write({ k: { n: 1, list: [1] } });
      const { k } = await t.store.storage.read(['k']);
      k.n = 2;
      k.list.push(2);
      k.eTag = '*';
      await t.store.storage.write({ k });
      expect((await t.store.storage.read(['k'])).k).toMatchObject({ n: 2, list: [1, 2] });
    });

    it('round-trips nested values and assigns an eTag', async () => {
      const value = { text: 'héllo 👋', nested: { list: [1, 'two', null, true] }, n: 3.5 };
      await t.store.storage.write({ a: value });
      const { a } = await t.store.storage.read(['a']);
      expect(a).toMatchObject(value);
      expect(typeof a.eTag).toBe('string');
      expect(a.eTag).not.toBe('*');
    });

    it('writes unconditionally with eTag "*" or no eTag, changing the eTag each time', async () => {
      await t.store.storage.write({ k: { v: 1 } });
      const first = (await t.store.storage.read(['k'])).k;
      await t.store.storage.write({ k: { v: 2, eTag: '*' } });
      const second = (await t.store.storage.read(['k'])).k;
      expect(second.v).toBe(2);
      expect(second.eTag).not.toBe(first.eTag);
      await t.store.storage.write({ k: { v: 3 } });
      expect((await t.store.storage.read(['k'])).k.v).toBe(3);
    });

    it('accepts a write with the current eTag and rejects a stale one with botbuilder’s message', async () => {
      await t.store.storage.write({ k: { v: 1 } });
      const read1 = (await t.store.storage.read(['k'])).k;
      await t.store.storage.write({ k: { ...read1, v: 2 } });
      await expect(t.store.storage.write({ k: { ...read1, v: 3 } })).rejects.toThrow(eTagConflictMessage('k'));
      expect((await t.store.storage.read(['k'])).k.v).toBe(2);
    });

    it('writes handed in at the same moment each get their own outcome: one conflict fails alone', async () => {
      await t.store.storage.write({ k: { v: 1 }, other: { v: 1 } });
      const { k: read1, other } = await t.store.storage.read(['k', 'other']);
      // Two turns of one conversation saving at once from the same read, beside another conversation's save.
      const outcomes = await Promise.allSettled([
        t.store.storage.write({ k: { ...read1, v: 2 } }),
        t.store.storage.write({ k: { ...read1, v: 3 } }),
        t.store.storage.write({ other: { ...other, v: 2 } }),
        t.store.storage.write({ brandNew: { v: 1 } }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(outcomes[1]?.status === 'rejected' && String(outcomes[1].reason)).toContain(eTagConflictMessage('k'));
      const after = await t.store.storage.read(['k', 'other', 'brandNew']);
      expect([after.k.v, after.other.v, after.brandNew.v]).toEqual([2, 2, 1]);
    });

    it('hands out and takes an item as its JSON text, with the same eTags as read and write', async () => {
      await t.store.storage.writeText('k', '{"v":1}', '*');
      const first = await t.store.storage.readText('k');
      expect(first?.json).toBe('{"v":1}');
      expect((await t.store.storage.read(['k'])).k).toEqual({ v: 1, eTag: first?.eTag });
      await t.store.storage.writeText('k', '{"v":2}', first?.eTag ?? '');
      await expect(t.store.storage.writeText('k', '{"v":3}', first?.eTag ?? '')).rejects.toThrow(eTagConflictMessage('k'));
      expect(JSON.parse((await t.store.storage.readText('k'))?.json ?? '')).toEqual({ v: 2 });
      expect(await t.store.storage.readText('missing')).toBeUndefined();
    });

    it('reads handed in at the same moment each get their own item, a missing one nothing', async () => {
      await t.store.storage.writeText('a', '{"v":"a"}', '*');
      await t.store.storage.writeText('b', '{"v":"b"}', '*');
      const [a, b, missing, aAgain] = await Promise.all(['a', 'b', 'missing', 'a'].map((key) => t.store.storage.readText(key)));
      expect([a?.json, b?.json, missing, aAgain?.json]).toEqual(['{"v":"a"}', '{"v":"b"}', undefined, '{"v":"a"}']);
      expect(a?.eTag).toBe(aAgain?.eTag);
      expect(a?.eTag).not.toBe(b?.eTag);
    });

    it('writes of one key handed in at the same moment take effect in the order they came', async () => {
      await t.store.storage.writeText('k', '{"v":1}', '*');
      const read = await t.store.storage.readText('k');
      const outcomes = await Promise.allSettled([
        t.store.storage.writeText('k', '{"v":2}', read?.eTag ?? ''),
        t.store.storage.writeText('k', '{"v":3}', '*'),
        t.store.storage.writeText('k', '{"v":4}', read?.eTag ?? ''),
        t.store.storage.writeText('fresh', '{"v":1}', 'made-up'),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect((await t.store.storage.readText('k'))?.json).toBe('{"v":3}');
      expect((await t.store.storage.readText('fresh'))?.json).toBe('{"v":1}');
    });

    it('ignores an eTag on a key that does not exist yet, as MemoryStorage does', async () => {
      await t.store.storage.write({ fresh: { v: 1, eTag: 'made-up' } });
      expect((await t.store.storage.read(['fresh'])).fresh.v).toBe(1);
    });

    it('deletes, and deleting a missing key is a no-op', async () => {
      await t.store.storage.write({ a: { v: 1 }, b: { v: 2 } });
      await t.store.storage.delete(['a', 'never-there']);
      expect(Object.keys(await t.store.storage.read(['a', 'b']))).toEqual(['b']);
    });

    it('reads and writes many keys in one call', async () => {
      const changes: StoreItems = {};
      for (let i = 0; i < 250; i++) changes[`key/${i}`] = { i };
      await t.store.storage.write(changes);
      const items = await t.store.storage.read(Object.keys(changes));
      expect(Object.keys(items)).toHaveLength(250);
      expect(items['key/249'].i).toBe(249);
    });

    it('writes a batch atomically: one conflict writes nothing', async () => {
      await t.store.storage.write({ a: { v: 1 } });
      await expect(t.store.storage.write({ b: { v: 1 }, a: { v: 2, eTag: 'stale' } })).rejects.toThrow(/eTag conflict/);
      expect(await t.store.storage.read(['b'])).toEqual({});
    });

    it('stores large values (1 MB)', async () => {
      const big = 'x'.repeat(1024 * 1024);
      await t.store.storage.write({ big: { big } });
      expect((await t.store.storage.read(['big'])).big.big).toHaveLength(big.length);
    });

    it('lets exactly one of several concurrent writers with the same eTag win', async () => {
      await t.store.storage.write({ race: { winner: 'none' } });
      const { race } = await t.store.storage.read(['race']);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => t.store.storage.write({ race: { ...race, winner: `w${i}` } })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const lost of outcomes.filter((o) => o.status === 'rejected')) {
        expect(String(lost.reason)).toMatch(/eTag conflict/);
      }
    });

    it('many conversations saving at once from two instances: per key exactly one of two writers with the same eTag wins', async () => {
      const second = await openStore(t.options);
      try {
        const keys = Array.from({ length: 40 }, (_, i) => `conversation/${i}`);
        await Promise.all(keys.map((key) => t.store.storage.writeText(key, '{"turn":0}', '*')));
        const read = await Promise.all(keys.map((key) => t.store.storage.readText(key)));
        // Each instance saves every conversation from the same read, the two in opposite orders.
        const saves = (store: Store, name: string, order: string[]) => order.map((key) => store.storage.writeText(key, JSON.stringify({ turn: 1, by: name }), read[keys.indexOf(key)]?.eTag ?? '').then(() => key));
        const outcomes = await Promise.allSettled([...saves(t.store, 'one', keys), ...saves(second, 'two', [...keys].reverse())]);
        const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        expect(won.sort()).toEqual([...keys].sort());
        for (const lost of outcomes.filter((o) => o.status === 'rejected')) expect(String(lost.reason)).toMatch(/eTag conflict/);
        const stored = await Promise.all(keys.map(async (key) => JSON.parse((await second.storage.readText(key))?.json ?? '{}') as { turn: number }));
        expect(stored.every((state) => state.turn === 1)).toBe(true);
      } finally {
        await second.close();
      }
    });

    it('keeps botbuilder ConversationState across state objects (as after a restart)', async () => {
      const adapter = new TestAdapter();
      const activity = { ...adapter.makeActivity('hi'), channelId: 'test' };
      const save = async (value: number) => {
        const state = new ConversationState(t.store.storage);
        const context = new TurnContext(adapter, activity);
        await state.createProperty<number>('counter').set(context, value);
        await state.saveChanges(context);
      };
      await save(4);
      await save(5);
      const state = new ConversationState(t.store.storage);
      const context = new TurnContext(adapter, activity);
      expect(await state.createProperty<number>('counter').get(context)).toBe(5);
    });

    it('rejects calls without keys as MemoryStorage does', async () => {
      // @ts-expect-error: callers outside TypeScript may pass nothing
      await expect(t.store.storage.read(undefined)).rejects.toThrow(ReferenceError);
    });

    it('reports health', async () => {
      expect(await t.store.health()).toEqual({ ok: true, kind: backend.name });
      await t.store.close();
      expect((await t.store.health()).ok).toBe(false);
    });
  });
}
