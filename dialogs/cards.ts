import { ActionTypes, CardFactory, MessageFactory, type Activity, type Attachment, type CardAction } from 'botbuilder';
import { capabilitiesOf, withChoices, type Where } from './channels';
import { type Advice, type DiagnosticsRecord, FACT_NAMES, type Facts, getAdvice } from '../src/diagnosis';
import { DONT_KNOW, type Question } from './questions';
import { inert } from './inertText';
import { escalationLabels, factLabels, labels, outcomeLabels, reasonLabels, sourceLabels, texts } from './texts';

/** How advice, questions and the diagnostics record look in the chat. */

export type AdviceKind = 'finding' | 'step';

const STEP_BUTTONS = [texts.stepButtons.fixed, texts.stepButtons.notFixed, texts.stepButtons.alreadyTried];

export function adviceActivity(where: Where, advice: Advice, kind: AdviceKind, intro?: string): Partial<Activity> {
  const links = advice.links.map((link) => `[${link.label}](${link.url})`).join(' · ');
  const text = [intro, `**${advice.title}**`, advice.text, links].filter(Boolean).join('\n\n');
  const message = MessageFactory.text(text);
  message.channelData = { adviceId: advice.id, adviceKind: kind, source: advice.source };
  return kind === 'step' ? withChoices(where, message, STEP_BUTTONS) : message;
}

/** "How did we do?" with a few buttons; any other message passes it over. */
export function feedbackActivity(where: Where): Partial<Activity> {
  const { good, ok, poor, skip } = texts.feedback.buttons;
  const message = MessageFactory.text(texts.feedback.question);
  message.channelData = { feedback: true };
  return withChoices(where, message, [good, ok, poor, skip]);
}

/** The rating a button's text stands for, `skip`, or undefined for anything else. */
export function feedbackAnswer(text: string): 'good' | 'ok' | 'poor' | 'skip' | undefined {
  const said = text.trim().toLowerCase();
  const buttons = texts.feedback.buttons;
  return (['good', 'ok', 'poor', 'skip'] as const).find((key) => buttons[key].toLowerCase() === said);
}

export function stepButtonsActivity(where: Where, adviceId: string): Partial<Activity> {
  const message = MessageFactory.text(texts.stepAskAgain);
  message.channelData = { adviceId, adviceKind: 'step' };
  return withChoices(where, message, STEP_BUTTONS);
}

/** The pending step named again, with its buttons, after something came between it and its answer. */
export function stepReminderActivity(where: Where, step: { adviceId: string; title: string }): Partial<Activity> {
  const message = MessageFactory.text(step.title ? texts.stepReminder(step.title) : texts.stepAskAgain);
  message.channelData = { adviceId: step.adviceId, adviceKind: 'step' };
  return withChoices(where, message, STEP_BUTTONS);
}

/** The value of the "Run a quick check" button; a page with the probe runs it instead of sending it. */
export const RUN_CHECK = { action: 'run-probe' } as const;

export function questionActivity(where: Where, question: Question, facts: Facts, prefix?: string, canProbe = false): Partial<Activity> {
  const titles = [...question.choices(facts).map((c) => c.title), DONT_KNOW];
  const check: CardAction[] = canProbe && question.checkable ? [{ type: ActionTypes.PostBack, title: texts.runCheck, value: { ...RUN_CHECK, media: probeMedia(facts) } }] : [];
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

/** A fact's value in words: our labels where there are some, else the value itself made inert (it may come from a client). */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => labels[String(v)] ?? inert(String(v))).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).map(([k, v]) => `${inert(k)}: ${describeValue(v)}`).join(', ');
  }
  return labels[String(value)] ?? inert(String(value));
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
    return [{ title: factLabels[name] ?? name, value: `${describeValue(value)}${source ? ` (${sourceLabels[source] ?? source})` : ''}` }];
  });
  const steps = record.steps.map((s) => ({ title: adviceTitle(s.adviceId), value: outcomeLabels[s.outcome] ?? s.outcome }));
  const body: unknown[] = [
    { type: 'TextBlock', text: 'Diagnostics', weight: 'Bolder', size: 'Medium' },
    { type: 'TextBlock', text: `Conversation ${conversationId}`, isSubtle: true, wrap: true, size: 'Small' },
    facts.length > 0 ? { type: 'FactSet', facts } : { type: 'TextBlock', text: 'No facts yet.', wrap: true },
  ];
  if (record.findings.length > 0) body.push({ type: 'TextBlock', text: `Findings: ${record.findings.map(adviceTitle).join(', ')}`, wrap: true });
  if (steps.length > 0) body.push({ type: 'TextBlock', text: 'Steps', weight: 'Bolder' }, { type: 'FactSet', facts: steps });
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
