import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { spawnBot, type BotProcess } from '../helpers/server';
import { postgresBackend, TEST_DATABASE_URL, tempDir } from '../helpers/stores';
import { Conversation } from '../helpers/talk';

/**
 * Several instances on one PostgreSQL (SPEC §7): real server processes on different ports
 * sharing one database, as behind a load balancer.
 */
describe.skipIf(!postgresBackend.available)('several instances on one PostgreSQL', () => {
  const schema = `multi_${randomBytes(5).toString('hex')}`;
  const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, DATA_DIR: tempDir() };
  const instances: BotProcess[] = [];

  beforeAll(async () => {
    // Started together: the migrations must not race (Kysely holds an advisory lock).
    instances.push(...(await Promise.all([spawnBot(env), spawnBot(env), spawnBot(env)])));
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop('SIGKILL')));
    const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    await pool.query(`drop schema if exists "${schema}" cascade`);
    await pool.end();
  });

  it('serves one conversation whichever instance each turn lands on', async () => {
    const person = new Conversation(instances[0]!.url);
    const lines = ['my webcam says its being used by another program', 'no not live', 'win 10', 'chrome', "didn't help", 'that fixed it'];
    const given: string[] = [];
    let last: { text?: string }[] = [];
    for (const [i, line] of lines.entries()) {
      person.moveTo(instances[i % instances.length]!.url);
      const replies = await person.say(line);
      given.push(...replies.map((r) => r.channelData?.adviceId).filter((id): id is string => typeof id === 'string'));
      last = replies;
    }
    expect(given[0]).toBe('close-other-apps');
    expect(new Set(given).size).toBe(given.length); // no step offered twice
    expect(last.map((r) => r.text).join(' ')).toMatch(/glad it works/i);
  });

  it('loses nothing when the instance a person was talking to dies', async () => {
    const person = new Conversation(instances[1]!.url);
    await person.say('my camera says permission denied');
    const asked = await person.say('no, later');
    expect(asked.at(-1)?.channelData).toMatchObject({ questionId: 'os' });
    await instances[1]!.stop('SIGKILL');
    person.moveTo(instances[2]!.url);
    const next = await person.say('mac');
    expect(next.at(-1)?.channelData).toMatchObject({ questionId: 'browser' });
  });
});

if (!postgresBackend.available) console.warn('[skipped] several instances on one PostgreSQL: TEST_DATABASE_URL is not set');
