import { describe, expect, it } from 'vitest';
import { replyLines } from '../../bench/load';
import { median, percentile, ratio, ratioLine, summariseRuns } from '../../bench/report';
import { diagnosisScripts, echoScripts, familyScripts, longScripts, MIX, mixScripts, urgentScripts } from '../../bench/scripts';
import { readCpuMs } from '../../bench/servers';
import { positiveInteger } from '../../bench/options';

describe('npm run bench: figures and report', () => {
  it('ends with the ratio line, two decimals', () => {
    expect(ratioLine(ratio(812.4, 1000))).toBe('turns/s ratio bot/echo: 0.81');
    expect(ratioLine(ratio(1, 0))).toBe('turns/s ratio bot/echo: 0.00');
  });

  it.each([
    { values: [5, 1, 3], q: 0.5, p: 3, m: 3 },
    { values: [4, 1, 3, 2], q: 0.5, p: 2, m: 2.5 },
    { values: Array.from({ length: 100 }, (_, i) => i + 1), q: 0.99, p: 99, m: 50.5 },
    { values: [], q: 0.99, p: 0, m: 0 },
  ])('percentile and median of $values.length samples', ({ values, q, p, m }) => {
    expect(percentile(values, q)).toBe(p);
    expect(median(values)).toBe(m);
  });

  it('turns/s is the median over the runs; latencies are pooled', () => {
    const run = (turns: number, elapsedMs: number, latenciesMs: number[]) => ({ conversations: 1, turns, errors: 0, errorSamples: [], elapsedMs, latenciesMs });
    const figures = summariseRuns('bot', [run(100, 1000, [1, 2]), run(300, 1000, [3]), run(200, 1000, [10])], 123.4, [150, 300, 100]);
    expect(figures).toMatchObject({ turnsPerSecond: 200, turnsPerSecondByRun: [100, 300, 200], turns: 600, p50Ms: 2, p99Ms: 10, errors: 0, rssMiB: 123.4, cpuMsPerTurn: 1 });
  });

  it('takes counts on the command line as positive integers, naming the flag otherwise', () => {
    expect(positiveInteger('passes', '4', 'usage')).toBe(4);
    for (const raw of ['0', '-1', '2.5', 'many', undefined]) expect(() => positiveInteger('passes', raw, 'usage: …')).toThrow(/^--passes must be a positive integer .*\nusage: …$/s);
  });

  it("reads a process's CPU time, which grows while it computes", () => {
    const before = readCpuMs(process.pid);
    expect(before).toBeGreaterThan(0);
    let after = before;
    const until = Date.now() + 5_000;
    while (after === before && Date.now() < until) after = readCpuMs(process.pid);
    expect(after).toBeGreaterThan(before ?? 0);
    expect(readCpuMs(-1)).toBeUndefined();
  });

  it('gives the EchoBot as many turns per conversation as the diagnosis, each echoed', () => {
    const echo = echoScripts(diagnosisScripts);
    expect(echo.map((s) => s.turns.length)).toEqual(diagnosisScripts.map((s) => s.turns.length));
    const turn = echo[0]?.turns[4];
    expect(turn?.expect.test(replyLines([{ type: 'message', text: `You said: ${turn.say}` }]))).toBe(true);
  });

  it('every diagnosis script ends in a fix', () => {
    for (const script of diagnosisScripts) expect(String(script.turns.at(-1)?.expect)).toMatch(/glad it works/);
  });

  it('plays the mix in the proportions it states, and long conversations reach past turn 40', () => {
    const mix = mixScripts();
    const share = (family: string) => mix.filter((s) => s.family === family).length / mix.length;
    const total = Object.values(MIX).reduce((sum, n) => sum + n, 0);
    for (const [family, n] of Object.entries(MIX)) expect(share(family)).toBeCloseTo(n / total);
    for (const script of longScripts) {
      expect(script.turns.length).toBeGreaterThanOrEqual(40);
      expect(script.turns.filter((t) => String(t.expect).includes('support-record')).length).toBe(4);
    }
    for (const script of urgentScripts) expect(script.turns.filter((t) => t.staff).map((t) => t.staff)).toEqual(['claim', 'relay', 'close']);
  });

  it('gives the EchoBot as many requests as every family has, staff calls included', () => {
    for (const scripts of Object.values(familyScripts)) {
      expect(echoScripts(scripts).map((s) => s.turns.length)).toEqual(scripts.map((s) => s.turns.length));
      expect(echoScripts(scripts).flatMap((s) => s.turns).every((t) => t.say !== undefined && !t.staff)).toBe(true);
    }
  });
});
