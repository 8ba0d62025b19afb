/**
 * Diagnosis: facts in (SPEC §4), findings, ordered steps and an escalation decision out (§4.2).
 * This file is the folder's face; other parts import only from here.
 */
import type { Facts } from './facts';
import { createDiagnoser, type Diagnoser } from './diagnoser';
import type { Advice, Diagnosis } from './advice';

export {
  parseFacts, factsSchema, FACT_NAMES, SPEC_ADVICE_IDS, OS_VALUES, BROWSER_VALUES, DEVICE_TYPE_VALUES,
  MEDIA_VALUES, SYMPTOM_VALUES, ERROR_NAME_VALUES, PERMISSION_STATE_VALUES, ROLE_VALUES, AUDIO_LEVEL_VALUES, VIDEO_FRAMES_VALUES,
} from './facts';
export type {
  Facts, FactName, OperatingSystem, Browser, DeviceType, Media, Symptom, ErrorName, Role, SpecAdviceId,
} from './facts';
export type { Advice, AdviceLink, Diagnosis, EscalationLevel, MatchedCondition, RuleTrace } from './advice';
export { loadRuleSet, DEFAULT_RULES_DIR, DERIVED_FACTS } from './ruleSet';
export type { RuleSet, RuleDefinition, GuideSection } from './ruleSet';
export { createDiagnoser, engineConstructionCount } from './diagnoser';
export type { Diagnoser, DiagnoserOptions, DiagnoserStats } from './diagnoser';
export { factsFromUserAgent, inAppBrowserName } from './userAgent';
export type { UserAgentHints } from './userAgent';
export { measureDiagnose, realisticFactsMix } from './measure';
export type { DiagnoseMeasurement, TimingSummary } from './measure';

let shared: Diagnoser | undefined;

/** The process-wide diagnoser over `rules/`, built on first use and then reused. */
export function defaultDiagnoser(): Diagnoser {
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

/** The SPEC §4 facts the rules look at: the conversation asks only for these. */
export function ruleFactNames(): readonly string[] {
  return defaultDiagnoser().ruleSet.factNames;
}

export {
  createRecord, mergeFacts, recordStep, recordEscalation, recordRuleResult, restartRecord, DIAGNOSTICS_RECORD_VERSION,
  pendingCheck, recordCheckRequest, recordCheckVerdict, forgetFacts,
} from './record';
export type { DiagnosticsRecord, FactSource, StepOutcome, StepRecord, EscalationEntry, ProbeSummary, Resolution, CheckRecord } from './record';
export { parseProbe, factsFromProbe, probeSchema, PROBE_VERSION } from './probe';
export { VERIFIABLE_STEPS, isVerifiable, mediaToCheck, verifyReading } from './verify';
export type { Verdict, Verification } from './verify';
export type { ProbeResult, ProbeReading } from './probe';
