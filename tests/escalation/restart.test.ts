import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { escalationTexts } from '../../src/escalation/texts';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { spawnBot, type BotProcess } from '../helpers/server';
import { ChannelConversation, STAFF, STAFF_TOKENS, StaffClient, asList, eventually } from '../helpers/staff';
import { tempDir } from '../helpers/stores';

// A waiting escalation is in the store, not in the process: it outlives a restart.
describe('escalation across a restart of the process', () => {
  const dataDir = tempDir();
  const running: BotProcess[] = [];
  let channel: FakeChannel | undefined;
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await channel?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is still listed after a restart, and a claim still reaches the person', async () => {
    channel = await startFakeChannel();
    const first = await spawnBot({ DATA_DIR: dataDir, STAFF_TOKENS });
    running.push(first);
    const person = new ChannelConversation(first.url, channel.serviceUrl);
    await person.say('can I talk to a person please');
    const before = asList((await new StaffClient(first.url, STAFF.sam).get('/api/escalations?status=waiting')).body);
    const id = before.find((e) => e.conversationId === person.id)?.id;
    expect(id).toBeDefined();
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await spawnBot({ DATA_DIR: dataDir, STAFF_TOKENS });
    running.push(second);
    const kim = new StaffClient(second.url, STAFF.kim);
    const after = asList((await kim.get('/api/escalations?status=waiting')).body);
    expect(after.find((e) => e.id === id)).toMatchObject({ conversationId: person.id, position: 1 });
    expect((await kim.post(`/api/escalations/${String(id)}/claim`)).status).toBe(200);
    await eventually('the joined message at the person', () => channel?.sentTo(person.id).some((a) => a.text === escalationTexts.staffJoined('Kim Lee')));
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
