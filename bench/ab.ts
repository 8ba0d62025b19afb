import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LoadClient, type RunResult } from './load';
import { oneOf, readCommandLine, subsetOf } from './options';
import { median, percentile } from './report';
import { echoScripts, familyScripts, mixScripts, type Family, type Script } from './scripts';
import { BENCH_BOT_ENV, compileServers, ECHO_FLAGS, productionNodeFlags, readCpuMs, REPO_ROOT, spawnServer, type ServerProcess } from './servers';
import { StaffFeed, startFakeChannel, type FakeChannel } from './staffDesk';
import { dropSchema } from './storedState';

/**
 * `npm run bench:ab -- --base <git ref>`: the bot as it is in the working tree (B) against the
 * bot at another commit (A) and the EchoBot (E), in one run on one machine: how a change is
 * judged on a shared, noisy machine, where `npm run bench` figures from different hours differ
 * by more than most changes do. Rounds are interleaved and the order turns each round (A B E,
 * B E A, E A B, …), so a busy minute of the machine falls on every server alike. Besides turns/s
 * and latency it reads each server's CPU per turn from /proc, and with PostgreSQL the CPU all of
 * the database server's processes spent per turn, which is what a change to the store moves.
 * The base is built in a git worktree under node_modules/.cache, sharing this node_modules.
 */

const USAGE = `usage: npm run bench:ab -- --base REF [--store sqlite|postgres] [--workloads LIST] [--instances N] [--rounds N] [--run-s N] [--concurrency N] [--by-turn]
--base REF         the commit to compare the working tree with (e.g. HEAD~3, main)
--store            sqlite (default) or postgres (needs DATABASE_URL; each server gets a fresh schema)
--workloads LIST   which of short,long,urgent,mix to run (default mix)
--instances N      bot instances sharing one store, turns spread over them (default 1; more needs postgres)
--by-turn          also p50/p99 per kind of turn ("didn't help", "claim", …)`;

type Workload = Family | 'mix';
const WORKLOADS: Workload[] = ['short', 'long', 'urgent', 'mix'];
const STORES = ['sqlite', 'postgres'] as const;
const scriptsOf = (workload: Workload): Script[] => (workload === 'mix' ? mixScripts() : familyScripts[workload]);

interface Side {
  label: 'A' | 'B' | 'E';
  processes: ServerProcess[];
  client: LoadClient;
  feed?: StaffFeed;
  schema?: string;
  /** Per workload, one entry per round. */
  runs: Map<Workload, { result: RunResult; cpuMs: number; databaseCpuMs: number }[]>;
}

