import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/server';

/**
 * On Node 20 an AsyncLocalStorage (or any async hook) makes V8 call into JavaScript for every
 * promise the process creates, about a tenth of a turn's CPU here. The request's id reaches its
 * log lines explicitly instead (src/logger.ts). Checked in a process of its own, serving turns,
 * a web chat conversation and a staff request: inside a promise callback the execution's async
 * id is 0 only while no promise hook is installed.
 */
const script = `
const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
const { executionAsyncId } = require('node:async_hooks');
const { startBot } = require('./src/main');
const { loadConfig } = require('./src/config');
const { createLogger } = require('./src/logger');
(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hooks-'));
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', STAFF_TOKENS: 'sam:' + 'x'.repeat(32) });
  const bot = await startBot(config, createLogger('info', fs.createWriteStream(os.devNull)));
  const statuses = [];
  for (const text of ['my camera is black', 'windows 11', 'chrome', "I'm presenting in 5 minutes and need a person now"]) {
    const response = await fetch(bot.url + '/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({
      type: 'message', text, deliveryMode: 'expectReplies', channelId: 'test', serviceUrl: 'http://127.0.0.1:9', id: String(Math.random()),
      conversation: { id: 'hooks-1' }, from: { id: 'alex' }, recipient: { id: 'bot' } }) });
    statuses.push(response.status);
  }
  const started = await fetch(bot.url + '/v3/directline/conversations', { method: 'POST' });
  statuses.push(started.status);
  const list = await fetch(bot.url + '/api/escalations', { headers: { authorization: 'Bearer ' + 'x'.repeat(32) } });
  statuses.push(list.status);
  const asyncId = await Promise.resolve().then(() => executionAsyncId());
  await bot.close();
  console.log(JSON.stringify({ statuses, asyncId }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('budget: promise hooks', () => {
  it('the served bot installs none: no AsyncLocalStorage, no async hook', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    const result: unknown = JSON.parse(out.trim().split('\n').pop() ?? '');
    expect(result).toEqual({ statuses: [200, 200, 200, 200, 201, 200], asyncId: 0 });
  });
});
