import { performance } from 'node:perf_hooks';
import type { Facts } from '../src/diagnosis/facts';
import { buildEngine, canonicalFacts, createDiagnoser } from '../src/diagnosis/diagnoser';
import { loadRuleSet, type RuleSet } from '../src/diagnosis/ruleSet';

/**
 * Timing of diagnose() against a plain json-rules-engine run of the same rules, for
 * `npm run bench:rules` and for any benchmark that wants the figures as numbers.
 */

export interface TimingSummary {
  runs: number;
  medianUs: number;
  p99Us: number;
}

export interface DiagnoseMeasurement {
  rules: number;
  distinctFacts: number;
  /** diagnose() as the bot calls it: memoised, one engine. */
  diagnose: TimingSummary;
  /** diagnose() with the memo turned off: what a first-seen situation costs. */
  diagnoseUncached: TimingSummary;
  /** engine.run(facts) on an engine holding the same rules: a new almanac each run, no memo. */
  plainEngine: TimingSummary;
  /** plainEngine median / diagnose median. */
  speedup: number;
}

/** Small deterministic PRNG so every benchmark run draws the same traffic. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll <= 0) return value;
  }
  const last = weighted[weighted.length - 1];
  if (!last) throw new RangeError('pick needs at least one choice');
  return last[0];
}

const PLATFORMS: readonly (readonly [Facts, number])[] = [
  [{ os: 'windows', osVersion: '10', browser: 'chrome', browserVersion: '120', deviceType: 'desktop', inAppBrowser: false }, 30],
  [{ os: 'windows', osVersion: '11', browser: 'edge', browserVersion: '121', deviceType: 'desktop', inAppBrowser: false }, 12],
  [{ os: 'macos', browser: 'chrome', browserVersion: '120', deviceType: 'desktop', inAppBrowser: false }, 16],
  [{ os: 'macos', browser: 'safari', browserVersion: '17.2', deviceType: 'desktop', inAppBrowser: false }, 10],
  [{ os: 'macos', browser: 'firefox', browserVersion: '121', deviceType: 'desktop', inAppBrowser: false }, 5],
  [{ os: 'macos', osVersion: '10.14.6', browser: 'safari', browserVersion: '13.1', deviceType: 'desktop' }, 2],
  [{ os: 'linux', browser: 'firefox', browserVersion: '121', deviceType: 'desktop' }, 4],
  [{ os: 'ios', osVersion: '17.1', browser: 'safari', browserVersion: '17.1', deviceType: 'mobile' }, 8],
  [{ os: 'ios', osVersion: '16.6', browser: 'chrome', browserVersion: '16.6', deviceType: 'mobile' }, 4],
  [{ os: 'android', osVersion: '13', browser: 'chrome', browserVersion: '120', deviceType: 'mobile' }, 7],
  [{ os: 'ipados', browser: 'safari', browserVersion: '17.2', deviceType: 'tablet' }, 2],
  [{}, 5],
];

const PROBLEMS: readonly (readonly [Facts, number])[] = [
  [{ symptom: 'permission-denied', errorName: 'NotAllowedError', errorMessage: 'Permission denied', media: ['camera'] }, 20],
  [{ symptom: 'permission-denied', errorName: 'NotAllowedError', errorMessage: 'Permission denied by system', media: ['camera', 'microphone'] }, 10],
  [{ symptom: 'in-use', errorName: 'NotReadableError', errorMessage: 'Could not start video source', media: ['camera'] }, 12],
  [{ symptom: 'not-found', errorName: 'NotFoundError', media: ['microphone'], devices: { microphone: 0, camera: 1 } }, 6],
  [{ symptom: 'no-prompt', media: ['camera'] }, 8],
  [{ symptom: 'no-audio', media: ['microphone'] }, 8],
  [{ symptom: 'no-video', media: ['camera'] }, 6],
  [{ symptom: 'screen-share-failed', media: ['screen'], errorName: 'NotAllowedError', errorMessage: 'Permission denied' }, 8],
  [{ symptom: 'poor-quality' }, 6],
  [{ errorName: 'OverconstrainedError', media: ['camera'] }, 3],
  [{ symptom: 'permission-denied' }, 10],
];

const CONTEXTS: readonly (readonly [Facts, number])[] = [
  [{}, 50],
  [{ liveConference: true, role: 'presenter' }, 15],
  [{ liveConference: true, urgent: true, role: 'presenter' }, 10],
  [{ stepsTried: ['close-other-apps'] }, 10],
  [{ stepsTried: ['close-other-apps', 'browser-site-permissions'] }, 8],
  [{ humanRequested: true }, 4],
  [{ liveStream: true, liveConference: true, role: 'presenter' }, 3],
];

/**
 * `distinct` different fact objects shaped like real traffic: many people share a handful of
 * platforms and symptoms, so the same situations come back again and again.
 */
