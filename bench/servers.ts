import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { BENCH_STAFF_TOKENS } from './staffDesk';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** The two servers' entry points, compiled: the bot as `npm run build` leaves it, the EchoBot beside the build cache. */
export interface CompiledServers {
  bot: string;
  /** The node flags production starts the bot with (`npm start`, deploy/production.sh). */
  botFlags: string[];
  echo: string;
}

/**
 * The bot's environment in every benchmark: the SQLite store unless DATABASE_URL is set over it,
 * the simulated staff member's token, no webhook, channel auth off (as the EchoBot's); logs at info,
 * as production writes them.
 */
export const BENCH_BOT_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'info', DATABASE_URL: '', STAFF_WEBHOOK_URL: '', STAFF_TOKENS: BENCH_STAFF_TOKENS, MicrosoftAppId: '', MicrosoftAppPassword: '',
};

/** How a sample's server starts: source maps, V8's defaults. */
export const ECHO_FLAGS = ['--enable-source-maps'];

/**
 * Both servers as production runs them: compiled JavaScript under plain node, with the flags
 * `deploy/production.sh start` uses. Under tsx each turn also paid for its loader (measured side by
 * side on the mix: the EchoBot 0.77 against 0.67 ms of CPU a turn, the bot 1.47 against 1.23), a
 * cost no deployment has. The bot is built when its sources are newer than dist/ (as `npm start` does);
 * the EchoBot, one file that no deployment ships, is transpiled into node_modules/.cache.
 */
export function compileServers(): CompiledServers {
  const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${String(build.status)})`);
  return { bot: path.join(REPO_ROOT, 'dist/src/main.js'), botFlags: productionNodeFlags(), echo: compileEchoBot() };
}

/** The flags of package.json's `start` (`node <flags> dist/src/main.js`), which deploy/production.sh uses too. */
export function productionNodeFlags(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const start = manifest.scripts?.start ?? '';
  const flags = /^node((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/src\/main\.js$/.exec(start)?.[1];
  if (flags === undefined) throw new Error(`package.json's start script is not "node <flags> dist/src/main.js": ${JSON.stringify(start)}`);
  return flags.trim().split(/\s+/).filter(Boolean);
}

/** bench/echoBot.ts as JavaScript; returns the file's path. */
export function compileEchoBot(): string {
  const source = path.join(REPO_ROOT, 'bench/echoBot.ts');
  const { outputText } = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
    fileName: source,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  // Inside node_modules, so its requires of botbuilder and express resolve to the project's.
  const echo = path.join(REPO_ROOT, 'node_modules/.cache/tech-support-bench/echoBot.js');
  fs.mkdirSync(path.dirname(echo), { recursive: true });
  fs.writeFileSync(echo, outputText);
  return echo;
}

export interface ServerProcess {
  label: string;
  url: string;
  pid: number;
  /** Resident set size now, MiB (from /proc/<pid>/status). */
  rssMiB(): number | undefined;
  /** CPU time used so far (user + system), ms (from /proc/<pid>/stat). */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts a compiled server as its own Node process (`node <nodeArgs> <entry>`; by default with
 * ECHO_FLAGS), so its CPU and memory are its own. Its output goes to a file rather
 * than a pipe, so reading the logs costs the load generator nothing; the port is taken from the
 * JSON line that says "listening".
 */
export async function spawnServer(label: string, entry: string, env: Record<string, string>, options: { logFile: string; nodeArgs?: string[]; cwd?: string }): Promise<ServerProcess> {
  const out = fs.openSync(options.logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? ECHO_FLAGS), entry], {
    cwd: options.cwd ?? REPO_ROOT,
    // No load balancer in front of a benchmark: stopping needs no drain period.
    env: { ...process.env, PORT: '0', SHUTDOWN_DRAIN_S: '0', ...env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let done = false;
  void exited.then(() => (done = true));

  const deadline = Date.now() + 30_000;
  let port: string | undefined;
  while (!port) {
    if (done) throw new Error(`${label} exited before listening:\n${fs.readFileSync(options.logFile, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not start within 30 s:\n${fs.readFileSync(options.logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    port = /"port":(\d+)[^\n]*listening/.exec(fs.readFileSync(options.logFile, 'utf8'))?.[1];
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label} has no pid`);

  return {
    label,
    url: `http://127.0.0.1:${port}`,
    pid,
    rssMiB: () => readRssMiB(pid),
    cpuMs: () => readCpuMs(pid),
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function readRssMiB(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}

/** utime + stime of a process in ms; /proc counts in clock ticks of 10 ms (USER_HZ 100). */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}
