import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoadClient } from '../../bench/load';
import { echoScripts, mixScripts } from '../../bench/scripts';
import { compileEchoBot, spawnServer, type ServerProcess } from '../../bench/servers';
import { startFakeChannel } from '../../bench/staffDesk';

describe('npm run bench: the servers run as production runs them', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-servers-'));
  let echo: ServerProcess | undefined;
  afterAll(async () => {
    await echo?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('runs the compiled EchoBot under plain node, no TypeScript loader, and it echoes', { timeout: 60_000 }, async () => {
    const entry = compileEchoBot();
    expect(entry).toMatch(/\.js$/);
    echo = await spawnServer('EchoBot', entry, {}, { logFile: path.join(work, 'echo.log') });
    const commandLine = fs.readFileSync(`/proc/${echo.pid}/cmdline`, 'utf8').split('\0');
    expect(commandLine).toContain(entry);
    expect(commandLine.join(' ')).not.toMatch(/tsx/);

    const response = await fetch(`${echo.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message', text: 'hello', channelId: 'test', serviceUrl: 'http://127.0.0.1:9/unused', deliveryMode: 'expectReplies',
        conversation: { id: 'c1' }, from: { id: 'u1' }, recipient: { id: 'bot' }, id: 'a1',
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { activities: { text?: string }[] };
    expect(body.activities.map((a) => a.text)).toEqual(['You said: hello']);
  });

  it('the EchoBot posts its replies to the channel, as it would on a real one, and the load client checks them there', { timeout: 60_000 }, async () => {
    echo ??= await spawnServer('EchoBot', compileEchoBot(), {}, { logFile: path.join(work, 'echo-channel.log') });
    const channel = await startFakeChannel();
    const client = new LoadClient(echo.url, 4, { delivery: 'channel', channel });
    try {
      const scripts = echoScripts(mixScripts()).slice(0, 4);
      const result = await client.run(scripts, { conversations: 4, concurrency: 4, maxMs: 30_000 });
      expect(result.errorSamples).toEqual([]);
      expect(result.turns).toBe(scripts.reduce((n, s) => n + s.turns.length, 0));
      // One reply a turn, each posted to the channel and taken as that turn's.
      expect(channel.received()).toBe(result.turns);
      expect(result.latenciesByKind).toBeUndefined();

      // With byKind, each turn's latency also under what was said (bench:ab --by-turn).
      const byKind = await client.run(scripts, { conversations: 4, concurrency: 4, maxMs: 30_000, byKind: true });
      const kinds = byKind.latenciesByKind ?? new Map<string, number[]>();
      const said = new Set(scripts.flatMap((script) => script.turns.map((turn) => turn.say ?? '')));
      expect([...kinds.keys()].every((kind) => said.has(kind))).toBe(true);
      expect([...kinds.values()].reduce((n, list) => n + list.length, 0)).toBe(byKind.turns);
    } finally {
      await client.close();
      await channel.close();
    }
  });
});
