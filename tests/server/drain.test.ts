import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnBot, startTestBot, type BotProcess } from '../helpers/server';
import { STAFF, STAFF_TOKENS, StaffClient, asList, eventually } from '../helpers/staff';
import { tempDir } from '../helpers/stores';

/** A channel whose Connector answers the first reply only after `holdMs`: the turn that sends it stays in flight. */
async function startSlowChannel(holdMs: number): Promise<{ serviceUrl: string; replies: number; close(): Promise<void> }> {
  const state = { replies: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    state.replies++;
    const delay = state.replies === 1 ? holdMs : 0;
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: randomUUID() })), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get replies() {
      return state.replies;
    },
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** One request on a new connection (no pooled keep-alive), so a closed listener shows as refused. */
function freshGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

const activity = (conversationId: string, extra: Record<string, unknown>) => ({
  type: 'message', channelId: 'test', conversation: { id: conversationId }, from: { id: 'alex', name: 'Alex' }, recipient: { id: 'bot' }, id: randomUUID(), ...extra,
});

describe('SIGTERM drains the process', () => {
  let bot: BotProcess | undefined;
  let restarted: BotProcess | undefined;
  afterAll(async () => {
    await bot?.stop('SIGKILL');
    await restarted?.stop('SIGKILL');
  });

  it('answers 503 on /readyz for the drain period while serving turns, then stops accepting, finishes the turn in flight, ends streams and closes the store', async () => {
    const dataDir = tempDir();
    const channel = await startSlowChannel(4000);
    const env = { DATA_DIR: dataDir, STAFF_TOKENS, SHUTDOWN_DRAIN_S: '1.5', SHUTDOWN_TIMEOUT_S: '10' };
    bot = await spawnBot(env);
    const url = bot.url;

    // A staff console's live feed: a stream that never ends by itself.
    const feed = await fetch(`${url}/api/staff/events?token=${STAFF.sam}`);
    const feedEnded = (async () => {
      const reader = feed.body?.getReader();
      while (reader && !(await reader.read()).done);
      return Date.now();
    })();

    // The turn in flight: its first reply to the channel is held for 4 s.
    const conversationId = `drain-${randomUUID()}`;
    const inFlight = fetch(`${url}/api/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(conversationId, { text: 'my camera says permission denied', serviceUrl: channel.serviceUrl })),
    });
    await eventually('the turn to be sending its reply', () => channel.replies > 0);

    const signalled = Date.now();
    bot.child.kill('SIGTERM');
    await eventually('readyz to say draining', async () => (await fetch(`${url}/readyz`)).status === 503);
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'draining', store: { ok: true } });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // New turns are still served while the load balancer notices.
    const during = await fetch(`${url}/api/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(`drain-${randomUUID()}`, { text: 'hello', deliveryMode: 'expectReplies', serviceUrl: 'http://127.0.0.1:9' })),
    });
    expect(during.status).toBe(200);
    expect(((await during.json()) as { activities: unknown[] }).activities.length).toBeGreaterThan(0);

    // After the drain period: no new connections, while the held turn is still running.
    const refused = await eventually('new connections refused', () => freshGet(`${url}/healthz`).then(() => false, (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED'));
    expect(refused).toBe(true);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(1400);
    const feedEndedAt = await feedEnded;
    expect(feedEndedAt - signalled).toBeGreaterThanOrEqual(1400);

    // The turn in flight finishes and answers; the process exits cleanly afterwards.
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(await bot.exited).toBe(0);
    const lines = bot.output.map((line) => JSON.parse(line) as { msg: string });
    const order = ['shutting down', 'draining: /readyz answers 503 while turns are still served', 'no longer accepting connections; finishing requests in flight', 'stopped'];
    expect(lines.map((l) => l.msg).filter((m) => order.includes(m))).toEqual(order);
    const turn = lines.findIndex((l) => l.msg === 'turn' && 'conversationId' in l && l.conversationId === conversationId);
    expect(turn).toBeGreaterThan(lines.findIndex((l) => l.msg === order[2]));
    expect(turn).toBeLessThan(lines.findIndex((l) => l.msg === 'stopped'));

    // What the in-flight turn did reached the store before it closed.
    restarted = await spawnBot(env);
    const transcript = asList((await new StaffClient(restarted.url, STAFF.sam).get(`/api/conversations/${conversationId}/transcript`)).body);
    expect(transcript.map((e) => e.direction)).toEqual(expect.arrayContaining(['in', 'out']));
    await restarted.stop();
    await channel.close();
  }, 60_000);
});

describe('SIGTERM when nobody reads the log any more', () => {
  /**
   * As when a log collector goes away: a wrapper starts the bot with its stdout piped to itself,
   * signals it once it listens and exits, so the bot's last log lines meet a closed pipe. With
   * sonic-boom 4 (pino's destination) the flush at exit retried such a line for ever.
   */
  const WRAPPER = `
    const { spawn } = require('node:child_process');
    const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { stdio: ['ignore', 'pipe', 'ignore'] });
    bot.stdout.on('data', (chunk) => {
      if (!/listening/.test(String(chunk))) return;
      process.stdout.write(String(bot.pid));
      bot.kill('SIGTERM');
      process.exit(0);
    });`;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('still exits: the logger gives up on a closed stdout instead of retrying its last line for ever', async () => {
    const wrapper = spawn(process.execPath, ['-e', WRAPPER], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATA_DIR: tempDir(), DATABASE_URL: '', SHUTDOWN_DRAIN_S: '1', SHUTDOWN_TIMEOUT_S: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let said = '';
    wrapper.stdout.on('data', (chunk: Buffer) => (said += chunk.toString('utf8')));
    await new Promise((resolve) => wrapper.once('exit', resolve));
    const pid = Number(said);
    expect(pid).toBeGreaterThan(0);
    try {
      // The drain (1 s) and the close take about 2 s; the bot's own limit is 8.
      await eventually('the bot to exit', () => !alive(pid), 20_000);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 40_000);
});

describe('the drain, in process', () => {
  it('runs registered closers (e.g. streams) after readyz turns away traffic and before the store closes', async () => {
    const bot = await startTestBot();
    const seen: string[] = [];
    bot.lifecycle.onStop('a stream', async () => {
      const ready = await fetch(`${bot.url}/readyz`).catch(() => undefined);
      seen.push(`closer: readyz ${ready?.status ?? 'refused'}, store ${(await bot.store.health()).ok ? 'open' : 'closed'}`);
    });
    bot.lifecycle.onStop('a failing one', () => {
      throw new Error('cannot close');
    });
    await bot.close();
    expect(seen).toEqual(['closer: readyz refused, store open']);
    expect(bot.logs.some((l) => l.includes('could not close on shutdown') && l.includes('a failing one'))).toBe(true);
    expect((await bot.store.health()).ok).toBe(false);
  });
});
