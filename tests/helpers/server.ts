import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import type { ChannelCredentials } from '../../src/bot';
import { startBot, type RunningBot } from '../../src/main';
import { tempDir } from './stores';
import { suiteFixture } from './suiteFixture';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** A logger that keeps every line in memory, so tests can assert on logs (and on what never appears in them). */
export function memoryLogger(level = 'debug'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger(level, sink), lines };
}

/** Starts the whole bot in this process on a free port, with its own temporary SQLite store unless env says otherwise. */
export async function startTestBot(env: Record<string, string> = {}, options: { credentials?: ChannelCredentials } = {}): Promise<RunningBot & { logs: string[] }> {
  // Most tests claim through the API without a console open; the no-staff-online path has its own tests.
  const config = loadConfig({ PORT: '0', DATA_DIR: tempDir(), LOG_LEVEL: 'debug', ESCALATION_WHEN_NOBODY_ONLINE: 'queue', ...env });
  const { log, lines } = memoryLogger(config.LOG_LEVEL);
  const running = await startBot(config, log, { credentials: options.credentials });
  return { ...running, logs: lines };
}

export type RunningTestBot = Awaited<ReturnType<typeof startTestBot>>;

/** One bot for all the tests of a suite (call inside the `describe`; read `bot` inside the tests), closed after them. */
export function botForSuite(env: Record<string, string> = {}): { readonly bot: RunningTestBot } {
  const bot = suiteFixture("the suite's bot", async (closeLater) => {
    const started = await startTestBot(env);
    closeLater(() => started.close());
    return started;
  });
  return {
    get bot() {
      return bot();
    },
  };
}

export interface BotProcess {
  url: string;
  child: ChildProcess;
  output: string[];
  /** The exit code, once the process has exited (by itself or by a signal sent elsewhere). */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the bot as a real process from its sources (`src/main.ts` under tsx, as `npm run dev` does), and waits until it listens. */
export async function spawnBot(env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    // No drain period unless a test asks for one: nothing balances load in front of a test's process.
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_S: '0', ESCALATION_WHEN_NOBODY_ONLINE: 'queue', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started bot behind
      reject(new Error(`bot did not start:\n${output.join('\n')}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        output.push(line);
        const port = /"port":(\d+).*listening/.exec(line)?.[1];
        if (port) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited with ${code}:\n${output.join('\n')}`));
    });
  });
  return {
    url,
    child,
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
