import { TestAdapter, TurnContext, type Storage, type StoreItems } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { texts } from '../../dialogs/texts';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createDiagnoser } from '../../src/diagnosis';
import { memoryLogger } from '../helpers/server';
import { sqliteBackend, tempDir, storePerTest } from '../helpers/stores';

/**
 * A staff member asks for the check while the person's conversation is being saved by something
 * else (the person's own turn, or the reprompt after "Sam joined"): the request must still land,
 * once, rather than fail with an eTag conflict and a 502 to the staff member.
 */
describe('a staff check request that races another save of the conversation', () => {
  const t = storePerTest(sqliteBackend);

  /** The store, with one competing save of the conversation slipped in before the next write of it. */
  function racingStorage(storage: Storage) {
    let armed = false;
    const raced: Storage = {
      read: (keys) => storage.read(keys),
      delete: (keys) => storage.delete(keys),
      async write(changes: StoreItems) {
        const key = Object.keys(changes).find((k) => k.includes('/conversations/'));
        if (armed && key) {
          armed = false;
          const current = (await storage.read([key]))[key] as Record<string, unknown>;
          await storage.write({ [key]: { ...current, savedMeanwhile: true, eTag: '*' } });
        }
        await storage.write(changes);
      },
    };
    return { storage: raced, arm: () => (armed = true) };
  }

  it('reads the conversation again, records the request with the other save kept, and asks the page once', async () => {
    const diagnoser = createDiagnoser();
    const { storage, arm } = racingStorage(t.store.storage);
    const runtime = createBot({
      config: loadConfig({ PORT: '0', DATA_DIR: tempDir() }),
      log: memoryLogger('warn').log,
      storage,
      diagnosis: { diagnose: diagnoser.diagnose.bind(diagnoser), ruleFacts: new Set(diagnoser.ruleSet.factNames) },
    });
    const adapter = new TestAdapter((context) => runtime.bot.run(context));
    await adapter.send('my microphone is not working');
    adapter.activeQueue.splice(0);

    arm();
    const context = new TurnContext(adapter, TurnContext.applyConversationReference({ type: 'event', name: 'staff/check' }, adapter.conversation, true));
    const { checkId } = await runtime.requestStaffCheck(context, 'Sam Rivera');

    const sent = adapter.activeQueue.splice(0);
    expect(sent.filter((a) => a.text === texts.check.staffAsked('Sam Rivera'))).toHaveLength(1);
    expect(sent.filter((a) => a.type === 'event' && a.name === 'probe/run').map((a) => (a.value as { id: string }).id)).toEqual([checkId]);

    // ConversationState's key: channel, conversation and an empty namespace.
    const key = `${adapter.conversation.channelId}/conversations/${adapter.conversation.conversation.id}/`;
    const stored = (await t.store.storage.read([key]))[key] as { savedMeanwhile?: boolean; diagnostics: { checks?: { id: string; requestedBy: string }[] } };
    expect(stored.savedMeanwhile).toBe(true);
    expect(stored.diagnostics.checks).toEqual([expect.objectContaining({ id: checkId, requestedBy: 'staff' })]);
  });
});
