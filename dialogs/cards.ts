import { ActionTypes, ActivityTypes, CardFactory, MessageFactory, type Activity, type Attachment, type CardAction } from 'botbuilder';
import { capabilitiesOf, withChoices, type Where } from './channels';
import {
  type Advice, type CheckRecord, type DiagnosticsRecord, FACT_NAMES, type FactName, type Facts, getAdvice, browserNames, escalationLabels, factLabels, osNames, valueLabels, outcomeLabels, reasonLabels, sourceLabels,
} from '../src/diagnosis';
import { DONT_KNOW, type Question } from './questions';
import { inert } from './inertText';
import { texts } from './texts';

/** How advice, questions and the diagnostics record look in the chat. */

export type AdviceKind = 'finding' | 'step';

export interface StepOptions {
  /** The probe can verify this step here: offer "Check again". */
  checkable?: boolean;
}

/** A step's buttons: the three outcomes, "Check again" where the probe can verify it, and a person. */
function stepButtons(options: StepOptions): string[] {
  const b = texts.stepButtons;
  return [b.fixed, b.notFixed, b.alreadyTried, ...(options.checkable ? [b.checkAgain] : []), b.person];
}

export function adviceActivity(where: Where, advice: Advice, kind: AdviceKind, intro?: string, options: StepOptions = {}): Partial<Activity> {
  const links = advice.links.map((link) => `[${link.label}](${link.url})`).join(' · ');
  // A step's "Step 2 of 5:" reads as the start of its title; a finding's intro stands alone.
  const heading = kind === 'step' && intro ? `${intro} **${advice.title}**` : [intro, `**${advice.title}**`].filter(Boolean).join('\n\n');
  const text = [heading, advice.text, links].filter(Boolean).join('\n\n');
  const message = MessageFactory.text(text);
  message.channelData = { adviceId: advice.id, adviceKind: kind, source: advice.source, ...(kind === 'step' && options.checkable ? { checkable: true } : {}) };
  return kind === 'step' ? withChoices(where, message, stepButtons(options)) : message;
}

/**
 * "How did we do?" with a few buttons; any other message passes it over. What comes just before it
 * ("Great, glad it works now!") is its first paragraph: one bubble, one post to the channel.
 */
export function feedbackActivity(where: Where, before?: string): Partial<Activity> {
  const { good, ok, poor, skip } = texts.feedback.buttons;
  const message = MessageFactory.text(before ? `${before}\n\n${texts.feedback.question}` : texts.feedback.question);
  message.channelData = { feedback: true };
  return withChoices(where, message, [good, ok, poor, skip]);
}

/** The rating a button's text stands for, `skip`, or undefined for anything else. */
export function feedbackAnswer(text: string): 'good' | 'ok' | 'poor' | 'skip' | undefined {
  const said = text.trim().toLowerCase();
  const buttons = texts.feedback.buttons;
  return (['good', 'ok', 'poor', 'skip'] as const).find((key) => buttons[key].toLowerCase() === said);
}

export function stepButtonsActivity(where: Where, adviceId: string, options: StepOptions = {}, text: string = texts.stepAskAgain): Partial<Activity> {
  const message = MessageFactory.text(text);
  message.channelData = { adviceId, adviceKind: 'step' };
  return withChoices(where, message, stepButtons(options));
}

/** The pending step named again, with its buttons, after something came between it and its answer. */
export function stepReminderActivity(where: Where, step: { adviceId: string; title: string; checkable?: boolean }): Partial<Activity> {
  const message = MessageFactory.text(step.title ? texts.stepReminder(step.title) : texts.stepAskAgain);
  message.channelData = { adviceId: step.adviceId, adviceKind: 'step' };
  return withChoices(where, message, stepButtons(step));
}

/** The value of the "Run a quick check" button; a page with the probe runs it instead of sending it. */
export const RUN_CHECK = { action: 'run-probe' } as const;

/**
 * Asks the person's page to run its probe again (SPEC §6's `diagnostics` event comes back with
 * `check.id`). `ask`: the page asks the person first, because someone else (staff) asked for it.
 */
export function probeRunActivity(check: CheckRecord, ask: boolean): Partial<Activity> {
  return { type: ActivityTypes.Event, name: PROBE_RUN_EVENT, value: { id: check.id, media: check.media, ask } };
}
export const PROBE_RUN_EVENT = 'probe/run';

export interface QuestionOptions {
  /** The chat's page can run the probe: questions it can answer offer "Run a quick check". */
  canProbe?: boolean;
  /** Only the choices for these values (the two the person named together). */
  among?: readonly string[];
  /** Buttons after the choices ("That's wrong"). */
  extra?: readonly string[];
}

