import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { texts as botTexts } from '../../dialogs/texts';
import { spawnBot, type BotProcess } from '../helpers/server';
import { tempDir } from '../helpers/stores';
import { Conversation, texts } from '../helpers/talk';

// The README's run command as a real process: state survives a restart on the same DATA_DIR.
describe('the bot as a process', () => {
  const dataDir = tempDir();
  const running: BotProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates its SQLite file on first start, says auth is off, and shuts down cleanly on SIGTERM', async () => {
    const first = await spawnBot({ DATA_DIR: dataDir });
    running.push(first);
    expect(first.output.join('\n')).toMatch(/channel authentication is off/);
    expect(fs.existsSync(`${dataDir}/tech-support.sqlite`)).toBe(true);
    const person = new Conversation(first.url, 'user-1', 'conv-restart');
    expect(texts(await person.join())).toEqual([botTexts.greeting]);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output.join('\n')).toMatch(/shutting down/);

    const second = await spawnBot({ DATA_DIR: dataDir });
    running.push(second);
    person.moveTo(second.url);
    // Already greeted before the restart: the conversation's state came back from the file.
    expect(await person.send({ type: 'event', name: 'webchat/join' })).toEqual([]);
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('resumes a conversation mid-flow at the same question after a restart', async () => {
    const first = await spawnBot({ DATA_DIR: dataDir });
    running.push(first);
    const person = new Conversation(first.url, 'user-2', 'conv-mid-flow');
    await person.say('my camera says permission denied');
    const asked = await person.say('no, later');
    expect(asked.at(-1)?.channelData).toMatchObject({ questionId: 'os' });
    await first.stop('SIGTERM');

    const second = await spawnBot({ DATA_DIR: dataDir });
    running.push(second);
    person.moveTo(second.url);
    // The answer to the question asked before the restart is taken, and the flow goes on.
    const next = await person.say('mac');
    expect(next.at(-1)?.channelData).toMatchObject({ questionId: 'browser' });
    const diagnostics = await person.say('diagnostics');
    expect(diagnostics[0]?.attachments?.[1]?.content).toMatchObject({ facts: { media: ['camera'], symptom: 'permission-denied', liveConference: false, os: 'macos' } });
    await second.stop('SIGTERM');
  });

  it('refuses to start with one line naming a bad variable', async () => {
    await expect(spawnBot({ DATA_DIR: dataDir, ESCALATION_TIMEOUT_S: 'soon' })).rejects.toThrow(/Configuration error: ESCALATION_TIMEOUT_S: /);
  });
});