export function realisticFactsMix(distinct = 200, seed = 20240611): Facts[] {
  const random = mulberry32(seed);
  const seen = new Map<string, Facts>();
  let attempts = 0;
  while (seen.size < distinct && attempts < distinct * 100) {
    attempts++;
    const facts: Facts = { ...pick(random, PLATFORMS), ...pick(random, PROBLEMS), ...pick(random, CONTEXTS) };
    const { key } = canonicalFacts(facts);
    if (!seen.has(key)) seen.set(key, facts);
  }
  return [...seen.values()];
}

function summarise(samplesMs: number[]): TimingSummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (ms: number) => Math.round(ms * 1000 * 100) / 100;
  return { runs: sorted.length, medianUs: round(at(0.5)), p99Us: round(at(0.99)) };
}

/** Draws from the mix with a skew towards the common situations, like real traffic. */
function drawSequence(mix: readonly Facts[], count: number, seed: number): Facts[] {
  const random = mulberry32(seed);
  const sequence: Facts[] = [];
  for (let i = 0; i < count; i++) {
    const index = Math.floor(mix.length * random() * random());
    const facts = mix[index];
    if (facts) sequence.push(facts);
  }
  return sequence;
}

async function time(sequence: readonly Facts[], call: (facts: Facts) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (const facts of sequence) {
    const started = performance.now();
    await call(facts);
    samples.push(performance.now() - started);
  }
  return samples;
}

export async function measureDiagnose(options: {
  ruleSet?: RuleSet;
  distinct?: number;
  draws?: number;
  plainDraws?: number;
} = {}): Promise<DiagnoseMeasurement> {
  const ruleSet = options.ruleSet ?? loadRuleSet();
  const mix = realisticFactsMix(options.distinct ?? 200);
  const draws = options.draws ?? 20_000;
  const plainDraws = options.plainDraws ?? 2_000;

  const memoised = createDiagnoser(ruleSet);
  const uncached = createDiagnoser(ruleSet, { memoSize: 0 });
  const plain = buildEngine(ruleSet);

  // Warm up the JIT on every path before measuring; the memo starts empty for the measured run.
  const warm = drawSequence(mix, 300, 1);
  await time(warm, (facts) => uncached.diagnose(facts));
  await time(warm, (facts) => plain.run(canonicalFacts(facts).facts));

  const diagnoseSamples = await time(drawSequence(mix, draws, 2), (facts) => memoised.diagnose(facts));
  const plainSequence = drawSequence(mix, plainDraws, 3);
  const uncachedSamples = await time(plainSequence, (facts) => uncached.diagnose(facts));
  const plainSamples = await time(plainSequence, (facts) => plain.run(canonicalFacts(facts).facts));

  const diagnose = summarise(diagnoseSamples);
  const plainEngine = summarise(plainSamples);
  return {
    rules: ruleSet.rules.length,
    distinctFacts: mix.length,
    diagnose,
    diagnoseUncached: summarise(uncachedSamples),
    plainEngine,
    speedup: Math.round((plainEngine.medianUs / Math.max(diagnose.medianUs, 0.01)) * 10) / 10,
  };
}
