import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { startTestBot } from '../helpers/server';
import { TEST_DATABASE_URL } from '../helpers/stores';
import { Conversation } from '../helpers/talk';
import { writeTally } from './tally';

/**
 * PostgreSQL goes away for a few seconds mid-run (SPEC §8): /readyz says 503 while /healthz stays 200
 * (liveness: restarting the process would not bring the database back), turns fail with a
 * calm answer instead of a crash, and when the database is back the same process serves the
 * same conversations again, with nothing lost. Needs the machine's own cluster (root, pg_ctlcluster).
 */
const version = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql')[0] : undefined;
const canStopPostgres = TEST_DATABASE_URL !== '' && version !== undefined && process.getuid?.() === 0 && fs.existsSync('/usr/bin/pg_ctlcluster');
const cluster = (action: 'start' | 'stop') =>
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version ?? '', 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'ignore' });

function ensureRunning(): void {
  try {
    execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q'], { stdio: 'ignore' });
  } catch {
    cluster('start');
  }
}

if (!canStopPostgres) console.warn('[skipped] PostgreSQL outage: needs TEST_DATABASE_URL, root and pg_ctlcluster');

describe.skipIf(!canStopPostgres)('a PostgreSQL outage mid-run', () => {
  const schema = `outage_${randomBytes(5).toString('hex')}`;
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  beforeAll(async () => {
    bot = await startTestBot({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema });
  });
  afterAll(async () => {
    ensureRunning(); // never leave the machine's database stopped
    await bot?.close();
    const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    await pool.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
    await pool.end();
  });

  it('answers 503 on /readyz (200 on /healthz), fails turns cleanly, and recovers without a restart', async () => {
    const person = new Conversation(bot.url);
    await person.say('my camera says permission denied');
    const asked = await person.say('no, later');
    expect(asked.at(-1)?.channelData).toMatchObject({ questionId: 'os' });

    cluster('stop');
    try {
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${bot.url}/readyz`)).status).toBe(503);
      const during = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: 'mac', channelId: 'test', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies', conversation: { id: person.id }, from: { id: person.userId }, recipient: { id: 'bot' } }),
      });
      const text = await during.text();
      // Either a calm apology in the turn's replies or a plain JSON error — never a crash or a stack trace.
      expect([200, 500, 503]).toContain(during.status);
      expect(text).not.toMatch(/\n\s+at [\w.<>]+ \(/);
      if (during.status === 200) expect(text).toMatch(/Sorry/);
      console.info(`postgres outage: /readyz 503, a turn during it answered ${during.status}`);
    } finally {
      ensureRunning();
    }

    const deadline = Date.now() + 30_000;
    while ((await fetch(`${bot.url}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the store did not recover');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Same process, same conversation: the question asked before the outage is still open.
    const after = await person.say('mac');
    expect(after.at(-1)?.channelData).toMatchObject({ questionId: 'browser' });
    writeTally('outage', { recordsChecked: 1, lost: 0 });
  }, 120_000);
});
