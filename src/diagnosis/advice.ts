import type { OperatingSystem } from './facts';

/** A link shown with a piece of advice. Objects rather than bare URLs so the chat can show a label. */
export interface AdviceLink {
  readonly label: string;
  readonly url: string;
}

/** One piece of advice as SPEC §4.2 returns it. Frozen: memoised diagnoses share these objects. */
export interface Advice {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly links: readonly AdviceLink[];
  readonly source: string;
}

/** Advice as stored in rules/advice: `platforms` marks advice that only makes sense on some OSes. */
export interface AdviceContent extends Advice {
  readonly platforms?: readonly OperatingSystem[];
  readonly forMicrophone?: { readonly title: string; readonly text: string };
  readonly sameAs?: readonly string[];
  readonly file: string;
}

/**
 * The guide sections an advice's `source` cites. A source lists its citations separated by ";";
 * one of the troubleshooting guide reads "guide: <section name>", the name as listed in
 * rules/guide-sections.json. Other citations (MDN, a research note, an issue) are free text.
 */
export function citedGuideSections(source: string): string[] {
  return source.split(';').flatMap((citation) => {
    const section = /^guide: (.+)$/.exec(citation.trim())?.[1];
    return section === undefined ? [] : [section];
  });
}

export type EscalationLevel = 'staff-now' | 'support-record';

/** One condition of a rule that held, with the value the fact had. */
export interface MatchedCondition {
  readonly fact: string;
  readonly operator: string;
  readonly value: unknown;
  readonly actual: unknown;
}

/** Why a finding, step or escalation was chosen: the rule and the conditions of it that held. */
export interface RuleTrace {
  readonly ruleId: string;
  readonly description?: string;
  readonly type: 'finding' | 'step' | 'escalation';
  readonly adviceId: string;
  readonly escalation?: EscalationLevel;
  readonly matched: readonly MatchedCondition[];
}

export interface Diagnosis {
  findings: Advice[];
  steps: Advice[];
  escalation: EscalationLevel | null;
  rulesVersion: string;
  /** Every rule that fired, in the engine's order (tried steps included, marked by the facts). */
  trace: RuleTrace[];
}

/** Public projection: the extra loader fields never leave the folder. `microphone`: its own wording, when it has one. */
export function toAdvice(content: AdviceContent, microphone = false): Advice {
  const wording = microphone && content.forMicrophone ? content.forMicrophone : content;
  return Object.freeze({
    id: content.id,
    title: wording.title,
    text: wording.text,
    links: Object.freeze(content.links.map((link) => Object.freeze({ label: link.label, url: link.url }))),
    source: content.source,
  });
}
