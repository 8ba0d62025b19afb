import { describe, expect, it } from 'vitest';
import { ConversationTurns } from '../../src/bot/conversationTurns';
import { texts as botTexts } from '../../dialogs/texts';
import { randomUUID } from 'node:crypto';
import { MemoryStorage, type Activity, type Storage } from 'botbuilder';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createDiagnoser } from '../../src/diagnosis';
import { memoryLogger } from '../helpers/server';
import { tempDir } from '../helpers/stores';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('one turn at a time per conversation', () => {
  it('runs a conversation\'s turns in order, one after the other, and other conversations alongside', async () => {
    const turns = new ConversationTurns();
    const log: string[] = [];
    const release: Record<string, () => void> = {};
    const turn = (name: string) => () =>
      new Promise<void>((resolve) => {
        log.push(`${name} starts`);
        release[name] = () => {
          log.push(`${name} ends`);
          resolve();
        };
      });
    const a1 = turns.run('a', turn('a1'));
    const a2 = turns.run('a', turn('a2'));
    const b1 = turns.run('b', turn('b1'));
    await tick();
    expect(log).toEqual(['a1 starts', 'b1 starts']);
    release.b1?.();
    release.a1?.();
    await tick();
    expect(log).toEqual(['a1 starts', 'b1 starts', 'b1 ends', 'a1 ends', 'a2 starts']);
    release.a2?.();
    await Promise.all([a1, a2, b1]);
    expect(turns.busy).toBe(0);
  });

  it('a turn that fails does not hold up the next, and its caller sees the failure', async () => {
    const turns = new ConversationTurns();
    const failed = turns.run('a', async () => {
      throw new Error('store down');
    });
    const next = turns.run('a', async () => undefined);
    await expect(failed).rejects.toThrow('store down');
    await expect(next).resolves.toBeUndefined();
    expect(turns.busy).toBe(0);
  });

  it('what a turn starts for later (a timer\'s proactive message) queues behind the turn running when it fires', async () => {
    const turns = new ConversationTurns();
    const order: string[] = [];
    let timerTurn: Promise<void> | undefined;
    await turns.run('a', async () => {
      setTimeout(() => {
        timerTurn = turns.run('a', async () => void order.push('timer'));
      }, 5);
    });
    let release = (): void => undefined;
    const running = turns.run('a', () => new Promise<void>((resolve) => (release = () => {
      order.push('person');
      resolve();
    })));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(order).toEqual([]);
    release();
    await running;
    await timerTurn;
    expect(order).toEqual(['person', 'timer']);
  });
});

/** A store whose reads and writes take a moment, as a busy database's do, so two turns overlap. */
function slowStore(storage: Storage): Storage {
  const moment = () => new Promise((resolve) => setTimeout(resolve, 20));
  return {
    read: async (keys) => {
      await moment();
      return storage.read(keys);
    },
    write: async (changes) => {
      await moment();
      await storage.write(changes);
    },
    delete: (keys) => storage.delete(keys),
  };
}

describe('two messages of one conversation sent at the same moment', () => {
  it('are both answered and both understood; nobody is asked to send one again', async () => {
    const diagnoser = createDiagnoser();
    const runtime = createBot({
      config: loadConfig({ PORT: '0', DATA_DIR: tempDir() }),
      log: memoryLogger('error').log,
      storage: slowStore(new MemoryStorage()),
      diagnosis: { diagnose: diagnoser.diagnose.bind(diagnoser), ruleFacts: new Set(diagnoser.ruleSet.factNames) },
    });
    const say = async (text: string): Promise<Partial<Activity>[]> => {
      const activity = {
        type: 'message', text, deliveryMode: 'expectReplies', channelId: 'test', serviceUrl: 'http://127.0.0.1:9/unused', id: randomUUID(),
        conversation: { id: 'conv-1' }, from: { id: 'alex' }, recipient: { id: 'bot' },
      } as Activity;
      const response = await runtime.adapter.runTurn(activity, '', (context) => runtime.bot.run(context));
      const body: unknown = response?.body;
      return typeof body === 'object' && body !== null && 'activities' in body && Array.isArray(body.activities) ? body.activities : [];
    };
    await say('my camera is black');
    const [first, second] = await Promise.all([say('I am on Windows 11'), say('it is the Chrome browser')]);
    const said = [...first, ...second].map((r) => r.text);
    expect(said).not.toContain(botTexts.concurrentTurn);
    expect(said).not.toContain(botTexts.turnError);
    const record = (await say('diagnostics')).flatMap((r) => r.attachments ?? []).find((a) => a.name === 'diagnostics.json')?.content;
    expect(record).toMatchObject({ facts: { os: 'windows', browser: 'chrome' } });
  });
});
