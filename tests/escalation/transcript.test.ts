import { ActivityTypes, TestAdapter, type TurnContext } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EscalationRecords, TranscriptMiddleware } from '../../src/escalation';
import { memoryLogger } from '../helpers/server';
import { announceSkip, backends, type TestStore } from '../helpers/stores';

const APOLOGY = 'Sorry, something went wrong on our side.';

for (const backend of backends) {
  announceSkip(backend, 'transcript');
  describe.skipIf(!backend.available)(`transcript middleware (${backend.name})`, () => {
    let store: TestStore;
    let records: EscalationRecords;
    beforeAll(async () => {
      store = await backend.open();
      records = new EscalationRecords(store.store.db);
    });
    afterAll(async () => {
      await store?.dispose();
    });

    function adapterFor(conversationId: string, logic: (context: TurnContext) => Promise<void>) {
      const adapter = new TestAdapter(logic, { conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' } });
      adapter.use(new TranscriptMiddleware(records, memoryLogger().log));
      // As the real adapter: a turn that throws is answered with an apology.
      adapter.onTurnError = async (context) => {
        await context.sendActivity(APOLOGY);
      };
      return adapter;
    }

    it('logs every activity in and out, in order, including a turn that threw', async () => {
      const adapter = adapterFor('conv-throws', async (context) => {
        if (context.activity.text === 'boom') {
          await context.sendActivity('about to fail');
          throw new Error('the bot broke');
        }
        await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
      });
      await adapter.send('hello').assertReply('echo: hello').send('boom').assertReply('about to fail').assertReply(APOLOGY).send('again').assertReply('echo: again').startTest();

      const entries = await records.transcript('conv-throws');
      expect(entries.map((e) => [e.direction, e.activity.text])).toEqual([
        ['in', 'hello'],
        ['out', 'echo: hello'],
        ['in', 'boom'],
        ['out', 'about to fail'],
        ['out', APOLOGY],
        ['in', 'again'],
        ['out', 'echo: again'],
      ]);
      expect(entries.every((e) => e.activity.type === ActivityTypes.Message)).toBe(true);
      expect(entries[0]?.activity.from?.role).toBe('user');
    });

    it('keeps conversations apart', async () => {
      await adapterFor('conv-a', async (context) => void (await context.sendActivity('a'))).send('to a').startTest();
      await adapterFor('conv-b', async (context) => void (await context.sendActivity('b'))).send('to b').startTest();
      expect((await records.transcript('conv-a')).map((e) => e.activity.text)).toEqual(['to a', 'a']);
      expect((await records.transcript('conv-b')).map((e) => e.activity.text)).toEqual(['to b', 'b']);
    });
  });
}
