import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { limitHeapGrowth } from '../../src/heapGrowth';
import { REPO_ROOT } from '../helpers/server';

/**
 * The old generation grows to a bounded multiple of what is live (src/heapGrowth.ts). Measured in
 * a process of its own: about 40 MiB live, then a stream of short- and medium-lived objects (the
 * medium ones are promoted, as a turn's state and transcript are), watching old space's size,
 * with the limit and with V8's own sizing.
 */
const churn = (limit: boolean) => `
const v8 = require('node:v8');
${limit ? "require('./src/heapGrowth').limitHeapGrowth([]);" : ''}
const live = []; for (let i = 0; i < 300000; i++) live.push({ i, s: 'x'.repeat(64) + i });
const recent = []; let most = 0;
for (let round = 0; round < 150; round++) {
  const batch = []; for (let j = 0; j < 20000; j++) batch.push({ j, s: 'y'.repeat(100) + j });
  recent.push(batch); if (recent.length > 4) recent.shift();
  most = Math.max(most, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
}
console.log(JSON.stringify({ live: live.length, mostOldSpaceMiB: Math.round(most / 1048576) }));
`;

const run = (limit: boolean): { live: number; mostOldSpaceMiB: number } =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', churn(limit)], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 }).trim()) as { live: number; mostOldSpaceMiB: number };

describe('budget: old generation', () => {
  it('grows well under what V8 alone lets it under the same churn: less than 0.6 times, with the limit the server sets', () => {
    const limited = run(true);
    const unlimited = run(false);
    expect(limited.live).toBe(300_000);
    // Measured: 75–167 MiB limited, 200–407 MiB not (the ratio 0.37–0.41). Each process churns
    // for about 4 s on a slow machine, longer while the rest of the suite runs beside it.
    expect(limited.mostOldSpaceMiB).toBeLessThan(0.6 * unlimited.mostOldSpaceMiB);
  }, 120_000);

  it('leaves a --heap-growing-percent given to node alone', () => {
    expect(limitHeapGrowth(['--heap-growing-percent=80'])).toBe(false);
    expect(limitHeapGrowth(['--heap_growing_percent=80'])).toBe(false);
  });
});
