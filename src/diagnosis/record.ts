import type { Diagnosis } from './advice';
import type { Facts, FactName } from './facts';

/**
 * The diagnostics record of SPEC §3.1: one versioned JSON document per conversation. It travels
 * with the conversation (shown as a card, attached to escalations, read by staff). Pure data and
 * pure functions: the bot stores it, escalation copies it, staff read it.
 */
export const DIAGNOSTICS_RECORD_VERSION = 1;

export type FactSource = 'asked' | 'text' | 'user-agent' | 'probe';
export type StepOutcome = 'fixed' | 'not-fixed' | 'already-tried';
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
  ok?: boolean;
  requested?: string[];
  errorName?: string;
  errorMessage?: string;
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
  rules?: { version: string; escalation: Diagnosis['escalation']; findings: string[]; steps: string[]; at: string };
  resolution?: Resolution;
  /** "How did we do?": asked after a fix by the bot or a close by staff, until answered or passed over. */
  feedback?: { askedAt: string; after: 'bot' | 'staff'; escalationId?: string };
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

export function recordStep(record: DiagnosticsRecord, adviceId: string, outcome: StepOutcome, now = new Date()): void {
  record.steps.push({ adviceId, outcome, at: now.toISOString() });
  if (outcome !== 'fixed') mergeFacts(record, { stepsTried: [adviceId] }, 'asked', now);
  else record.resolution = 'fixed';
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

/** Starts over on the same conversation: the platform is kept (it has not changed), the problem is forgotten. */
export function restartRecord(record: DiagnosticsRecord, keepPlatform: boolean, now = new Date()): DiagnosticsRecord {
  const fresh = createRecord(now);
  if (!keepPlatform) return fresh;
  const platform: FactName[] = ['os', 'osVersion', 'browser', 'browserVersion', 'deviceType', 'inAppBrowser', 'secureContext', 'inIframe'];
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
