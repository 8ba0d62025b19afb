import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longScripts, mixScripts, urgentScripts } from '../../bench/scripts';
import { startBenchSide, type BenchSide } from '../helpers/benchSide';

/**
 * The benchmark's long and urgent conversations play through as written, staff side included,
 * with the replies posted to the channel (as on every real channel) or returned in the response.
 */
describe.each(['channel', 'expectReplies'] as const)('npm run bench: the script families against the bot, replies by %s', (delivery) => {
  let side: BenchSide;
  beforeAll(async () => {
    side = await startBenchSide(4, {}, delivery);
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
    const script = urgentScripts.slice(0, 1);
    const result = await side.client.run(script, { conversations: 1, concurrency: 1, maxMs: 60_000 });
    expect(result.errorSamples).toEqual([]);
    // Joined, the staff reply, "is it solved?"; and, posted to the channel, the turns' own replies (all but the one the bot keeps quiet at).
    const turnReplies = delivery === 'channel' ? script[0]?.turns.filter((t) => !t.staff && t.expect.source !== '^$').length ?? 0 : 0;
    expect(side.channel.received() - before).toBeGreaterThanOrEqual(3 + turnReplies);
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
