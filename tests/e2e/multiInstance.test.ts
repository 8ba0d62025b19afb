import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { spawnBot, type BotProcess } from '../helpers/server';
import { postgresBackend, TEST_DATABASE_URL, tempDir } from '../helpers/stores';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { asList, ChannelConversation, eventually, isRecord, openFeed, STAFF, STAFF_TOKENS, StaffClient } from '../helpers/staff';
import { Conversation } from '../helpers/talk';

/** N bot processes on one fresh PostgreSQL schema plus a fake channel; `stop` kills them and drops the schema. */
function cluster(size: number, extraEnv: Record<string, string> = {}) {
  const schema = `multi_${randomBytes(5).toString('hex')}`;
  const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, DATA_DIR: tempDir(), STAFF_TOKENS, ...extraEnv };
  const fixture: { instances: BotProcess[]; channel?: FakeChannel } = { instances: [] };
  return {
    fixture,
    async start() {
      fixture.channel = await startFakeChannel();
      // Started together: the migrations must not race (Kysely holds an advisory lock).
      fixture.instances.push(...(await Promise.all(Array.from({ length: size }, () => spawnBot(env)))));
    },
    async stop() {
      await Promise.all(fixture.instances.map((i) => i.stop('SIGKILL')));
      await fixture.channel?.close();
      const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
      await pool.query(`drop schema if exists "${schema}" cascade`);
      await pool.end();
    },
  };
}

/**
 * Several instances on one PostgreSQL (SPEC §7): real server processes on different ports
 * sharing one database, as behind a load balancer.
 */
describe.skipIf(!postgresBackend.available)('several instances on one PostgreSQL', () => {
  const three = cluster(3);
  const { instances } = three.fixture;
  const channel = () => three.fixture.channel!;
  beforeAll(() => three.start());
  afterAll(() => three.stop());

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

  it('hands over across instances: created on A, seen live on B, claimed on C, relayed to the person', async () => {
    const [a, b, c] = instances.map((i) => i.url);
    const feedOnB = await openFeed(`${b}/api/staff/events?token=${STAFF.kim}`);
    // B's LISTEN starts with its first subscriber; give it a moment before the event it must hear.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    try {
      const person = new ChannelConversation(a!, channel().serviceUrl);
      const replies = await person.say("I'm presenting in 5 minutes and my mic is blocked");
      expect(replies.map((r) => r.text).join(' ')).toMatch(/called a member of staff/);
      const created = await eventually('the feed on B to announce it', () =>
        feedOnB.events.find((e) => e.event === 'escalation.created' || e.data.type === 'escalation.created' ? isRecord(e.data.escalation) && e.data.escalation.conversationId === person.id : false));
      expect(created).toBeDefined();
      const listed = asList((await new StaffClient(b!, STAFF.kim).get('/api/escalations?status=waiting')).body);
      const escalation = listed.find((e) => e.conversationId === person.id);
      expect(escalation).toBeDefined();
      const escalationId = String(escalation?.id);

      // Two staff claim at once on two instances: exactly one wins.
      const claims = await Promise.all([
        new StaffClient(b!, STAFF.kim).post(`/api/escalations/${escalationId}/claim`),
        new StaffClient(c!, STAFF.sam).post(`/api/escalations/${escalationId}/claim`),
      ]);
      expect(claims.map((r) => r.status).sort()).toEqual([200, 409]);
      const [winnerUrl, winnerToken] = claims[0].status === 200 ? [b!, STAFF.kim] : [c!, STAFF.sam];

      const sent = await new StaffClient(winnerUrl, winnerToken).post(`/api/escalations/${escalationId}/messages`, { text: 'Hi, I can help: open System Settings.' });
      expect(sent.status).toBe(201);
      await eventually('the staff reply to reach the person', () => channel().sentTo(person.id).find((m) => m.text?.includes('Hi, I can help: open System Settings.')));
    } finally {
      feedOnB.close();
    }
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

describe.skipIf(!postgresBackend.available)('the escalation timeout with two instances', () => {
  const two = cluster(2, { ESCALATION_TIMEOUT_S: '1' });
  const { instances } = two.fixture;
  const channel = () => two.fixture.channel!;
  beforeAll(() => two.start());
  afterAll(() => two.stop());

  it('fires once in the cluster, not once per instance', async () => {
    const person = new ChannelConversation(instances[0]!.url, channel().serviceUrl);
    await person.say('talk to a human please');
    const isNotice = (text?: string) => text?.startsWith('Sorry, no member of staff could join in time') ?? false;
    await eventually('the timeout notice', () => channel().sentTo(person.id).find((m) => isNotice(m.text)));
    // Both instances poll every second; give the slower one several chances to fire too.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(channel().sentTo(person.id).filter((m) => isNotice(m.text))).toHaveLength(1);
    const records = asList((await new StaffClient(instances[1]!.url, STAFF.sam).get('/api/support-records')).body);
    expect(records.filter((r) => r.conversationId === person.id)).toHaveLength(1);
  });
});

if (!postgresBackend.available) console.warn('[skipped] several instances on one PostgreSQL: TEST_DATABASE_URL is not set');

describe.skipIf(!postgresBackend.available)('staff presence across instances', () => {
  const two = cluster(2);
  const { instances } = two.fixture;
  beforeAll(() => two.start());
  afterAll(() => two.stop());

  it('a console connected to one instance shows as online on the other, and goes offline when it closes', async () => {
    const [a, b] = instances.map((i) => i.url);
    const onB = new StaffClient(b!, STAFF.kim);
    const online = async () => asList((await onB.get('/api/staff')).body).filter((s) => s.online === true).map((s) => s.name);
    expect(await online()).toEqual([]);
    const feed = await openFeed(`${a}/api/staff/events?token=${STAFF.sam}`);
    await eventually('Sam online on B', async () => (await online()).includes('Sam Rivera'));
    expect(await online()).toEqual(['Sam Rivera']);
    feed.close();
    await eventually('Sam offline on B', async () => (await online()).length === 0);
  });
});
