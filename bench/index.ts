import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureDiagnose, type DiagnoseMeasurement } from './measure';
import { LoadClient, type Delivery, type RunResult } from './load';
import { longMessageLine, measureLongMessages } from './longMessages';
import { oneOf, readCommandLine, subsetOf } from './options';
import { ratio, ratioLine, serverLine, summariseRuns, targetLine, type ServerFigures } from './report';
import { depthScript, echoScripts, familyScripts, MIX, mixScripts, type Family, type Script } from './scripts';
import { BENCH_BOT_ENV, compileServers, ECHO_FLAGS, spawnServer, type ServerProcess } from './servers';
import { StaffFeed, startFakeChannel, type FakeChannel } from './staffDesk';
import { dropSchema, storedStateBytes } from './storedState';

/**
 * `npm run bench`: the Technical Support bot (SQLite store; PostgreSQL too when DATABASE_URL is
 * set) against a plain botbuilder EchoBot, side by side in one run (SPEC §8). Each server is its
 * own process; simulated people run whole conversations over loopback HTTP, every reply checked,
 * in script families (bench/scripts.ts: short, long, urgent) and in a mix. The replies are posted
 * to a fake channel's serviceUrl, as real channels have them (`--delivery expectReplies`: in the
 * response instead, which skips the post every real reply costs both servers).
 * Warm-up first, then rounds; in each round every workload runs on every server in turn (bot,
 * EchoBot, …), each run bounded in time. Then CPU per turn early and late in long conversations.
 * The last line printed is `turns/s ratio bot/echo: <number>`, for the mix.
 */

const USAGE = `usage: npm run bench -- [--run-s N] [--concurrency N] [--rounds N] [--workloads LIST] [--delivery channel|expectReplies] [--json FILE] [--profile DIR]
--run-s N          seconds each measured run lasts (default 10)
--delivery         how replies come back: posted to the channel (default, as on every real channel) or in the response (expectReplies)
--workloads LIST   which of short,long,urgent,mix to run (default all; one family alone, e.g. for its profile)
--profile DIR  writes a CPU profile per server under DIR/<server>/ (read with bench/cpuProfile.ts)`;

interface Options {
  runMs: number;
  concurrency: number;
  rounds: number;
  workloads: Workload[];
  delivery: Delivery;
  json?: string;
  profileDir?: string;
}

function readOptions(): Options {
  const args = readCommandLine(USAGE, { 'run-s': '10', concurrency: '50', rounds: '3', workloads: WORKLOADS.join(','), delivery: 'channel', json: undefined, profile: undefined });
  const profile = args.text('profile');
  return {
    workloads: subsetOf('workloads', args.text('workloads'), WORKLOADS, USAGE),
    delivery: oneOf('delivery', args.text('delivery'), DELIVERIES, USAGE),
    runMs: args.positive('run-s') * 1000,
    concurrency: args.positive('concurrency'),
    rounds: args.positive('rounds'),
    json: args.text('json'),
    profileDir: profile ? path.resolve(profile) : undefined,
  };
}

type Workload = Family | 'mix';
const DELIVERIES: Delivery[] = ['channel', 'expectReplies'];
const WORKLOADS: Workload[] = ['short', 'long', 'urgent', 'mix'];
const scriptsOf = (workload: Workload): Script[] => (workload === 'mix' ? mixScripts() : familyScripts[workload]);

interface Target {
  label: string;
  kind: 'sqlite' | 'postgres' | 'echo';
  process: ServerProcess;
  /** Further instances of the same target (the two-instance PostgreSQL run). */
  more: ServerProcess[];
  client: LoadClient;
  feed?: StaffFeed;
  /** The workloads this target runs (the two-instance pair runs the mix only). */
  workloads: Workload[];
  runs: Map<Workload, RunResult[]>;
  /** CPU ms the target's processes used during each run. */
  cpuMs: Map<Workload, number[]>;
  /** The PostgreSQL schema or SQLite data directory, to read the stored state from. */
  store: { databaseUrl?: string; schema?: string; dataDir?: string };
}

/**
 * Long conversations played for the per-turn CPU early and late in a conversation: turns 2–12
 * and turns 30–40 of `depthScript` walk the same problem the same way (the join, turn 1, has
 * no counterpart later), each window measured after the turns before it were played unmeasured.
 */
const DEPTH_CONVERSATIONS = 100;
const EARLY: readonly [number, number] = [1, 12];
const LATE: readonly [number, number] = [29, 40];
/** Played to the end, however slow the machine: a conversation cut short would not match its later turns. */
const DEPTH_MAX_MS = 300_000;
const turnsLabel = ([from, to]: readonly [number, number]) => `turns ${from + 1}–${to}`;

