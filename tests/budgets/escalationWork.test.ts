import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urgentScripts } from '../../bench/scripts';
import { startBenchSide, type BenchSide } from '../helpers/benchSide';
import { sqliteStatementsDuring } from '../helpers/sqlStatements';

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
    // (3), the staff reply's and the close's checks (2). The claim used to read the row before
    // and after changing it, and the close after (9 in all).
    const rowReads = sources.filter((source) => /^select "id", "conversation_id", .* from "escalations"/.test(source));
    expect(rowReads.length / result.conversations).toBeLessThanOrEqual(6);
  });
});
