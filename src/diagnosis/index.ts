/**
 * Diagnosis: facts in (SPEC §4), findings, ordered steps and an escalation decision out (§4.2).
 * This file is the folder's face; other parts import only from here, and it exports only what
 * they use. Tests of this folder's own pieces import those modules directly.
 */
import type { Facts } from './facts';
import { createDiagnoser, type Diagnoser } from './diagnoser';
import type { Advice, Diagnosis } from './advice';

export { parseFacts, factsSchema, FACT_NAMES } from './facts';
export type { Facts, FactName } from './facts';
export type { Advice, Diagnosis, MatchedCondition } from './advice';
export { createDiagnoser } from './diagnoser';
export type { Diagnoser } from './diagnoser';

let shared: Diagnoser | undefined;

/** The process-wide diagnoser over `rules/`, built on first use and then reused. */
function defaultDiagnoser(): Diagnoser {
  shared ??= createDiagnoser();
  return shared;
}

/** Diagnoses with the default rule set. Async: see Diagnoser#diagnose. */
export function diagnose(facts: Facts): Promise<Diagnosis> {
  return defaultDiagnoser().diagnose(facts);
}

/** Advice content by id (e.g. for `support-record` and `escalate-to-staff` messages). */
export function getAdvice(id: string): Advice | undefined {
  return defaultDiagnoser().getAdvice(id);
}

/** The whole advice library (canned replies for staff), in id order. */
export function allAdvice(): Advice[] {
  const diagnoser = defaultDiagnoser();
  return [...diagnoser.ruleSet.advice.keys()].sort().flatMap((id) => diagnoser.getAdvice(id) ?? []);
}

export {
  createRecord, mergeFacts, recordStep, recordEscalation, recordRuleResult, restartRecord,
  pendingCheck, recordCheckRequest, recordCheckVerdict, forgetFacts, isDiagnosticsRecord,
} from './record';
export type { DiagnosticsRecord, StepOutcome, EscalationEntry, CheckRecord } from './record';
export { parseProbe, factsFromProbe } from './probe';
export type { ProbeReading } from './probe';
export { isVerifiable, mediaToCheck, verifyReading } from './verify';
export { browserNames, errorLabels, escalationLabels, factLabels, osNames, outcomeLabels, ratingLabels, reasonLabels, roleLabels, sourceLabels, stepOutcomeWords, valueLabels } from './labels';
