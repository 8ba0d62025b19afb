import { describe, expect, it } from 'vitest';
import { runConversationSet } from '../../bench/conversations';

/** The scripted conversations behind `npm run bench:rules`' figures: each must play through. */
describe('the scripted conversation set', () => {
  it('every conversation reaches its expected first step, and Check again settles each verifiable fix rightly', async () => {
    const figures = await runConversationSet();
    const misses = figures.outcomes.filter((o) => !o.correct).map((o) => `${o.name}: ${o.firstStep ?? 'none'}`);
    expect(misses).toEqual([]);
    const wrongVerdicts = figures.outcomes.filter((o) => o.verifiable && !o.verdictRight).map((o) => `${o.name}: ${o.verdict ?? 'no verdict'}`);
    expect(wrongVerdicts).toEqual([]);
    expect(figures.verifiable).toBeGreaterThanOrEqual(5);
    expect(figures.averageTurnsToFirstStep).toBeGreaterThan(1);
  });
});
