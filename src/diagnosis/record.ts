import type { Diagnosis } from './advice';
import type { Facts, FactName } from './facts';

/**
 * The diagnostics record of SPEC §3.1: one versioned JSON document per conversation. It travels
 * with the conversation (shown as a card, attached to escalations, read by staff). Pure data and
 * pure functions: the bot stores it, escalation copies it, staff read it.
 */
export const DIAGNOSTICS_RECORD_VERSION = 1;

export type FactSource = 'asked' | 'text' | 'user-agent' | 'probe';
/** `verified-*`: the probe checked it by itself after "Check again", rather than the person saying so. */
export type StepOutcome = 'fixed' | 'not-fixed' | 'already-tried' | 'verified-fixed' | 'verified-not-fixed';
export type Resolution = 'fixed' | 'support-record' | 'staff-now' | 'unresolved';

export interface StepRecord {
  adviceId: string;
  outcome: StepOutcome;
  at: string;
}

export interface EscalationEntry {
  kind: 'staff-now' | 'support-record';
  reason: 'urgent' | 'human-requested' | 'steps-exhausted' | 'no-staff';
  /** What actually happened: `requested` (staff called), `filed`, `unavailable` (nobody could be called), … */
  status: string;
  id?: string;
  at: string;
}

export interface ProbeSummary {
  at: string;
  version?: number;
  ok?: boolean;
  requested?: string[];
  errorName?: string;
  errorMessage?: string;
  audioLevel?: string;
  videoFrames?: string;
  /** Set when this reading answered a check request. */
  checkId?: string;
}

/** A request to run the probe again ("Check again" by the person, or asked for by staff), and its verdict. */
export interface CheckRecord {
  id: string;
  requestedBy: 'person' | 'staff';
  /** The staff member's display name when staff asked. */
  staffName?: string;
  /** The step being checked, when the check verifies one. */
  adviceId?: string;
  media: string[];
  requestedAt: string;
  verdict?: 'verified-fixed' | 'verified-not-fixed';
  answeredAt?: string;
}

export interface DiagnosticsRecord {
  version: typeof DIAGNOSTICS_RECORD_VERSION;
  createdAt: string;
  updatedAt: string;
  facts: Facts;
  sources: Partial<Record<FactName, FactSource>>;
  /** Questions the person could not answer ("I don't know"); not asked again. */
  declined: string[];
  findings: string[];
  steps: StepRecord[];
  escalations: EscalationEntry[];
  probe?: ProbeSummary;
  /** The one-line summary of what was understood has been shown (before the first question). */
  understoodShown?: boolean;
  /** Probe re-runs asked for, newest last; one without a verdict is still awaited. */
  checks?: CheckRecord[];
  rules?: { version: string; escalation: Diagnosis['escalation']; findings: string[]; steps: string[]; at: string };
  resolution?: Resolution;
  /** "How did we do?": asked after a fix by the bot or a close by staff, until answered or passed over. */
  feedback?: { askedAt: string; after: 'bot' | 'staff'; escalationId?: string };
  /** The support record whose "anything to add?" the person was asked and has not answered yet. */
  detailsAsked?: string;
}

/** A stored value that is a diagnostics record (state read outside a turn, a record kept with an escalation). */
export function isDiagnosticsRecord(value: unknown): value is DiagnosticsRecord {
  return typeof value === 'object' && value !== null && 'version' in value && 'facts' in value && 'steps' in value && 'escalations' in value;
}

export function createRecord(now = new Date()): DiagnosticsRecord {
  const at = now.toISOString();
  return { version: DIAGNOSTICS_RECORD_VERSION, createdAt: at, updatedAt: at, facts: {}, sources: {}, declined: [], findings: [], steps: [], escalations: [] };
}

/**
 * Merges newly learned facts. A later answer replaces an earlier one (people correct
 * themselves); lists (`media`, `stepsTried`) grow. Returns the names of facts that changed.
 */