interface DepthFigures {
  label: string;
  early: { cpuMsPerTurn: number; stateBytes: number };
  late: { cpuMsPerTurn: number; stateBytes: number };
  ratio: number;
  errors: number;
  errorSamples: string[];
}

async function main(): Promise<void> {
  const options = readOptions();
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-bench-'));
  // A fresh schema per run, so runs (and people running them at once) never collide.
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const schema = databaseUrl ? `bench_${randomBytes(4).toString('hex')}` : undefined;
  const targets: Target[] = [];
  let channel: FakeChannel | undefined;

  try {
    console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.versions.node}`);
    console.log(`load: ${options.concurrency} people in flight, ${options.rounds} rounds of ${options.workloads.join(', ')} (mix: ${Object.entries(MIX).map(([f, n]) => `${n * 10} % ${f}`).join(', ')} of conversations), ${options.runMs / 1000} s a run`);
    console.log(`replies: ${options.delivery === 'channel' ? "posted to the fake channel's serviceUrl, as on every real channel" : 'in the response (expectReplies)'}`);

    const entries = compileServers();
    // The rules first, alone on the machine, so nothing else competes for the CPU.
    const rules: DiagnoseMeasurement = await measureDiagnose();
    const sharedChannel = await startFakeChannel();
    channel = sharedChannel;

    const profileArgs = (name: string) => (options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.profileDir, name)}`] : []);
    const target = (label: string, kind: Target['kind'], processes: ServerProcess[], client: LoadClient, store: Target['store'], workloads = options.workloads, feed?: StaffFeed): Target => {
      const [first, ...more] = processes;
      if (!first) throw new Error(`${label} did not start`);
      return { label, kind, process: first, more, client, feed, workloads, runs: new Map(), cpuMs: new Map(), store };
    };
    const startBot = async (label: string, kind: 'sqlite' | 'postgres', env: Record<string, string>, profileName: string, instances = 1, workloads = options.workloads) => {
      const processes = await Promise.all(Array.from({ length: instances }, (_, n) => spawnServer(instances > 1 ? `${label} #${n + 1}` : label, entries.bot, env, {
        logFile: path.join(work, `${profileName}-${n}.log`),
        nodeArgs: [...entries.botFlags, ...(instances > 1 ? [] : profileArgs(profileName))],
      })));
      const feed = await StaffFeed.open(processes.map((p) => p.url));
      const client = new LoadClient(processes.map((p) => p.url), options.concurrency, { delivery: options.delivery, channel: sharedChannel, feed });
      targets.push(target(label, kind, processes, client, { databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR }, workloads, feed));
    };
    const botEnv = BENCH_BOT_ENV;
    await startBot('bot (SQLite)', 'sqlite', { ...botEnv, DATA_DIR: path.join(work, 'data') }, 'bot-sqlite');
    if (databaseUrl && schema) {
      await startBot('bot (PostgreSQL)', 'postgres', { ...botEnv, DATA_DIR: path.join(work, 'data-pg'), DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }, 'bot-postgres');
      // Two instances on one schema, turns spread over both (SPEC §7 scale-out): the mix only.
      if (options.workloads.includes('mix')) await startBot('bot (PostgreSQL ×2)', 'postgres', { ...botEnv, DATA_DIR: path.join(work, 'data-pg2'), DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `${schema}_pair` }, 'bot-pair', 2, ['mix']);
    }
    const echo = await spawnServer('EchoBot', entries.echo, {}, { logFile: path.join(work, 'echo.log'), nodeArgs: [...ECHO_FLAGS, ...profileArgs('echo')] });
    targets.push(target('EchoBot', 'echo', [echo], new LoadClient(echo.url, options.concurrency, { delivery: options.delivery, channel: sharedChannel }), {}));

    const scriptsFor = (t: Target, workload: Workload) => (t.kind === 'echo' ? echoScripts(scriptsOf(workload)) : scriptsOf(workload));
    for (const t of targets) {
      const warm = await t.client.run(scriptsFor(t, 'mix'), { conversations: 400, concurrency: options.concurrency, maxMs: 3_000, runId: `warmup-${randomBytes(3).toString('hex')}` });
      if (warm.errors > 0) console.log(`warm-up of ${t.label}: ${warm.errors} errors, e.g. ${warm.errorSamples[0] ?? ''}`);
    }

    for (let round = 1; round <= options.rounds; round++) {
      for (const workload of options.workloads) {
        for (const t of targets.filter((x) => x.workloads.includes(workload))) {
          const cpuBefore = cpuOf(t);
          const result = await t.client.run(scriptsFor(t, workload), {
            conversations: Number.MAX_SAFE_INTEGER,
            concurrency: options.concurrency,
            maxMs: options.runMs,
            runId: `r${round}-${workload}-${randomBytes(3).toString('hex')}`,
          });
          push(t.runs, workload, result);
          push(t.cpuMs, workload, cpuOf(t) - cpuBefore);
          const perSecond = result.elapsedMs > 0 ? (result.turns * 1000) / result.elapsedMs : 0;
          console.log(`round ${round} ${workload.padEnd(6)} ${t.label.padEnd(20)} ${perSecond.toFixed(0).padStart(6)} turns/s  ${result.conversations} conversations in ${(result.elapsedMs / 1000).toFixed(1)} s  errors ${result.errors}`);
        }
      }
    }

    // Cost by depth: the same problem walked at turns 2–12 and at turns 30–40 of long conversations, each window alone on the server.
    const depth: DepthFigures[] = [];
    // The cost by depth and the long messages belong to the long conversations.
    const longToo = options.workloads.includes('long');
    for (const t of targets.filter((x) => longToo && x.kind !== 'echo' && x.more.length === 0)) depth.push(await measureDepth(t, options.concurrency));

    // After the measured rounds, so its huge bodies do not disturb them.
    const firstBot = targets[0];
    const longMessages = firstBot && longToo ? await measureLongMessages(firstBot.process.url) : undefined;

    const rss = (t: Target) => [t.process, ...t.more].reduce<number | undefined>((sum, p) => {
      const one = p.rssMiB();
      return one === undefined ? sum : (sum ?? 0) + one;
    }, undefined);
    const echoTarget = targets.at(-1);
    if (!echoTarget) throw new Error('no EchoBot');
    const report: { workload: Workload; servers: ServerFigures[]; ratios: { label: string; turnsPerSecond: number; p99: number; met: boolean }[] }[] = [];
    for (const workload of options.workloads) {
      const servers = targets.filter((t) => t.workloads.includes(workload)).map((t) => summariseRuns(t.label, t.runs.get(workload) ?? [], rss(t), t.cpuMs.get(workload) ?? []));
      const echoFigures = servers.at(-1);
      if (!echoFigures) continue;
      console.log(`\n${workload}${workload === 'mix' ? ` (${Object.entries(MIX).map(([f, n]) => `${n * 10} % ${f}`).join(', ')})` : ''}:`);
      for (const f of servers) {
        console.log(serverLine(f));
        for (const sample of f.errorSamples) console.log(`    error: ${sample}`);
      }
      const ratios = servers.slice(0, -1).map((f) => {
        const postgres = targets.find((t) => t.label === f.label)?.kind === 'postgres';
        const line = targetLine(f.label, ratio(f.turnsPerSecond, echoFigures.turnsPerSecond), ratio(f.p99Ms, echoFigures.p99Ms), postgres ? 0.75 : 0.8, 1.3);
        console.log(line.text);
        return { label: f.label, turnsPerSecond: line.turnsPerSecond, p99: line.p99, met: line.met };
      });
      report.push({ workload, servers, ratios });
    }

    if (depth.length > 0) console.log(`\ncost by depth (${DEPTH_CONVERSATIONS} long conversations, the same problem walked in both windows; CPU per turn from /proc; stored conversation state per conversation):`);
    for (const d of depth) {
      console.log(`${d.label.padEnd(20)} ${turnsLabel(EARLY)}: ${d.early.cpuMsPerTurn.toFixed(3)} ms/turn, state ${d.early.stateBytes} B   ${turnsLabel(LATE)}: ${d.late.cpuMsPerTurn.toFixed(3)} ms/turn, state ${d.late.stateBytes} B   later/earlier ${d.ratio.toFixed(2)} (target ≤ 1.10 ${d.ratio <= 1.1 ? 'met' : 'NOT met'})${d.errors ? `   errors ${d.errors}` : ''}`);
      for (const sample of d.errorSamples) console.log(`    error: ${sample}`);
    }
    console.log(`channel: ${channel.received()} activities posted to it (${options.delivery === 'channel' ? 'replies, and ' : ''}outside a turn: staff joined, staff replies, is it solved?)`);
    console.log(`diagnose(): median ${rules.diagnose.medianUs.toFixed(1)} µs, p99 ${rules.diagnose.p99Us.toFixed(1)} µs (memo off: median ${rules.diagnoseUncached.medianUs.toFixed(1)} µs; ${rules.rules} rules)`);
    if (longMessages) console.log(longMessageLine(longMessages));
    const totalErrors = report.reduce((sum, w) => sum + w.servers.reduce((s, f) => s + f.errors, 0), 0) + depth.reduce((sum, d) => sum + d.errors, 0);
    console.log(`errors: ${totalErrors}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
    if (totalErrors > 0) process.exitCode = 1;

    // The mix's ratio; a run without the mix ends with its first workload's.
    const mixRatio = (report.find((w) => w.workload === 'mix') ?? report[0])?.ratios[0]?.turnsPerSecond ?? 0;
    if (options.json) {
      fs.writeFileSync(options.json, `${JSON.stringify({
        at: new Date().toISOString(),
        machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model.trim(), node: process.versions.node },
        options: { concurrency: options.concurrency, rounds: options.rounds, runMs: options.runMs, delivery: options.delivery, mix: MIX },
        workloads: report,
        depth,
        diagnose: rules,
        longMessages,
        turnsPerSecondRatioBotEcho: mixRatio,
        durationS: Math.round((Date.now() - started) / 100) / 10,
      }, null, 2)}\n`);
    }
    console.log(ratioLine(mixRatio));
  } finally {
    await Promise.all(targets.map(async (t) => {
      t.feed?.close();
      await t.client.close();
      await Promise.all([t.process, ...t.more].map((p) => p.stop()));
    }));
    await channel?.close();
    if (databaseUrl && schema) {
      await dropSchema(databaseUrl, schema);
      await dropSchema(databaseUrl, `${schema}_pair`);
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The order the windows' groups of conversations are measured in. A window measured always second
 * would also pay for the garbage the first left (a full collection lands where it lands); in
 * pairs, early, late, late, early, each is first as often as second, and four groups a window
 * spread a busy moment of a shared machine over both windows rather than one half of one.
 */
const DEPTH_ORDER = ['early', 'late', 'late', 'early', 'early', 'late', 'late', 'early'] as const;

/** CPU per turn of the early and the late window (the turns before each played unmeasured), and the stored state after each. */
async function measureDepth(t: Target, concurrency: number): Promise<DepthFigures> {
  const groupsPerWindow = DEPTH_ORDER.length / 2;
  const size = DEPTH_CONVERSATIONS / groupsPerWindow;
  const groups = DEPTH_ORDER.map((window, i) => ({ window, runId: `depth-${window}-${i}-${randomBytes(3).toString('hex')}` }));
  const play = (runId: string, turns: readonly [number, number]) => t.client.run([depthScript], { conversations: size, concurrency, maxMs: DEPTH_MAX_MS, runId, turns });
  const prerolls = await Promise.all(groups.map((g) => play(g.runId, [0, (g.window === 'early' ? EARLY : LATE)[0]])));
  const measured = { early: { cpuMs: 0, turns: 0 }, late: { cpuMs: 0, turns: 0 } };
  const results = [...prerolls];
  for (const { window, runId } of groups) {
    const before = cpuOf(t);
    const result = await play(runId, window === 'early' ? EARLY : LATE);
    measured[window].cpuMs += cpuOf(t) - before;
    measured[window].turns += result.turns;
    results.push(result);
  }
  const perTurn = (w: { cpuMs: number; turns: number }) => (w.turns > 0 ? w.cpuMs / w.turns : 0);
  const stateBytes = async (ids: readonly string[]) => Math.round((await Promise.all(ids.map((id) => storedStateBytes(t.store, id)))).reduce((a, b) => a + b, 0) / ids.length);
  const idsOf = (window: 'early' | 'late') => groups.filter((g) => g.window === window).map((g) => g.runId);
  const [earlyBytes, lateBytes] = await Promise.all([stateBytes(idsOf('early')), stateBytes(idsOf('late'))]);
  return {
    label: t.label,
    early: { cpuMsPerTurn: Math.round(perTurn(measured.early) * 1000) / 1000, stateBytes: earlyBytes },
    late: { cpuMsPerTurn: Math.round(perTurn(measured.late) * 1000) / 1000, stateBytes: lateBytes },
    ratio: ratio(perTurn(measured.late), perTurn(measured.early)),
    errors: results.reduce((n, r) => n + r.errors, 0),
    errorSamples: results.flatMap((r) => r.errorSamples).slice(0, 5),
  };
}

function push<T>(map: Map<Workload, T[]>, key: Workload, value: T): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

function cpuOf(target: Target): number {
  return [target.process, ...target.more].reduce((sum, p) => sum + (p.cpuMs() ?? 0), 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
