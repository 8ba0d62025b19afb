import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { EscalationRepository } from '../../src/escalation';
import { sqliteStatementsDuring } from '../helpers/sqlStatements';
import { sqliteBackend, type TestStore } from '../helpers/stores';

/**
 * Reads that run for every escalation must find their rows through an index: a scan costs more
 * with every escalation ever made. Checked on SQLite's query plans (PostgreSQL's planner scans a
 * small table whatever indexes it has).
 */
describe('budget: the escalation reads of every hand-off use an index', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await sqliteBackend.open();
  });
  afterAll(async () => {
    await t.dispose();
  });

  /** SQLite's plan for each statement `read` runs. */
  async function plansOf(read: () => Promise<unknown>): Promise<string[]> {
    const { sources } = await sqliteStatementsDuring(read);
    const plans: string[] = [];
    for (const source of sources) {
      // The plan does not depend on the values: each placeholder is given null.
      const { rows } = await sql.raw<{ detail: string }>(`explain query plan ${source.replaceAll('?', 'null')}`).execute(t.store.db);
      plans.push(rows.map((r) => r.detail).join('; '));
    }
    return plans;
  }

  it.each([
    ['the relay gate, by conversation', (r: EscalationRepository) => r.latestFor('conversation-1')],
    ['the place in the queue', (r: EscalationRepository) => r.position({ id: 'E1', createdAt: new Date().toISOString(), status: 'waiting' })],
    ['the queue', (r: EscalationRepository) => r.queue()],
    ['an escalation by id', (r: EscalationRepository) => r.find('E1')],
  ])('%s: an index search, never a scan of all escalations', async (_name, read) => {
    const plans = await plansOf(() => read(new EscalationRepository(t.store.db)));
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) expect(plan).not.toMatch(/SCAN escalations(?! USING)/);
  });

  it('the wait estimate reads the latest claims from their index', async () => {
    const plans = await plansOf(() => new EscalationRepository(t.store.db).recentClaimWaits());
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      expect(plan).toMatch(/USING INDEX escalations_claimed/);
      expect(plan).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    }
  });
});