export function mergeFacts(record: DiagnosticsRecord, learned: Facts, source: FactSource, now = new Date()): FactName[] {
  const changed: FactName[] = [];
  const facts: Record<string, unknown> = { ...record.facts };
  for (const [name, value] of Object.entries(learned) as [FactName, unknown][]) {
    if (value === undefined) continue;
    let next = value;
    const previous = facts[name];
    if (Array.isArray(value) && Array.isArray(previous)) next = [...new Set([...previous, ...value])];
    else if (isObject(value) && isObject(previous)) next = { ...previous, ...value };
    if (JSON.stringify(previous) === JSON.stringify(next)) continue;
    facts[name] = next;
    record.sources[name] = source;
    changed.push(name);
  }
  if (changed.length > 0) {
    record.facts = facts;
    record.updatedAt = now.toISOString();
  }
  return changed;
}

/** Drops facts that no longer hold (a probe that now succeeds clears the earlier error). */
export function forgetFacts(record: DiagnosticsRecord, names: readonly FactName[], now = new Date()): void {
  const facts: Record<string, unknown> = { ...record.facts };
  let changed = false;
  for (const name of names) {
    if (facts[name] === undefined) continue;
    delete facts[name];
    delete record.sources[name];
    changed = true;
  }
  if (!changed) return;
  record.facts = facts;
  record.updatedAt = now.toISOString();
}

export function recordStep(record: DiagnosticsRecord, adviceId: string, outcome: StepOutcome, now = new Date()): void {
  record.steps.push({ adviceId, outcome, at: now.toISOString() });
  if (outcome === 'fixed' || outcome === 'verified-fixed') record.resolution = 'fixed';
  else mergeFacts(record, { stepsTried: [adviceId] }, outcome === 'verified-not-fixed' ? 'probe' : 'asked', now);
  record.updatedAt = now.toISOString();
}

export function recordEscalation(record: DiagnosticsRecord, entry: Omit<EscalationEntry, 'at'>, now = new Date()): EscalationEntry {
  const full = { ...entry, at: now.toISOString() };
  record.escalations.push(full);
  record.updatedAt = full.at;
  return full;
}

export function recordRuleResult(record: DiagnosticsRecord, diagnosis: Diagnosis, now = new Date()): void {
  record.rules = {
    version: diagnosis.rulesVersion,
    escalation: diagnosis.escalation,
    findings: diagnosis.findings.map((f) => f.id),
    steps: diagnosis.steps.map((s) => s.id),
    at: now.toISOString(),
  };
}

/** The check still awaiting its reading, if any. */
export function pendingCheck(record: DiagnosticsRecord, id?: string): CheckRecord | undefined {
  const open = [...(record.checks ?? [])].reverse().find((c) => c.verdict === undefined);
  return id === undefined || open?.id === id ? open : undefined;
}

export function recordCheckRequest(record: DiagnosticsRecord, check: Omit<CheckRecord, 'requestedAt'>, now = new Date()): CheckRecord {
  const full: CheckRecord = { ...check, requestedAt: now.toISOString() };
  // A newer request replaces one that never got its reading.
  record.checks = [...(record.checks ?? []).filter((c) => c.verdict !== undefined), full].slice(-20);
  record.updatedAt = full.requestedAt;
  return full;
}

export function recordCheckVerdict(record: DiagnosticsRecord, check: CheckRecord, verdict: NonNullable<CheckRecord['verdict']>, now = new Date()): void {
  check.verdict = verdict;
  check.answeredAt = now.toISOString();
  record.updatedAt = check.answeredAt;
}

/** Starts over on the same conversation: the platform is kept (it has not changed), the problem is forgotten. */
export function restartRecord(record: DiagnosticsRecord, keepPlatform: boolean, now = new Date()): DiagnosticsRecord {
  const fresh = createRecord(now);
  if (!keepPlatform) return fresh;
  const platform: FactName[] = [
    'os', 'osVersion', 'browser', 'browserVersion', 'deviceType', 'inAppBrowser', 'secureContext', 'inIframe', 'managedDevice',
    'permissionsPolicy', 'displayMediaAvailable',
  ];
  for (const name of platform) {
    const value = record.facts[name];
    const source = record.sources[name];
    if (value !== undefined && source) mergeFacts(fresh, { [name]: value }, source, now);
  }
  return fresh;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
