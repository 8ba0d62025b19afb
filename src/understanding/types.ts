import type { FactName, Facts } from '../diagnosis';

export type Command = 'help' | 'restart' | 'human' | 'status' | 'diagnostics' | 'correct';
export type Answer = 'fixed' | 'not-fixed' | 'already-tried' | 'dont-know' | 'yes' | 'no';

/** What one message says, as far as the phrase data can tell. */
export interface Understanding {
  facts: Partial<Facts>;
  command?: Command;
  answer?: Answer;
  /** A single-valued fact named with two values the context could not settle (e.g. Mac and Windows): ask which. */
  ambiguous?: { fact: FactName; values: string[] }[];
  /** Only thanks and goodbyes ("ok thanks", "great, bye"). */
  closing?: true;
}

/** A button of a question, as `understandChoice` matches typed replies against it. */
export interface Choice {
  value: string;
  synonyms: readonly string[];
}

export const COMMANDS = ['help', 'restart', 'human', 'status', 'diagnostics', 'correct'] as const satisfies readonly Command[];
/** Priority order: "nope, still broken" is not-fixed rather than no. */
export const ANSWERS = ['fixed', 'not-fixed', 'already-tried', 'dont-know', 'yes', 'no'] as const satisfies readonly Answer[];
/** The facts text can give, other than `media`: each holds one value, so two different values conflict. */
export const SINGLE_FACTS = [
  'os', 'osVersion', 'browser', 'browserVersion', 'deviceType', 'symptom', 'errorName', 'errorMessage',
  'role', 'liveConference', 'liveStream', 'urgent', 'humanRequested', 'inAppBrowser', 'managedDevice', 'inIframe',
] as const satisfies readonly FactName[];
export type SingleFact = (typeof SINGLE_FACTS)[number];

/** Words of five letters or more are the ones typos are looked for in (and typed button replies matched within one edit). */
export const TYPO_MIN_LENGTH = 5;
