import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadClient } from '../../bench/load';
import { longScripts, mixScripts, urgentScripts } from '../../bench/scripts';
import { BENCH_STAFF_TOKENS, StaffFeed, startFakeChannel, type FakeChannel } from '../../bench/staffDesk';
import { startTestBot } from '../helpers/server';

/** The benchmark's long and urgent conversations play through as written, staff side included. */
describe('npm run bench: the script families against the bot', () => {
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let channel: FakeChannel;
  let feed: StaffFeed;
  let client: LoadClient;
  beforeAll(async () => {
    bot = await startTestBot({ LOG_LEVEL: 'warn', STAFF_TOKENS: BENCH_STAFF_TOKENS });
    channel = await startFakeChannel();
    feed = await StaffFeed.open([bot.url]);
    client = new LoadClient(bot.url, 4, { feed, serviceUrl: channel.serviceUrl });
  });
  afterAll(async () => {
    feed?.close();
    await client?.close();
    await channel?.close();
    await bot?.close();
  });

  it.each([
    { family: 'long', scripts: longScripts },
    { family: 'urgent', scripts: urgentScripts },
  ])('every $family conversation is answered as its script expects', async ({ scripts }) => {
    const result = await client.run(scripts, { conversations: scripts.length, concurrency: scripts.length, maxMs: 60_000 });
    expect(result.errorSamples).toEqual([]);
    expect(result.conversations).toBe(scripts.length);
  });

  it('the staff member claims, replies and closes through the staff API: the person hears of each through the channel', async () => {
    const before = channel.received();
    await client.run(urgentScripts.slice(0, 1), { conversations: 1, concurrency: 1, maxMs: 60_000 });
    // Joined, the staff reply, "is it solved?".
    expect(channel.received() - before).toBeGreaterThanOrEqual(3);
  });

  it('a conversation of the mix goes on where an earlier run of its first turns stopped', async () => {
    const [script] = mixScripts().filter((s) => s.family === 'long');
    if (!script) throw new Error('no long script in the mix');
    const first = await client.run([script], { conversations: 1, concurrency: 1, maxMs: 60_000, runId: 'resume', turns: [0, 29] });
    const rest = await client.run([script], { conversations: 1, concurrency: 1, maxMs: 60_000, runId: 'resume', turns: [29, 40] });
    expect([...first.errorSamples, ...rest.errorSamples]).toEqual([]);
    expect(first.turns + rest.turns).toBe(40);
  });
});
