import { browserNames, errorLabels, escalationLabels, factLabels, valueLabels, osNames, roleLabels, sourceLabels } from '../diagnosis';
import type { DiagnosticsRecord, Diagnosis, MatchedCondition } from '../diagnosis';
import { adviceTitle } from './brief';
import { staffLabels } from './texts';

/** One reason in plain words: "Browser is Safari", with where that fact came from. */
export interface TraceReason {
  fact: string;
  text: string;
  source: string | null;
}

/** Why the bot said what it said: per finding, step and escalation, the rule and the facts it matched. */
export interface TraceItem {
  type: 'finding' | 'step' | 'escalation';
  adviceId: string;
  title: string;
  ruleId: string;
  rule: string | null;
  /** A step the person has already tried (the bot no longer offers it). */
  tried: boolean;
  reasons: TraceReason[];
}

/** Turns `diagnose()`'s own trace into words, with each fact's source from the diagnostics record. */
export function explain(diagnosis: Diagnosis, record: DiagnosticsRecord): TraceItem[] {
  const tried = new Set(record.facts.stepsTried ?? []);
  return diagnosis.trace.map((t) => ({
    type: t.type,
    adviceId: t.adviceId,
    title: t.type === 'escalation' ? `${escalationLabels[t.escalation ?? ''] ?? t.escalation ?? ''}`.trim() || adviceTitle(t.adviceId) : adviceTitle(t.adviceId),
    ruleId: t.ruleId,
    rule: t.description ?? null,
    tried: t.type === 'step' && tried.has(t.adviceId),
    reasons: t.matched.map((m) => reason(m, record)),
  }));
}

function reason(m: MatchedCondition, record: DiagnosticsRecord): TraceReason {
  const name = factLabels[m.fact] ?? staffLabels.derivedFacts[m.fact] ?? m.fact;
  const source = Object.entries(record.sources).find(([fact]) => fact === m.fact)?.[1];
  const text = m.operator === 'present'
    ? `${name} ${m.value === true ? staffLabels.operators.known : staffLabels.operators.unknown}`
    : `${name} ${staffLabels.operators[m.operator] ?? m.operator} ${words(m.fact, m.value)}${showActual(m) ? ` (${staffLabels.operators.actually} ${words(m.fact, m.actual)})` : ''}`;
  return { fact: m.fact, text, source: source ? sourceLabels[source] ?? source : null };
}

/** The fact's own value is worth adding when the condition did not name it exactly. */
function showActual(m: MatchedCondition): boolean {
  return m.operator !== 'equal' && m.actual !== undefined && m.actual !== null && typeof m.actual !== 'object';
}

function words(fact: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => words(fact, v)).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  const text = String(value);
  if (fact === 'os') return osNames[text] ?? text;
  if (fact === 'browser') return browserNames[text] ?? text;
  if (fact === 'role') return roleLabels[text] ?? text;
  if (fact === 'errorName') return errorLabels[text] ? `${errorLabels[text]} (${text})` : text;
  if (fact === 'stepsTried') return adviceTitle(text);
  return valueLabels[text] ?? text;
}
