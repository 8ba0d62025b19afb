import { describe, expect, it } from 'vitest';
import { oneOf, subsetOf } from '../../bench/options';

describe('bench command lines: a choice among known names', () => {
  const known = ['short', 'long', 'urgent', 'mix'] as const;

  it('keeps the named ones in the known order, whatever order they were given in', () => {
    expect(subsetOf('workloads', 'mix, urgent', known, 'usage')).toEqual(['urgent', 'mix']);
    expect(subsetOf('workloads', 'long', known, 'usage')).toEqual(['long']);
  });

  it('refuses an unknown or empty name, naming it and showing the usage', () => {
    expect(() => subsetOf('workloads', 'short,medium', known, 'the usage')).toThrow(/--workloads: not one of short, long, urgent, mix: "medium"\nthe usage/);
    expect(() => subsetOf('workloads', '', known, 'usage')).toThrow(/: ""/);
    expect(() => subsetOf('workloads', 'short,', known, 'usage')).toThrow(/: ""/);
  });

  it('takes exactly one of the known names where only one makes sense', () => {
    expect(oneOf('delivery', 'expectReplies', ['channel', 'expectReplies'], 'usage')).toBe('expectReplies');
    expect(() => oneOf('delivery', 'channel,expectReplies', ['channel', 'expectReplies'], 'the usage')).toThrow(/--delivery: one of channel, expectReplies \(got "channel,expectReplies"\)\nthe usage/);
    expect(() => oneOf('delivery', undefined, ['channel'], 'usage')).toThrow(/got undefined/);
  });
});
