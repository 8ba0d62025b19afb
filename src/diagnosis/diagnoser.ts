import { LRUCache } from 'lru-cache';
import {
  Engine, type Almanac, type EngineResult, type Event, type NestedCondition, type RuleProperties, type TopLevelCondition,
} from 'json-rules-engine';
import type { Facts } from './facts';
import { CUSTOM_OPERATORS } from './operators';
import { loadRuleSet, type RuleDefinition, type RuleSet } from './ruleSet';
import { toAdvice, type Advice, type Diagnosis, type EscalationLevel, type MatchedCondition, type RuleTrace } from './advice';

// json-rules-engine implements Almanac#getEvents but its typings leave it out.
declare module 'json-rules-engine' {
  interface Almanac {
    getEvents(outcome?: 'success' | 'failure'): Event[];
  }
}

export interface DiagnoserOptions {
  /** Distinct fact objects remembered (LRU). 0 turns memoisation off. Default 5000. */
  memoSize?: number;
}

export interface DiagnoserStats {
  engineBuilds: number;
  engineRuns: number;
  memoHits: number;
  memoEntries: number;
}

export interface Diagnoser {
  /** Async because json-rules-engine evaluates with promises; memoised calls resolve at once. */
  diagnose(facts: Facts): Promise<Diagnosis>;
  getAdvice(id: string): Advice | undefined;
  readonly ruleSet: RuleSet;
  stats(): DiagnoserStats;
}

let enginesBuilt = 0;

/** How many engines this process has built; tests use it to prove the engine is built once. */
export function engineConstructionCount(): number {
  return enginesBuilt;
}

