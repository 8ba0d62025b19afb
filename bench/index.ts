import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool as PgPool } from 'pg';
import { measureDiagnose, type DiagnoseMeasurement } from './measure';
import { LoadClient, type RunResult } from './load';
import { longMessageLine, measureLongMessages } from './longMessages';
import { exitOnHelp, positiveInteger } from './options';
import { ratio, ratioLine, serverLine, summariseRuns, type ServerFigures } from './report';
import { diagnosisScripts, echoScripts, type Script } from './scripts';
import { spawnServer, type ServerProcess } from './servers';

/**
 * `npm run bench`: the Technical Support bot (SQLite store; PostgreSQL too when DATABASE_URL is
 * set) against a plain botbuilder EchoBot, side by side in one run (SPEC §8). Each server is its
 * own process; simulated people run whole diagnosis conversations over loopback HTTP with
 * expectReplies, every reply checked. Warm-up first, then rounds that interleave the servers.
 * The last line printed is `turns/s ratio bot/echo: <number>`.
 */

const USAGE = `usage: npm run bench -- [--conversations N] [--concurrency N] [--rounds N] [--json FILE]
                            [--max-run-s N] [--warmup N] [--profile DIR]
--profile DIR writes a CPU profile per server under DIR/<server>/ (read with bench/cpuProfile.ts)`;

interface Options {
  conversations: number;
  concurrency: number;
  rounds: number;
  json?: string;
  maxRunMs: number;
  warmup: number;
  profileDir?: string;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'string' },
      'max-run-s': { type: 'string', default: '30' },
      warmup: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  exitOnHelp(values.help, USAGE);
  const positive = (name: string, raw: string | undefined) => positiveInteger(name, raw, USAGE);
  const conversations = positive('conversations', values.conversations);
  return {
    conversations,
    concurrency: positive('concurrency', values.concurrency),
    rounds: positive('rounds', values.rounds),
    json: values.json,
    maxRunMs: positive('max-run-s', values['max-run-s']) * 1000,
    warmup: values.warmup === undefined ? Math.min(200, Math.max(1, Math.ceil(conversations / 5))) : positive('warmup', values.warmup),
    profileDir: values.profile ? path.resolve(values.profile) : undefined,
  };
}

interface Target {
  label: string;
  process: ServerProcess;
  /** Further instances of the same target (the two-instance PostgreSQL run). */
  more: ServerProcess[];
  client: LoadClient;
  scripts: Script[];
  runs: RunResult[];
  /** CPU ms the target's processes used during each run. */
  cpuMs: number[];
}

/** The whole benchmark stays under three minutes: the measured runs share this budget. */
const MEASURED_BUDGET_MS = 110_000;

