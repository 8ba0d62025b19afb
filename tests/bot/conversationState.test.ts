import { describe, expect, it } from 'vitest';
import { TestAdapter, TurnContext } from 'botbuilder';
import { OptimisticConversationState } from '../../src/bot/conversationState';
import { announceSkip, backends, storePerTest } from '../helpers/stores';

// Two turns of one conversation at once (two tabs, or two instances): neither update may be lost silently.
for (const backend of backends) {
  announceSkip(backend, 'optimistic conversation state');

  describe.skipIf(!backend.available)(`conversation state on ${backend.name}`, () => {
    const t = storePerTest(backend);

    const turn = (adapter: TestAdapter) => new TurnContext(adapter, { ...adapter.makeActivity('hi'), channelId: 'test' });

    it('lets the first of two overlapping turns save and fails the second with an eTag conflict', async () => {
      const adapter = new TestAdapter();
      const state = new OptimisticConversationState(t.store.storage);
      const counter = state.createProperty<number>('counter');
      const setup = turn(adapter);
      await counter.set(setup, 1);
      await state.saveChanges(setup);

      const a = turn(adapter);
      const b = turn(adapter);
      await counter.set(a, (await counter.get(a, 0)) + 10);
      await counter.set(b, (await counter.get(b, 0)) + 100);
      await state.saveChanges(a);
      await expect(state.saveChanges(b)).rejects.toThrow(/eTag conflict/);

      const check = turn(adapter);
      expect(await counter.get(check)).toBe(11);
    });

    it('saves a new conversation, skips unchanged state, and allows two saves in one turn', async () => {
      const adapter = new TestAdapter();
      const state = new OptimisticConversationState(t.store.storage);
      const counter = state.createProperty<number>('counter');
      const first = turn(adapter);
      await counter.set(first, 1);
      await state.saveChanges(first);
      await counter.set(first, 2);
      await state.saveChanges(first);

      const second = turn(adapter);
      expect(await counter.get(second)).toBe(2);
      const third = turn(adapter);
      await counter.set(third, (await counter.get(third, 0)) + 1);
      await state.saveChanges(third);
      // `second` only read: it writes nothing, so it neither conflicts nor undoes `third`.
      await expect(state.saveChanges(second)).resolves.toBeUndefined();
      expect(await counter.get(turn(adapter))).toBe(3);
    });

    it('clears the state on the next save, and deletes it from the store', async () => {
      const adapter = new TestAdapter();
      const state = new OptimisticConversationState(t.store.storage);
      const counter = state.createProperty<number>('counter');
      const first = turn(adapter);
      await counter.set(first, 5);
      await state.saveChanges(first);

      const clearing = turn(adapter);
      expect(await counter.get(clearing)).toBe(5);
      await state.clear(clearing);
      expect(await counter.get(clearing)).toBeUndefined();
      await state.saveChanges(clearing);
      expect(await counter.get(turn(adapter))).toBeUndefined();

      const deleting = turn(adapter);
      await counter.set(deleting, 7);
      await state.saveChanges(deleting);
      await state.delete(deleting);
      const key = `test/conversations/${deleting.activity.conversation.id}/`;
      expect((await t.store.storage.read([key]))[key]).toBeUndefined();
    });
  });
}