function adviceIdOf(event: Event): string | undefined {
  const id: unknown = event.params?.['adviceId'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * Replaces { "condition": name } references by the shared condition itself. json-rules-engine
 * deep-clones a referenced condition every time a rule meets it; inlined, the rule's one clone
 * per run covers it, which makes a first-seen diagnosis noticeably cheaper.
 */
function inlineSharedConditions(condition: TopLevelCondition, shared: ReadonlyMap<string, TopLevelCondition>): TopLevelCondition {
  const expand = (node: NestedCondition): NestedCondition => {
    if ('all' in node) return { ...node, all: node.all.map(expand) };
    if ('any' in node) return { ...node, any: node.any.map(expand) };
    if ('not' in node) return { ...node, not: expand(node.not) };
    if ('condition' in node) {
      const target = shared.get(node.condition);
      return target ? expand(target) : node;
    }
    return node;
  };
  const expanded = expand(condition);
  return 'fact' in expanded ? { all: [expanded] } : expanded;
}

/** Builds a json-rules-engine Engine holding the whole rule set, shared conditions, operators and derived facts. */
export function buildEngine(ruleSet: RuleSet): Engine {
  enginesBuilt++;
  const engine = new Engine([], {
    allowUndefinedFacts: true,
    // Paths are validated to "$.key" at load, so a plain lookup replaces the JSONPath library.
    pathResolver: (value: object, path: string) => {
      const key = path.slice(2);
      return Object.prototype.hasOwnProperty.call(value, key) ? Reflect.get(value, key) : undefined;
    },
  });
  for (const operator of CUSTOM_OPERATORS) engine.addOperator(operator);
  for (const rule of ruleSet.rules) {
    const conditions = inlineSharedConditions(rule.conditions, ruleSet.sharedConditions);
    const properties: RuleProperties = { name: rule.id, priority: rule.priority, conditions, event: rule.event };
    engine.addRule(properties);
  }
  // Derived facts: computed inside the run from the events of earlier (higher-priority) tiers,
  // so escalation stays declarative ("no steps left") without a second engine run.
  engine.addFact('stepsRemaining', async (_params: Record<string, unknown>, almanac: Almanac) => {
    const tried: unknown = await almanac.factValue('stepsTried');
    const triedIds = new Set(Array.isArray(tried) ? tried : []);
    const remaining = new Set<string>();
    for (const event of almanac.getEvents('success')) {
      const id = adviceIdOf(event);
      if (event.type === 'step' && id !== undefined && !triedIds.has(id)) remaining.add(id);
    }
    return remaining.size;
  });
  engine.addFact('findingsCount', (_params: Record<string, unknown>, almanac: Almanac) => {
    const found = new Set<string>();
    for (const event of almanac.getEvents('success')) {
      const id = adviceIdOf(event);
      if (event.type === 'finding' && id !== undefined) found.add(id);
    }
    return found.size;
  });
  return engine;
}

/**
 * The facts in a canonical form: known facts only, lists sorted and de-duplicated, empty nested
 * objects dropped. Equal situations get equal keys, whatever order the caller built them in.
 */
export function canonicalFacts(facts: Facts): { key: string; facts: Facts } {
  const sortedUnique = <T extends string>(list: readonly T[] | undefined) =>
    list === undefined ? undefined : [...new Set(list)].sort();
  const media = sortedUnique(facts.media);
  const stepsTried = sortedUnique(facts.stepsTried);
  const permission = facts.permission && (facts.permission.camera !== undefined || facts.permission.microphone !== undefined)
    ? { camera: facts.permission.camera, microphone: facts.permission.microphone } : undefined;
  const d = facts.devices;
  const devices = d && (d.camera !== undefined || d.microphone !== undefined || d.labelsVisible !== undefined)
    ? { camera: d.camera, microphone: d.microphone, labelsVisible: d.labelsVisible } : undefined;
  const pp = facts.permissionsPolicy;
  const permissionsPolicy = pp && (pp.camera !== undefined || pp.microphone !== undefined || pp.displayCapture !== undefined)
    ? { camera: pp.camera, microphone: pp.microphone, displayCapture: pp.displayCapture } : undefined;
  const values = [
    facts.os, facts.osVersion, facts.browser, facts.browserVersion, facts.inAppBrowser, facts.deviceType,
    media?.join(','), facts.symptom, facts.errorName, facts.errorMessage,
    permission?.camera, permission?.microphone, devices?.camera, devices?.microphone, devices?.labelsVisible,
    facts.secureContext, facts.inIframe, facts.liveConference, facts.role, facts.liveStream, facts.urgent,
    facts.humanRequested, stepsTried?.join(','),
    facts.managedDevice, facts.audioLevel, facts.audioClipping, facts.videoFrames, facts.staleDevice,
    permissionsPolicy?.camera, permissionsPolicy?.microphone, permissionsPolicy?.displayCapture, facts.displayMediaAvailable,
  ];
  const normalized: Facts = {};
  for (const [name, value] of Object.entries({ ...facts, media, stepsTried, permission, devices, permissionsPolicy })) {
    if (value !== undefined) Reflect.set(normalized, name, value);
  }
  return { key: JSON.stringify(values), facts: normalized };
}

interface Ranked { advice: Advice; rank: number }

function byRankThenId(a: Ranked, b: Ranked): number {
  return a.rank - b.rank || (a.advice.id < b.advice.id ? -1 : a.advice.id > b.advice.id ? 1 : 0);
}

/** Reads the outcome of one run: findings and steps by lowest rank, tried steps dropped, the strongest escalation. */
export function assembleDiagnosis(
  result: EngineResult,
  rulesById: ReadonlyMap<string, RuleDefinition>,
  advice: ReadonlyMap<string, Advice>,
  facts: Facts,
  rulesVersion: string,
  microphoneAdvice: ReadonlyMap<string, Advice> = advice,
  sameAs: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): Diagnosis {
  const tried = new Set(facts.stepsTried ?? []);
  // A step tried under another name counts as tried.
  for (const id of facts.stepsTried ?? []) for (const other of sameAs.get(id) ?? []) tried.add(other);
  // A problem with the microphone alone gets the microphone's own wording where advice has one.
  const wording = facts.media?.length === 1 && facts.media[0] === 'microphone' ? microphoneAdvice : advice;
  const findings = new Map<string, Ranked>();
  const steps = new Map<string, Ranked>();
  const trace: RuleTrace[] = [];
  let escalation: EscalationLevel | null = null;
  for (const ruleResult of result.results) {
    const rule = rulesById.get(ruleResult.name);
    if (!rule) continue;
    trace.push(Object.freeze({
      ruleId: rule.id, description: rule.description, type: rule.type, adviceId: rule.adviceId,
      ...(rule.escalation ? { escalation: rule.escalation } : {}), matched: Object.freeze(matchedConditions(ruleResult.conditions)),
    }));
    if (rule.type === 'escalation') {
      if (rule.escalation === 'staff-now' || escalation === null) escalation = rule.escalation ?? null;
      continue;
    }
    if (rule.type === 'step' && tried.has(rule.adviceId)) continue;
    const target = rule.type === 'finding' ? findings : steps;
    const content = wording.get(rule.adviceId);
    const current = target.get(rule.adviceId);
    if (content && (!current || rule.rank < current.rank)) target.set(rule.adviceId, { advice: content, rank: rule.rank });
  }
  // Of advice that says the same thing, only the first-ranked one is offered.
  const offered = new Set<string>();
  const ordered = [...steps.values()].sort(byRankThenId).filter(({ advice: a }) => {
    if ([...(sameAs.get(a.id) ?? [])].some((other) => offered.has(other))) return false;
    offered.add(a.id);
    return true;
  });
  return {
    findings: [...findings.values()].sort(byRankThenId).map((r) => r.advice),
    steps: ordered.map((r) => r.advice),
    escalation,
    rulesVersion,
    trace,
  };
}

/**
 * The leaf conditions that held in an evaluated rule, as json-rules-engine reports them
 * (`result`, `factResult`). Conditions under a `not` are left out: they held by failing.
 */
function matchedConditions(node: unknown): MatchedCondition[] {
  if (typeof node !== 'object' || node === null) return [];
  if ('all' in node && Array.isArray(node.all)) return node.all.flatMap(matchedConditions);
  if ('any' in node && Array.isArray(node.any)) return node.any.flatMap(matchedConditions);
  if ('fact' in node && typeof node.fact === 'string' && 'result' in node && node.result === true) {
    const operator = 'operator' in node && typeof node.operator === 'string' ? node.operator : '';
    return [{ fact: node.fact, operator, value: 'value' in node ? node.value : undefined, actual: 'factResult' in node ? node.factResult : undefined }];
  }
  return [];
}

/**
 * Creates the diagnoser: one engine, built here once, and a bounded memo of results keyed on the
 * canonical facts. Most people share a handful of platforms and symptoms, so most calls are memo
 * hits and skip json-rules-engine's per-run cost (it deep-clones every rule result).
 */
export function createDiagnoser(ruleSet: RuleSet = loadRuleSet(), options: DiagnoserOptions = {}): Diagnoser {
  const memoSize = options.memoSize ?? 5000;
  const engine = buildEngine(ruleSet);
  const rulesById = new Map(ruleSet.rules.map((rule) => [rule.id, rule]));
  const advice = new Map<string, Advice>();
  const microphoneAdvice = new Map<string, Advice>();
  // sameAs is symmetric: either name stands for both.
  const sameAs = new Map<string, Set<string>>();
  const link = (a: string, b: string) => sameAs.set(a, new Set([...(sameAs.get(a) ?? []), b]));
  for (const content of ruleSet.advice.values()) for (const other of content.sameAs ?? []) {
    link(content.id, other);
    link(other, content.id);
  }
  for (const [id, content] of ruleSet.advice) {
    const plain = toAdvice(content);
    advice.set(id, plain);
    microphoneAdvice.set(id, content.forMicrophone ? toAdvice(content, true) : plain);
  }
  // lru-cache refuses a max of 0: with memoisation off nothing is ever set.
  const memo = new LRUCache<string, Diagnosis>({ max: Math.max(memoSize, 1) });
  const inFlight = new Map<string, Promise<Diagnosis>>();
  const stats = { engineBuilds: 1, engineRuns: 0, memoHits: 0 };
  // Engine#run keeps an engine-wide status that one finishing run flips for all others, which makes
  // a concurrent run skip its remaining priority tiers. Runs therefore go one after another.
  let queue: Promise<unknown> = Promise.resolve();

  const copy = (d: Diagnosis): Diagnosis => ({ ...d, findings: [...d.findings], steps: [...d.steps], trace: [...d.trace] });

  function evaluate(key: string, facts: Facts): Promise<Diagnosis> {
    const run = queue.then(() => {
      stats.engineRuns++;
      return engine.run(facts);
    }).then((result) => assembleDiagnosis(result, rulesById, advice, facts, ruleSet.version, microphoneAdvice, sameAs));
    queue = run.catch(() => undefined);
    const remembered = run.then((diagnosis) => {
      if (memoSize > 0) memo.set(key, diagnosis);
      return diagnosis;
    }).finally(() => inFlight.delete(key));
    inFlight.set(key, remembered);
    return remembered;
  }

  return {
    ruleSet,
    async diagnose(input: Facts): Promise<Diagnosis> {
      const { key, facts } = canonicalFacts(input);
      const cached = memo.get(key);
      if (cached) {
        stats.memoHits++;
        return copy(cached);
      }
      const pending = inFlight.get(key) ?? evaluate(key, facts);
      return copy(await pending);
    },
    getAdvice(id: string) {
      return advice.get(id);
    },
    stats() {
      return { ...stats, memoEntries: memo.size };
    },
  };
}
