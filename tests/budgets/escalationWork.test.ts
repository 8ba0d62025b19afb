import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoadClient } from '../../bench/load';
import { urgentScripts } from '../../bench/scripts';
import { BENCH_STAFF_TOKENS, StaffFeed, startFakeChannel, type FakeChannel } from '../../bench/staffDesk';
import { startTestBot } from '../helpers/server';

/**
 * Budget of an urgent conversation's store work, counted rather than timed: the benchmark's urgent
 * script (staff called, claimed, a staff reply relayed, the person's words relayed, closed, "is it
 * solved?" answered) on the served bot, with a member of staff signed in to the live feed.
 */
describe('budget: statements of an urgent conversation', () => {
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let channel: FakeChannel;
  let feed: StaffFeed;
  let client: LoadClient;
  beforeAll(async () => {
    bot = await startTestBot({ LOG_LEVEL: 'warn', STAFF_TOKENS: BENCH_STAFF_TOKENS });
    channel = await startFakeChannel();
    feed = await StaffFeed.open([bot.url]);
    client = new LoadClient(bot.url, 2, { feed, serviceUrl: channel.serviceUrl });
  });
  afterAll(async () => {
    await client.close();
    feed.close();
    await bot.close();
    await channel.close();
  });

  it('reads an escalation row at most once per request that needs it: a status change hands back the changed row', async () => {
    const statement = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1')) as { all: () => unknown; run: () => unknown; get: () => unknown };
    const calls = (['all', 'run', 'get'] as const).map((name) => vi.spyOn(statement, name));
    try {
      const result = await client.run(urgentScripts, { conversations: 4, concurrency: 2, maxMs: 60_000 });
      expect(result.errorSamples).toEqual([]);
      expect(result.conversations).toBe(4);
      const sources = calls.flatMap((spy) => spy.mock.contexts.map((context) => String((context as { source: string }).source)));
      // Escalation rows read whole (not the timeout poller's ids), per conversation: whether one is
      // open already when staff are called (1), the relay gate on the person's three turns after
      // (3), the staff reply's and the close's checks (2). The claim used to read the row before
      // and after changing it, and the close after (9 in all).
      const rowReads = sources.filter((source) => /^select "id", "conversation_id", .* from "escalations"/.test(source));
      expect(rowReads.length / result.conversations).toBeLessThanOrEqual(6);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
