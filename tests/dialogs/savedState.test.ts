import fs from 'node:fs';
import path from 'node:path';
import { MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createDiagnoser } from '../../src/diagnosis';
import { memoryLogger } from '../helpers/server';
import { tempDir } from '../helpers/stores';

/**
 * Conversations saved before the conversation's loops became plain dialogs: their stored dialog
 * stacks hold two-step waterfall instances (`main.loop`, `steps.loop`) at step one. After an
 * update they go on where they were. (Saved by the previous version's dialogs; see the fixture.)
 */
const saved = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/savedByWaterfalls.json'), 'utf8')) as Record<'midQuestion' | 'midStep', { key: string; lastReply: string; state: object }>;

async function resume(which: keyof typeof saved, text: string, version?: string) {
  const { key, state } = structuredClone(saved[which]);
  if (version) (state as { dialogState: { dialogStack: { version?: string }[] } }).dialogState.dialogStack[0]!.version = version;
  const storage = new MemoryStorage({ [key]: JSON.stringify({ ...state, eTag: '1' }) });
  const diagnoser = createDiagnoser();
  const { bot } = createBot({
    config: loadConfig({ PORT: '0', DATA_DIR: tempDir() }),
    log: memoryLogger('warn').log,
    storage,
    diagnosis: { diagnose: diagnoser.diagnose.bind(diagnoser), ruleFacts: new Set(diagnoser.ruleSet.factNames) },
  });
  const adapter = new TestAdapter((context) => bot.run(context));
  const reference = { ...adapter.conversation, conversation: { id: 'saved-by-waterfalls', isGroup: false, conversationType: 'personal', name: 'saved' } };
  const say = async (line: string) => {
    const activity: Partial<Activity> = { type: 'message', text: line, conversation: reference.conversation, from: reference.user, recipient: reference.bot, channelId: reference.channelId };
    await adapter.receiveActivity(activity);
    return adapter.activeQueue.splice(0).map((a) => a.text ?? '');
  };
  return { replies: await say(text), say };
}

describe('conversations saved by the earlier waterfall loops', () => {
  it('mid-question: the answer is taken and the first step follows', async () => {
    expect(saved.midQuestion.lastReply).toMatch(/browser/i);
    const { replies } = await resume('midQuestion', 'chrome');
    expect(replies.at(-1)).toMatch(/^Step 1 of \d+:/);
  });

  it("a stack saved under another version of the dialogs goes on, and so do the conversation's commands", async () => {
    // botbuilder compares a hash of the dialogs with the stored one; before this was handled, every turn failed after an update.
    const { replies, say } = await resume('midQuestion', 'chrome', 'an-older-version');
    expect(replies.at(-1)).toMatch(/^Step 1 of \d+:/);
    expect((await say('restart')).join('\n')).toMatch(/start(ed)? (over|again)/i);
  });

  it('mid-step: the outcome is taken, the next step follows, and the loop goes on to the end', async () => {
    expect(saved.midStep.lastReply).toMatch(/^Step 1 of \d+:/);
    const { replies, say } = await resume('midStep', "didn't help");
    expect(replies.at(-1)).toMatch(/^Step 2 of \d+:/);
    expect((await say('that fixed it')).join('\n')).toMatch(/glad it works/i);
  });
});
