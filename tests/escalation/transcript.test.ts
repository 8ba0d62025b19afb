import { ActivityTypes, TestAdapter, type TurnContext } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTurnEndWrites } from '../../src/bot/turnEndWrites';
import { TranscriptMiddleware, TranscriptRepository, TranscriptWriter } from '../../src/escalation';
import { memoryLogger } from '../helpers/server';
import { announceSkip, backends, type TestStore } from '../helpers/stores';

const APOLOGY = 'Sorry, something went wrong on our side.';

for (const backend of backends) {
  announceSkip(backend, 'transcript');
  describe.skipIf(!backend.available)(`transcript middleware (${backend.name})`, () => {
    let store: TestStore;
    let records: TranscriptRepository;
    beforeAll(async () => {
      store = await backend.open();
      records = new TranscriptRepository(store.store.db);
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

    it("writes a turn's rows alongside the bot's state save, not after it", async () => {
      let seenBySave: (string | undefined)[] = [];
      const adapter = adapterFor('conv-alongside', async (context) => {
        await context.sendActivity('answer');
        // The end of the bot's turn: its state save goes on while the registered writes run.
        const writes = startTurnEndWrites(context);
        const save = (async () => {
          for (let tries = 0; tries < 100 && seenBySave.length < 2; tries++) {
            seenBySave = (await records.transcript('conv-alongside')).map((e) => e.activity.text);
            if (seenBySave.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })();
        await Promise.all([save, ...writes]);
      });
      await adapter.send('question').assertReply('answer').startTest();
      expect(seenBySave).toEqual(['question', 'answer']);
      // Written once.
      expect((await records.transcript('conv-alongside')).map((e) => e.activity.text)).toEqual(['question', 'answer']);
    });

    it('keeps conversations apart', async () => {
      await adapterFor('conv-a', async (context) => void (await context.sendActivity('a'))).send('to a').startTest();
      await adapterFor('conv-b', async (context) => void (await context.sendActivity('b'))).send('to b').startTest();
      expect((await records.transcript('conv-a')).map((e) => e.activity.text)).toEqual(['to a', 'a']);
      expect((await records.transcript('conv-b')).map((e) => e.activity.text)).toEqual(['to b', 'b']);
    });
  });
}

describe('transcript group commit', () => {
  const row = (conversationId: string, text: string) => ({ conversationId, channelId: 'test', direction: 'in' as const, activity: { text }, at: new Date() });

  it('writes the rows handed in together in one insert, and each turn waits for its own rows', async () => {
    const inserts: string[][] = [];
    const writer = new TranscriptWriter({
      logActivities: async (rows) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        inserts.push(rows.map((r) => String(r.activity.text)));
      },
    });
    const settled: string[] = [];
    const turns = ['a', 'b', 'c'].map((name) => writer.write([row(name, `${name}1`), row(name, `${name}2`)]).then(() => settled.push(name)));
    await Promise.all(turns);
    expect(inserts).toEqual([['a1', 'a2', 'b1', 'b2', 'c1', 'c2']]);
    expect(settled.sort()).toEqual(['a', 'b', 'c']);
    // A later turn gets an insert of its own.
    await writer.write([row('d', 'd1')]);
    expect(inserts.at(-1)).toEqual(['d1']);
  });

  it('fails every turn of a batch the store refused, and goes on with the next batch', async () => {
    let refuse = true;
    const writer = new TranscriptWriter({
      logActivities: async () => {
        if (refuse) throw new Error('disk full');
      },
    });
    const results = await Promise.allSettled([writer.write([row('a', 'x')]), writer.write([row('b', 'y')])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    refuse = false;
    await expect(writer.write([row('c', 'z')])).resolves.toBeUndefined();
  });
});
