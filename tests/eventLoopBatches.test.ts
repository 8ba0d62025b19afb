import { describe, expect, it } from 'vitest';
import { EventLoopBatches } from '../src/eventLoopBatches';

describe('group commit (EventLoopBatches)', () => {
  it('does what is handed in during one turn of the event loop in one batch, and each caller learns its own outcome', async () => {
    const batches: string[][] = [];
    const work = new EventLoopBatches<string>(async (items) => {
      batches.push(items);
      return items.map((item) => (item === 'conflict' ? new Error(`no ${item}`) : undefined));
    }, 10);
    const outcomes = await Promise.allSettled(['a', 'conflict', 'b'].map((item) => work.add(item)));
    expect(batches).toEqual([['a', 'conflict', 'b']]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await work.add('later');
    expect(batches).toEqual([['a', 'conflict', 'b'], ['later']]);
  });

  it('fails the whole batch when the work throws, and keeps a batch within its limit by size', async () => {
    const sizes: number[] = [];
    const work = new EventLoopBatches<number[]>(async (items) => {
      sizes.push(items.flat().length);
      if (items.flat().includes(0)) throw new Error('store down');
    }, 3, (rows) => rows.length);
    const results = await Promise.allSettled([[1, 2], [3, 4], [5], [0]].map((rows) => work.add(rows)));
    // [1,2] and [3,4] reach the limit of 3 rows; the rest wait for the next batch, which fails whole.
    expect(sizes).toEqual([4, 2]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
  });
});
