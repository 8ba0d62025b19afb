import type { ConversationReference } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { urgentScripts } from '../../bench/scripts';
import { startBenchSide, type BenchSide } from '../helpers/benchSide';
import { sqliteStatementsDuring } from '../helpers/sqlStatements';
import { createRecord } from '../../src/diagnosis';
import { Client } from 'pg';
import { EscalationRepository } from '../../src/escalation';
import { VERIFIED_KEPT_MS } from '../../src/escalation/staffAuth';
import { announceSkip, postgresBackend, sqliteBackend, type TestStore } from '../helpers/stores';

// pg's connection class: parse() sends the Parse message of a statement the server has not kept.
const { prototype: connection } = require('pg/lib/connection') as { prototype: { parse(query: { name?: string; text: string }): void } };

/**
 * Budget of an urgent conversation's store work, counted rather than timed: the benchmark's urgent
 * script (staff called, claimed, a staff reply relayed, the person's words relayed, closed, "is it
 * solved?" answered) on the served bot, with a member of staff signed in to the live feed.
 */
describe('budget: statements of an urgent conversation', () => {
  let side: BenchSide;
  beforeAll(async () => {
    side = await startBenchSide(2);
  });
  afterAll(() => side?.close());

  it('reads an escalation row at most once per request that needs it: a status change hands back the changed row', async () => {
    const { result, sources } = await sqliteStatementsDuring(() => side.client.run(urgentScripts, { conversations: 4, concurrency: 2, maxMs: 60_000 }));
    expect(result.errorSamples).toEqual([]);
    expect(result.conversations).toBe(4);
    // Escalation rows read whole (not the timeout poller's ids), per conversation: whether one is
    // open already when staff are called (1), the relay gate on the person's three turns after
    // (3), the staff reply's check (1). The claim and the close change the row in one statement
    // each and hand it back; the claim used to read the row before and after changing it, and
    // the close before and after (9 in all, then 6).
    const rowReads = sources.filter((source) => /^select "id", "conversation_id", .* from "escalations"/.test(source));
    expect(rowReads.length / result.conversations).toBeLessThanOrEqual(5);
    // The place in the queue the person is told comes back from the insert: no count of its own.
    expect(sources.filter((source) => /^select count\(\*\) as "ahead" from "escalations"/.test(source))).toEqual([]);
  });
});

describe('budget: the wait estimate of staff calls', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await sqliteBackend.open();
  });
  afterAll(() => t?.dispose());

  it('reads the recent claim times once for the staff calls of the next few seconds, and again after a claim here', async () => {
    const escalations = new EscalationRepository(t.store.db);
    const claimReads = (sources: string[]) => sources.filter((source) => /^select "created_at", "claimed_at" from "escalations"/.test(source)).length;
    const calls = await sqliteStatementsDuring(() => Promise.all([escalations.recentClaimWaits(), escalations.recentClaimWaits(), escalations.recentClaimWaits()]));
    expect(claimReads(calls.sources)).toBe(1);
    expect(claimReads((await sqliteStatementsDuring(() => escalations.recentClaimWaits())).sources)).toBe(0);

    const reference = { conversation: { id: 'conv-wait' }, channelId: 'test', serviceUrl: 'http://127.0.0.1:9', bot: { id: 'bot', name: 'Technical Support' }, user: { id: 'user', name: 'Alex' } } as ConversationReference;
    const now = new Date();
    const { escalation: waiting } = await escalations.enqueue({ reference, userName: null, reason: 'urgent', diagnostics: createRecord(now), transcript: [], now, timeoutS: 180 });
    await escalations.claim(waiting.id, 'Sam Rivera', new Date(now.getTime() + 90_000));
    const afterClaim = await sqliteStatementsDuring(() => escalations.recentClaimWaits());
    expect(claimReads(afterClaim.sources)).toBe(1);
    expect(afterClaim.result).toEqual([90]);
  });
});

announceSkip(postgresBackend, 'budget: statements of an urgent conversation');

describe.skipIf(!postgresBackend.available)('budget: statements of an urgent conversation on PostgreSQL', () => {
  let store: TestStore;
  let side: BenchSide;
  beforeAll(async () => {
    // A schema of its own, dropped afterwards; the bot opens it from store.env.
    store = await postgresBackend.open();
    side = await startBenchSide(2, store.env);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await side?.close();
    await store?.dispose();
  });

  it('parses each statement once per connection: a statement run again on a connection sends values only', async () => {
    const parse = vi.spyOn(connection, 'parse');
    for (let run = 0; run < 2; run++) {
      const result = await side.client.run(urgentScripts, { conversations: 6, concurrency: 2, maxMs: 60_000 });
      expect(result.errorSamples).toEqual([]);
    }
    const parsed = parse.mock.calls.map(([statement], i) => ({ statement, on: parse.mock.contexts[i] as object }));
    // Every statement with values is a named one (the store's as tsb_<n>, the rate limits' as rlflx-…)…
    expect(parsed.filter(({ statement }) => !statement.name).map(({ statement }) => statement.text)).toEqual([]);
    // …and no connection is sent the same one to parse twice.
    const seen = new Map<object, Set<string>>();
    const again = parsed.filter(({ statement, on }) => {
      const names = seen.get(on) ?? new Set<string>();
      seen.set(on, names);
      if (names.has(statement.name ?? '')) return true;
      names.add(statement.name ?? '');
      return false;
    });
    expect(again.map(({ statement }) => statement.text)).toEqual([]);
    expect(parsed.length).toBeGreaterThan(0);
  });

  it('reads the staff sign-in failure count once per address and few seconds, not on every staff call (3 a conversation before)', async () => {
    const query = vi.spyOn(Client.prototype, 'query');
    const result = await side.client.run(urgentScripts, { conversations: 6, concurrency: 2, maxMs: 60_000 });
    expect(result.errorSamples).toEqual([]);
    const texts = query.mock.calls.map(([config]) => (typeof config === 'string' ? config : (config as { text?: string }).text ?? ''));
    const countReads = texts.filter((text) => /^\s*SELECT points, expire FROM "rate_limits"/i.test(text)).length;
    // 18 staff calls (claim, reply, close) from one address; a read at most each VERIFIED_KEPT_MS.
    expect(countReads).toBeLessThanOrEqual(Math.ceil(result.elapsedMs / VERIFIED_KEPT_MS));
    query.mockRestore();
  });
});
