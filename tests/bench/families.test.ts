import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longScripts, mixScripts, urgentScripts } from '../../bench/scripts';
import { startBenchSide, type BenchSide } from '../helpers/benchSide';

/** The benchmark's long and urgent conversations play through as written, staff side included. */
describe('npm run bench: the script families against the bot', () => {
  let side: BenchSide;
  beforeAll(async () => {
    side = await startBenchSide(4);
  });
  afterAll(() => side?.close());

  it.each([
    { family: 'long', scripts: longScripts },
    { family: 'urgent', scripts: urgentScripts },
  ])('every $family conversation is answered as its script expects', async ({ scripts }) => {
    const result = await side.client.run(scripts, { conversations: scripts.length, concurrency: scripts.length, maxMs: 60_000 });
    expect(result.errorSamples).toEqual([]);
    expect(result.conversations).toBe(scripts.length);
  });

  it('the staff member claims, replies and closes through the staff API: the person hears of each through the channel', async () => {
    const before = side.channel.received();
    await side.client.run(urgentScripts.slice(0, 1), { conversations: 1, concurrency: 1, maxMs: 60_000 });
    // Joined, the staff reply, "is it solved?".
    expect(side.channel.received() - before).toBeGreaterThanOrEqual(3);
  });

  it('a conversation of the mix goes on where an earlier run of its first turns stopped', async () => {
    const [script] = mixScripts().filter((s) => s.family === 'long');
    if (!script) throw new Error('no long script in the mix');
    const first = await side.client.run([script], { conversations: 1, concurrency: 1, maxMs: 60_000, runId: 'resume', turns: [0, 29] });
    const rest = await side.client.run([script], { conversations: 1, concurrency: 1, maxMs: 60_000, runId: 'resume', turns: [29, 40] });
    expect([...first.errorSamples, ...rest.errorSamples]).toEqual([]);
    expect(first.turns + rest.turns).toBe(40);
  });
});