async function main(): Promise<void> {
  const args = readCommandLine(USAGE, { base: undefined, store: 'sqlite', workloads: 'mix', instances: '1', rounds: '3', 'run-s': '8', concurrency: '50', 'by-turn': false });
  const base = args.text('base');
  if (!base) throw new Error(`--base is required\n${USAGE}`);
  const store = oneOf('store', args.text('store'), STORES, USAGE);
  const workloads = subsetOf('workloads', args.text('workloads'), WORKLOADS, USAGE);
  const instances = args.positive('instances');
  const rounds = args.positive('rounds');
  const runMs = args.positive('run-s') * 1000;
  const concurrency = args.positive('concurrency');
  const byTurn = args.flag('by-turn');
  const databaseUrl = process.env.DATABASE_URL ?? '';
  if (store === 'postgres' && !databaseUrl) throw new Error('--store postgres needs DATABASE_URL');
  if (instances > 1 && store !== 'postgres') throw new Error('--instances above 1 needs --store postgres: SQLite is one process\'s store');

  const entries = compileServers();
  const baseEntry = buildBase(base);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-ab-'));
  const sides: Side[] = [];
  let channel: FakeChannel | undefined;
  try {
    console.log(`A = ${base} (${baseEntry.commit.slice(0, 7)}), B = working tree, E = EchoBot; ${store}${instances > 1 ? ` ×${instances}` : ''}; ${rounds} rounds of ${workloads.join(', ')}, ${runMs / 1000} s a run, ${concurrency} people in flight`);
    channel = await startFakeChannel();
    const botEnv = (label: string): Record<string, string> => ({
      ...BENCH_BOT_ENV,
      DATA_DIR: path.join(work, `data-${label}`),
      DATABASE_URL: store === 'postgres' ? databaseUrl : '',
    });
    for (const [label, entry, cwd] of [['A', baseEntry.entry, baseEntry.root], ['B', entries.bot, REPO_ROOT]] as const) {
      const schema = store === 'postgres' ? `bench_ab_${label.toLowerCase()}_${randomBytes(3).toString('hex')}` : undefined;
      const env = { ...botEnv(label), ...(schema ? { DATABASE_SCHEMA: schema } : {}) };
      const processes = await Promise.all(Array.from({ length: instances }, (_, n) => spawnServer(`${label}${n}`, entry, env, { logFile: path.join(work, `${label}${n}.log`), nodeArgs: productionNodeFlags(), cwd })));
      const feed = await StaffFeed.open(processes.map((p) => p.url));
      sides.push({ label, processes, feed, schema, runs: new Map(), client: new LoadClient(processes.map((p) => p.url), concurrency, { delivery: 'channel', channel, feed }) });
    }
    const echo = await spawnServer('E', entries.echo, {}, { logFile: path.join(work, 'E.log'), nodeArgs: ECHO_FLAGS });
    sides.push({ label: 'E', processes: [echo], runs: new Map(), client: new LoadClient(echo.url, concurrency, { delivery: 'channel', channel }) });

    const play = (side: Side, workload: Workload, options: { maxMs: number; conversations: number; runId: string }) => {
      const scripts = side.label === 'E' ? echoScripts(scriptsOf(workload)) : scriptsOf(workload);
      return side.client.run(scripts, { ...options, concurrency, byKind: byTurn });
    };
    for (const side of sides) await play(side, 'mix', { maxMs: 3_000, conversations: 400, runId: `warm-${side.label}-${randomBytes(3).toString('hex')}` });

    for (let round = 0; round < rounds; round++) {
      for (const workload of workloads) {
        for (const side of roundOrder(sides, round)) {
          const cpuBefore = cpuOf(side.processes);
          const databaseBefore = databaseCpuMs();
          const result = await play(side, workload, { maxMs: runMs, conversations: Number.MAX_SAFE_INTEGER, runId: `r${round}-${workload}-${side.label}-${randomBytes(3).toString('hex')}` });
          const entry = { result, cpuMs: cpuOf(side.processes) - cpuBefore, databaseCpuMs: store === 'postgres' ? databaseCpuMs() - databaseBefore : 0 };
          side.runs.set(workload, [...(side.runs.get(workload) ?? []), entry]);
          console.log(`round ${round + 1} ${workload.padEnd(6)} ${side.label} ${perSecond(result).toFixed(0).padStart(5)} turns/s  errors ${result.errors}${result.errorSamples[0] ? `  e.g. ${result.errorSamples[0]}` : ''}`);
        }
      }
    }

    for (const workload of workloads) {
      console.log(`\n${workload} (medians over ${rounds} rounds; CPU per turn from /proc${store === 'postgres' ? '; db = all postgres processes' : ''}):`);
      const echoRate = median((sides.find((s) => s.label === 'E')?.runs.get(workload) ?? []).map((r) => perSecond(r.result)));
      for (const side of sides) {
        const runs = side.runs.get(workload) ?? [];
        const latencies = runs.flatMap((r) => r.result.latenciesMs);
        const rate = median(runs.map((r) => perSecond(r.result)));
        const cpu = median(runs.map((r) => r.cpuMs / Math.max(1, r.result.turns)));
        const db = median(runs.map((r) => r.databaseCpuMs / Math.max(1, r.result.turns)));
        const errors = runs.reduce((n, r) => n + r.result.errors, 0);
        console.log(`  ${side.label}  ${rate.toFixed(0).padStart(5)} turns/s (${(rate / echoRate).toFixed(2)} × E)   p50 ${percentile(latencies, 0.5).toFixed(1).padStart(6)} ms   p99 ${percentile(latencies, 0.99).toFixed(1).padStart(6)} ms   CPU ${cpu.toFixed(3)} ms/turn${store === 'postgres' && side.label !== 'E' ? `   db ${db.toFixed(3)} ms/turn` : ''}   errors ${errors}`);
        if (byTurn && side.label !== 'E') {
          const kinds = new Map<string, number[]>();
          for (const { result } of runs) for (const [kind, values] of result.latenciesByKind ?? []) kinds.set(kind, (kinds.get(kind) ?? []).concat(values));
          for (const [kind, values] of [...kinds].sort((x, y) => percentile(y[1], 0.5) - percentile(x[1], 0.5))) {
            console.log(`      ${kind.slice(0, 40).padEnd(40)} n ${String(values.length).padStart(6)}   p50 ${percentile(values, 0.5).toFixed(1).padStart(6)}   p99 ${percentile(values, 0.99).toFixed(1).padStart(6)}`);
          }
        }
      }
    }
  } finally {
    await Promise.all(sides.map(async (side) => {
      side.feed?.close();
      await side.client.close();
      await Promise.all(side.processes.map((p) => p.stop()));
      if (side.schema) await dropSchema(databaseUrl, side.schema);
    }));
    await channel?.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The base commit checked out and built in a worktree of its own (kept for the next run at that commit). */
function buildBase(ref: string): { entry: string; root: string; commit: string } {
  const git = (...gitArgs: string[]) => {
    const run = spawnSync('git', gitArgs, { cwd: REPO_ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${gitArgs.join(' ')}: ${run.stderr.trim()}`);
    return run.stdout.trim();
  };
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
  const root = path.join(REPO_ROOT, 'node_modules/.cache/tech-support-bench', `base-${commit.slice(0, 12)}`);
  const entry = path.join(root, 'dist/src/main.js');
  if (fs.existsSync(entry)) return { entry, root, commit };
  fs.rmSync(root, { recursive: true, force: true });
  git('worktree', 'prune');
  git('worktree', 'add', '--force', '--detach', root, commit);
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`building ${ref} failed (exit ${String(build.status)})`);
  return { entry, root, commit };
}

/** The order of round `round` (from 0): A B E, then B E A, then E A B, …: each side first, second and last as often. */
export function roundOrder<T>(sides: readonly T[], round: number): T[] {
  return sides.map((_, i) => sides[(i + round) % sides.length]).filter((side): side is T => side !== undefined);
}

const perSecond = (r: RunResult) => (r.elapsedMs > 0 ? (r.turns * 1000) / r.elapsedMs : 0);
const cpuOf = (processes: readonly ServerProcess[]) => processes.reduce((sum, p) => sum + (p.cpuMs() ?? 0), 0);

/** CPU time of every process named `postgres` on the machine, ms: the database server's backends, its writer, its WAL writer. */
function databaseCpuMs(): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += readCpuMs(Number(pid)) ?? 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

// Run as `npm run bench:ab`, not when a test imports the module.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