export function questionActivity(where: Where, question: Question, facts: Facts, prefix?: string, options: QuestionOptions = {}): Partial<Activity> {
  const titles = [...choicesAmong(question, facts, options.among).map((c) => c.title), DONT_KNOW, ...(options.extra ?? [])];
  const check: CardAction[] = options.canProbe && question.checkable ? [{ type: ActionTypes.PostBack, title: texts.runCheck, value: { ...RUN_CHECK, media: probeMedia(facts) } }] : [];
  const text = prefix ? `${prefix} ${question.text}` : question.text;
  const message = MessageFactory.text(check.length > 0 ? `${text} ${texts.runCheckHint}` : text);
  message.channelData = { questionId: question.id };
  return withChoices(where, message, titles, check);
}

/** What the probe should open: the devices in question, or both when none is known yet. */
function probeMedia(facts: Facts): string[] {
  const devices = (facts.media ?? []).filter((m) => m === 'camera' || m === 'microphone');
  return devices.length > 0 ? devices : ['camera', 'microphone'];
}

/** A question's choices, narrowed to the values the person hesitated between (when at least two remain). */
export function choicesAmong(question: Question, facts: Facts, among: readonly string[] | undefined) {
  const all = question.choices(facts);
  if (!among) return all;
  const narrowed = all.filter((c) => among.includes(String(Reflect.get(c.facts, question.fact))));
  return narrowed.length >= 2 ? narrowed : all;
}

/** A fact in words: the system and browser by their names, steps tried by their titles, other values as below. */
function describeFact(name: FactName, value: unknown): string {
  if (name === 'os' && typeof value === 'string') return osNames[value] ?? inert(value);
  if (name === 'browser' && typeof value === 'string') return browserNames[value] ?? inert(value);
  if (name === 'stepsTried' && Array.isArray(value)) return value.map((id) => adviceTitle(String(id))).join(', ');
  return describeValue(value);
}

/** A fact's value in words: our labels where there are some, else the value itself made inert (it may come from a client). */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => valueLabels[String(v)] ?? inert(String(v))).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).map(([k, v]) => `${inert(k)}: ${describeValue(v)}`).join(', ');
  }
  return valueLabels[String(value)] ?? inert(String(value));
}

/** Advice by its title; an id the rules no longer know stays as it is. */
function adviceTitle(id: string): string {
  return getAdvice(id)?.title ?? id;
}

/**
 * The record as an Adaptive Card (for people) plus `diagnostics.json` (for staff and tools) where
 * the channel delivers inline JSON; elsewhere (Teams) the card alone, and staff read the whole
 * record in the console.
 */
export function diagnosticsActivity(where: Where, record: DiagnosticsRecord, conversationId: string): Partial<Activity> {
  const facts = FACT_NAMES.flatMap((name) => {
    const value = record.facts[name];
    if (value === undefined) return [];
    const source = record.sources[name];
    return [{ title: factLabels[name] ?? name, value: `${describeFact(name, value)}${source ? ` (${sourceLabels[source] ?? source})` : ''}` }];
  });
  const steps = record.steps.map((s) => ({ title: adviceTitle(s.adviceId), value: outcomeLabels[s.outcome] ?? s.outcome }));
  const checks = (record.checks ?? []).map((c) => ({
    title: `${c.requestedBy === 'staff' ? 'Asked by staff' : 'Check again'}${c.adviceId ? ` (${adviceTitle(c.adviceId)})` : ''}`,
    value: c.verdict ? outcomeLabels[c.verdict] ?? c.verdict : 'waiting for the check',
  }));
  const body: unknown[] = [
    { type: 'TextBlock', text: 'Diagnostics', weight: 'Bolder', size: 'Medium' },
    { type: 'TextBlock', text: `Conversation ${conversationId}`, isSubtle: true, wrap: true, size: 'Small' },
    facts.length > 0 ? { type: 'FactSet', facts } : { type: 'TextBlock', text: 'No facts yet.', wrap: true },
  ];
  if (record.findings.length > 0) body.push({ type: 'TextBlock', text: `Findings: ${record.findings.map(adviceTitle).join(', ')}`, wrap: true });
  if (steps.length > 0) body.push({ type: 'TextBlock', text: 'Steps', weight: 'Bolder' }, { type: 'FactSet', facts: steps });
  if (checks.length > 0) body.push({ type: 'TextBlock', text: 'Checks', weight: 'Bolder' }, { type: 'FactSet', facts: checks });
  for (const e of record.escalations) {
    body.push({ type: 'TextBlock', text: `${escalationLabels[e.kind] ?? e.kind} (${reasonLabels[e.reason] ?? e.reason}): ${escalationLabels[e.status] ?? e.status}`, wrap: true });
  }
  if (record.resolution) body.push({ type: 'TextBlock', text: `Outcome: ${escalationLabels[record.resolution] ?? record.resolution}`, wrap: true });

  const card: Attachment = CardFactory.adaptiveCard({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', body });
  const json: Attachment = { contentType: 'application/json', name: 'diagnostics.json', content: record };
  const message = MessageFactory.list(capabilitiesOf(where).jsonAttachments ? [card, json] : [card], texts.diagnosticsIntro);
  message.channelData = { diagnosticsVersion: record.version };
  return message;
}
