import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LoadClient } from './load';
import { readCommandLine } from './options';
import { ratio } from './report';
import { echoScripts, MIX, mixScripts, type Script } from './scripts';
import { BENCH_BOT_ENV, compileServers, ECHO_FLAGS, spawnServer } from './servers';
import { StaffFeed, startFakeChannel } from './staffDesk';

/**
 * `npm run bench:memory`: resident memory of the bot (SQLite) and of the EchoBot after the same
 * number of whole conversations of the bench's mix (short, long and urgent ones, staff included),
 * in passes, so that growth from pass to pass (a leak) shows. Default: 4 passes of 2 500
 * conversations (10 000 in all), 50 in flight. The servers run one after the other, each alone
 * on the machine; every pass is bounded in time.
 */

const USAGE = 'usage: npm run bench:memory -- [--passes N] [--conversations-per-pass N] [--concurrency N] [--max-pass-s N]';

function readOptions() {
  const args = readCommandLine(USAGE, { passes: '4', 'conversations-per-pass': '2500', concurrency: '50', 'max-pass-s': '180' });
  return {
    passes: args.positive('passes'),
    perPass: args.positive('conversations-per-pass'),
    concurrency: args.positive('concurrency'),
    maxPassMs: args.positive('max-pass-s') * 1000,
  };
}

interface MemoryFigures {
  label: string;
  conversations: number;
  errors: number;
  /** RSS after each pass, MiB. */
  rssMiB: number[];
}

async function measure(label: string, entry: string, nodeArgs: string[], env: Record<string, string>, scripts: Script[], options: ReturnType<typeof readOptions>, work: string, withStaff = false): Promise<MemoryFigures> {
  const server = await spawnServer(label, entry, env, { logFile: path.join(work, `${label.replace(/\W+/g, '-')}.log`), nodeArgs });
  const channel = withStaff ? await startFakeChannel() : undefined;
  const feed = channel ? await StaffFeed.open([server.url]) : undefined;
  const client = new LoadClient(server.url, options.concurrency, { delivery: 'expectReplies', channel, feed });
  const figures: MemoryFigures = { label, conversations: 0, errors: 0, rssMiB: [] };
  try {
    for (let pass = 1; pass <= options.passes; pass++) {
      const result = await client.run(scripts, { conversations: options.perPass, concurrency: options.concurrency, maxMs: options.maxPassMs, runId: `m${pass}` });
      figures.conversations += result.conversations;
      figures.errors += result.errors;
      const rss = server.rssMiB() ?? 0;
      figures.rssMiB.push(rss);
      console.log(`${label.padEnd(14)} pass ${pass}: ${figures.conversations} conversations, RSS ${rss.toFixed(0)} MiB, errors ${result.errors}`);
    }
  } finally {
    feed?.close();
    await client.close();
    await channel?.close();
    await server.stop();
  }
  return figures;
}

async function main(): Promise<void> {
  const options = readOptions();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-bench-memory-'));
  try {
    console.log(`machine: ${os.cpus().length} cores, Node ${process.versions.node}; ${options.passes} passes of ${options.perPass} conversations (${Object.entries(MIX).map(([f, n]) => `${n * 10} % ${f}`).join(', ')}), ${options.concurrency} in flight`);
    const botEnv = { ...BENCH_BOT_ENV, DATA_DIR: path.join(work, 'data') };
    const entries = compileServers();
    const bot = await measure('bot (SQLite)', entries.bot, entries.botFlags, botEnv, mixScripts(), options, work, true);
    const echo = await measure('EchoBot', entries.echo, ECHO_FLAGS, {}, echoScripts(mixScripts()), options, work);

    console.log('');
    for (const f of [bot, echo]) {
      const first = f.rssMiB[0] ?? 0;
      const last = f.rssMiB.at(-1) ?? 0;
      // Growth after the first pass: the heap has found its size by then; what still grows is kept.
      console.log(`${f.label.padEnd(14)} RSS after ${f.conversations} conversations ${last.toFixed(0)} MiB; after pass 1 → last pass ${last >= first ? '+' : ''}${(last - first).toFixed(0)} MiB; errors ${f.errors}`);
    }
    const rssRatio = ratio(bot.rssMiB.at(-1) ?? 0, echo.rssMiB.at(-1) ?? 0);
    console.log(`RSS ratio bot/echo: ${rssRatio.toFixed(2)} (target ≤ 1.20 ${rssRatio <= 1.2 ? 'met' : 'NOT met'})`);
    if (bot.errors + echo.errors > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
