import type { RunResult } from './load';

/** Figures of one server over all its measured runs. */
export interface ServerFigures {
  label: string;
  runs: number;
  turns: number;
  conversations: number;
  /** Median over the runs of turns/s. */
  turnsPerSecond: number;
  /** Per-run turns/s, in run order. */
  turnsPerSecondByRun: number[];
  p50Ms: number;
  p99Ms: number;
  errors: number;
  errorSamples: string[];
  rssMiB: number | null;
  /** The server's own CPU time per answered turn, ms (median over the runs): less noisy than turns/s. */
  cpuMsPerTurn: number | null;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The value below which a fraction `q` of the samples lie (nearest rank). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function summariseRuns(label: string, runs: readonly RunResult[], rssMiB: number | undefined, cpuMsByRun: readonly number[] = []): ServerFigures {
  const cpuPerTurn = cpuMsByRun.flatMap((cpu, i) => ((runs[i]?.turns ?? 0) > 0 ? [cpu / (runs[i]?.turns ?? 1)] : []));
  const latencies = runs.flatMap((r) => r.latenciesMs);
  const perRun = runs.map((r) => (r.elapsedMs > 0 ? (r.turns * 1000) / r.elapsedMs : 0));
  return {
    label,
    runs: runs.length,
    turns: runs.reduce((sum, r) => sum + r.turns, 0),
    conversations: runs.reduce((sum, r) => sum + r.conversations, 0),
    turnsPerSecond: round(median(perRun), 1),
    turnsPerSecondByRun: perRun.map((v) => round(v, 1)),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    errorSamples: runs.flatMap((r) => r.errorSamples).slice(0, 5),
    rssMiB: rssMiB ?? null,
    cpuMsPerTurn: cpuPerTurn.length > 0 ? round(median(cpuPerTurn), 3) : null,
  };
}

export function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? round(numerator / denominator, 2) : 0;
}

export function serverLine(f: ServerFigures): string {
  return [
    `  ${f.label.padEnd(20)}`,
    `${f.turnsPerSecond.toFixed(1).padStart(7)} turns/s`,
    `p50 ${f.p50Ms.toFixed(1).padStart(6)} ms`,
    `p99 ${f.p99Ms.toFixed(1).padStart(6)} ms`,
    `errors ${f.errors}`,
    `RSS ${f.rssMiB === null ? 'n/a' : `${f.rssMiB.toFixed(0)} MiB`}`,
    `CPU ${f.cpuMsPerTurn === null ? 'n/a' : `${f.cpuMsPerTurn.toFixed(2)} ms/turn`}`,
    `(runs: ${f.turnsPerSecondByRun.map((v) => v.toFixed(0)).join(', ')}; ${f.turns} turns)`,
  ].join('   ');
}

/** The last line `npm run bench` prints; scripts and CI read it. */
export function ratioLine(value: number): string {
  return `turns/s ratio bot/echo: ${value.toFixed(2)}`;
}

/** A bot's figures against the EchoBot's and the targets (turns/s at least, p99 at most, as ratios). */
export function targetLine(label: string, turnsPerSecond: number, p99: number, minTurnsPerSecond: number, maxP99: number): { text: string; turnsPerSecond: number; p99: number; met: boolean } {
  const tpsOk = turnsPerSecond >= minTurnsPerSecond;
  const p99Ok = p99 <= maxP99;
  return {
    text: `  ${label}/EchoBot: turns/s ${turnsPerSecond.toFixed(2)} (target ≥ ${minTurnsPerSecond.toFixed(2)} ${tpsOk ? 'met' : 'NOT met'}), p99 ${p99.toFixed(2)} (target ≤ ${maxP99.toFixed(2)} ${p99Ok ? 'met' : 'NOT met'})`,
    turnsPerSecond,
    p99,
    met: tpsOk && p99Ok,
  };
}
