import { LoadClient, type Delivery } from '../../bench/load';
import { BENCH_STAFF_TOKENS, StaffFeed, startFakeChannel, type FakeChannel } from '../../bench/staffDesk';
import { startTestBot } from './server';

export interface BenchSide {
  bot: Awaited<ReturnType<typeof startTestBot>>;
  channel: FakeChannel;
  feed: StaffFeed;
  /** The benchmark's load client, staff side included: it claims, relays and closes as `npm run bench` does. */
  client: LoadClient;
  close(): Promise<void>;
}

/**
 * The served bot as `npm run bench` meets it: a member of staff signed in to the live feed (so
 * urgent conversations queue rather than file) and a fake channel that takes proactive sends and,
 * with `channel` delivery, the replies.
 */
export async function startBenchSide(concurrency: number, env: Record<string, string> = {}, delivery: Delivery = 'expectReplies'): Promise<BenchSide> {
  const channel = await startFakeChannel();
  let bot: BenchSide['bot'] | undefined;
  let feed: StaffFeed;
  try {
    bot = await startTestBot({ ...env, LOG_LEVEL: 'warn', STAFF_TOKENS: BENCH_STAFF_TOKENS });
    feed = await StaffFeed.open([bot.url]);
  } catch (error) {
    // What did start is stopped, or the test run would wait on its open servers.
    await bot?.close();
    await channel.close();
    throw error;
  }
  const client = new LoadClient(bot.url, concurrency, { delivery, channel, feed });
  return {
    bot,
    channel,
    feed,
    client,
    async close() {
      feed.close();
      await client.close();
      await channel.close();
      await bot.close();
    },
  };
}
