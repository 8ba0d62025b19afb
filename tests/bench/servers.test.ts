import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileEchoBot, spawnServer, type ServerProcess } from '../../bench/servers';

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
});
