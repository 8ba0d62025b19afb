import { describe, expect, it } from 'vitest';
import { roundOrder } from '../../bench/ab';
import { oneOf, readCommandLine, subsetOf } from '../../bench/options';

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

describe('bench command lines: options and switches', () => {
  const usage = 'usage: …';
  const withArgs = <T>(args: string[], read: () => T): T => {
    const saved = process.argv;
    process.argv = [saved[0] ?? 'node', 'bench/ab.ts', ...args];
    try {
      return read();
    } finally {
      process.argv = saved;
    }
  };

  it('reads a switch as given or not, next to options with and without defaults', () => {
    const read = () => readCommandLine(usage, { base: undefined, rounds: '3', 'by-turn': false });
    const given = withArgs(['--base', 'HEAD~2', '--by-turn'], read);
    expect([given.text('base'), given.positive('rounds'), given.flag('by-turn')]).toEqual(['HEAD~2', 3, true]);
    const absent = withArgs(['--rounds', '5'], read);
    expect([absent.text('base'), absent.positive('rounds'), absent.flag('by-turn')]).toEqual([undefined, 5, false]);
  });

  it('refuses a value given to a switch, and an option given no value', () => {
    const read = () => readCommandLine(usage, { base: undefined, 'by-turn': false });
    expect(() => withArgs(['--by-turn=yes'], read)).toThrow(/by-turn/);
    expect(() => withArgs(['--base'], read)).toThrow(/base/);
  });
});

describe('side by side: the order servers run in, round by round', () => {
  it('turns each round, so every server is first, second and last as often', () => {
    const rounds = [0, 1, 2, 3].map((round) => roundOrder(['A', 'B', 'E'], round).join(' '));
    expect(rounds).toEqual(['A B E', 'B E A', 'E A B', 'A B E']);
  });
});