async function main(): Promise<void> {
  const options = readOptions();
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-bench-'));
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const schema = databaseUrl ? `bench_${randomBytes(4).toString('hex')}` : undefined;
  const targets: Target[] = [];

  try {
    console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.versions.node}`);
    console.log(`load: ${options.conversations} conversations per run, ${options.concurrency} in flight, ${options.rounds} rounds, ${options.warmup} warm-up conversations`);

    // The rules first, alone on the machine, so nothing else competes for the CPU.
    const rules: DiagnoseMeasurement = await measureDiagnose();

    const profileArgs = (name: string) => (options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.profileDir, name)}`] : []);
    const start = async (label: string, entry: string, env: Record<string, string>, scripts: Script[], profileName: string) => {
      const child = await spawnServer(label, entry, env, { logFile: path.join(work, `${profileName}.log`), nodeArgs: profileArgs(profileName) });
      targets.push({ label, process: child, more: [], client: new LoadClient(child.url, options.concurrency), scripts, runs: [], cpuMs: [] });
    };
    // Two instances on one PostgreSQL schema, turns spread over both (SPEC §7 scale-out).
    const startPair = async (label: string, env: Record<string, string>, scripts: Script[]) => {
      const pair = await Promise.all([0, 1].map((n) => spawnServer(`${label} #${n + 1}`, 'src/main.ts', env, { logFile: path.join(work, `bot-pair-${n}.log`) })));
      const [first, second] = pair;
      if (!first || !second) throw new Error('two instances did not start');
      targets.push({ label, process: first, more: [second], client: new LoadClient(pair.map((p) => p.url), options.concurrency), scripts, runs: [], cpuMs: [] });
    };
    const botEnv = { LOG_LEVEL: 'info', DATA_DIR: path.join(work, 'data'), DATABASE_URL: '', STAFF_WEBHOOK_URL: '', MicrosoftAppId: '', MicrosoftAppPassword: '' };
    await start('bot (SQLite)', 'src/main.ts', botEnv, diagnosisScripts, 'bot-sqlite');
    if (databaseUrl && schema) {
      await start('bot (PostgreSQL)', 'src/main.ts', { ...botEnv, DATA_DIR: path.join(work, 'data-pg'), DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }, diagnosisScripts, 'bot-postgres');
      await startPair('bot (PostgreSQL ×2)', { ...botEnv, DATA_DIR: path.join(work, 'data-pg2'), DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `${schema}_pair` }, diagnosisScripts);
    }
    await start('EchoBot', 'bench/echoBot.ts', {}, echoScripts(diagnosisScripts), 'echo');

    for (const target of targets) {
      const warm = await target.client.run(target.scripts, { conversations: options.warmup, concurrency: options.concurrency, maxMs: 8_000, runId: `warmup-${randomBytes(3).toString('hex')}` });
      if (warm.errors > 0) console.log(`warm-up of ${target.label}: ${warm.errors} errors, e.g. ${warm.errorSamples[0] ?? ''}`);
    }

    const maxRunMs = Math.min(options.maxRunMs, Math.floor(MEASURED_BUDGET_MS / (options.rounds * targets.length)));
    for (let round = 1; round <= options.rounds; round++) {
      for (const target of targets) {
        const cpuBefore = cpuOf(target);
        const result = await target.client.run(target.scripts, {
          conversations: options.conversations,
          concurrency: options.concurrency,
          maxMs: maxRunMs,
          runId: `r${round}-${randomBytes(3).toString('hex')}`,
        });
        target.runs.push(result);
        target.cpuMs.push(cpuOf(target) - cpuBefore);
        const perSecond = result.elapsedMs > 0 ? (result.turns * 1000) / result.elapsedMs : 0;
        console.log(`round ${round} ${target.label.padEnd(18)} ${perSecond.toFixed(0).padStart(6)} turns/s  ${result.conversations} conversations in ${(result.elapsedMs / 1000).toFixed(1)} s  errors ${result.errors}`);
      }
    }

    // After the measured rounds, so its huge bodies do not disturb them.
    const firstBot = targets[0];
    const longMessages = firstBot ? await measureLongMessages(firstBot.process.url) : undefined;

    const rss = (t: Target) => [t.process, ...t.more].reduce<number | undefined>((sum, p) => {
      const one = p.rssMiB();
      return one === undefined ? sum : (sum ?? 0) + one;
    }, undefined);
    const figures: ServerFigures[] = targets.map((t) => summariseRuns(t.label, t.runs, rss(t), t.cpuMs));
    const echo = figures[figures.length - 1];
    const bot = figures[0];
    if (!echo || !bot) throw new Error('no figures');

    console.log('');
    for (const f of figures) {
      console.log(serverLine(f));
      for (const sample of f.errorSamples) console.log(`    error: ${sample}`);
    }
    const ratios = figures.slice(0, -1).map((f) => ({
      label: f.label,
      turnsPerSecond: ratio(f.turnsPerSecond, echo.turnsPerSecond),
      p99: ratio(f.p99Ms, echo.p99Ms),
    }));
    for (const r of ratios) {
      const tpsOk = r.turnsPerSecond >= 0.7;
      const p99Ok = r.p99 <= 1.5;
      console.log(`${r.label}/EchoBot: turns/s ${r.turnsPerSecond.toFixed(2)} (target ≥ 0.70 ${tpsOk ? 'met' : 'NOT met'}), p99 ${r.p99.toFixed(2)} (target ≤ 1.50 ${p99Ok ? 'met' : 'NOT met'})`);
    }
    console.log(`diagnose(): median ${rules.diagnose.medianUs.toFixed(1)} µs, p99 ${rules.diagnose.p99Us.toFixed(1)} µs (memo off: median ${rules.diagnoseUncached.medianUs.toFixed(1)} µs; ${rules.rules} rules)`);
    if (longMessages) console.log(longMessageLine(longMessages));
    const totalErrors = figures.reduce((sum, f) => sum + f.errors, 0);
    if (totalErrors > 0) process.exitCode = 1;

    const botRatio = ratios[0]?.turnsPerSecond ?? 0;
    if (options.json) {
      const report = {
        at: new Date().toISOString(),
        machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model.trim(), node: process.versions.node },
        options: { conversations: options.conversations, concurrency: options.concurrency, rounds: options.rounds, warmup: options.warmup, maxRunMs },
        servers: figures,
        ratios,
        diagnose: rules,
        longMessages,
        turnsPerSecondRatioBotEcho: botRatio,
        durationS: Math.round((Date.now() - started) / 100) / 10,
      };
      fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    }
    console.log(ratioLine(botRatio));
  } finally {
    await Promise.all(targets.map(async (t) => {
      await t.client.close();
      await Promise.all([t.process, ...t.more].map((p) => p.stop()));
    }));
    if (databaseUrl && schema) {
      await dropSchema(databaseUrl, schema);
      await dropSchema(databaseUrl, `${schema}_pair`);
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function cpuOf(target: Target): number {
  return [target.process, ...target.more].reduce((sum, p) => sum + (p.cpuMs() ?? 0), 0);
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const pool = new PgPool({ connectionString: databaseUrl, max: 1 });
  try {
    await pool.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
