import { Dialog, DialogTurnStatus, type DialogContext, type DialogTurnResult } from './framework';
import { randomUUID } from 'node:crypto';
import { type Facts, mediaToCheck, mergeFacts, pendingCheck, recordCheckRequest, recordCheckVerdict, verifyReading, browserNames, valueLabels, osNames } from '../src/diagnosis';
import { understandChoice, type Answer } from '../src/understanding';
import { choicesAmong, probeRunActivity, questionActivity, RUN_CHECK, stepButtonsActivity, stepReminderActivity, type QuestionOptions } from './cards';
import { whereOf } from './channels';
import { clientCanProbe, loadRecord, type ConversationDeps } from './conversationDeps';
import { DialogIds } from './dialogIds';
import { perceived, probeSentence } from './perception';
import { prefaceNextMessage } from './preface';
import { DONT_KNOW, findQuestion, type Question } from './questions';
import { texts } from './texts';

const MAX_ATTEMPTS = 2;
const waiting: DialogTurnResult = { status: DialogTurnStatus.waiting };

interface FactQuestionState {
  questionId: string;
  attempts: number;
  /** The values the person named together ("a mac but windows"): only those are offered. */
  among?: string[];
  /** This question came with the summary of what was understood, so it keeps "That's wrong". */
  offerWrong?: boolean;
}

/** The buttons a question keeps each time it is asked again. */
function keptOptions(state: unknown): QuestionOptions {
  if (!isFactQuestionState(state)) return {};
  return { among: state.among, extra: state.offerWrong ? [texts.wrongButton] : [] };
}

function isFactQuestionState(value: unknown): value is FactQuestionState {
  return typeof value === 'object' && value !== null && 'questionId' in value && typeof value.questionId === 'string';
}

/**
 * Asks one question of `questions.ts` with buttons and accepts typed answers: a button's title
 * or synonym, any sentence the understanding layer gets the fact from, or "I don't know".
 * Ends as soon as the fact is known, however it became known (typed, probe, another answer).
 */
export class FactQuestionDialog extends Dialog<FactQuestionState> {
  constructor(private readonly deps: ConversationDeps) {
    super(DialogIds.factQuestion);
  }

  override async beginDialog(dc: DialogContext, options?: FactQuestionState): Promise<DialogTurnResult> {
    const question = options && findQuestion(options.questionId);
    if (!question) return dc.endDialog();
    const among = options?.among;
    dc.activeDialog!.state = { questionId: question.id, attempts: 0, ...(among ? { among } : {}) };
    const record = await loadRecord(this.deps, dc.context);
    const lines: string[] = [];
    // Before the first question, one line of what was understood, so a misreading shows at once.
    const summary = record.understoodShown ? '' : understoodSummary(record.facts);
    if (summary) lines.push(texts.understood(summary));
    record.understoodShown = true;
    if (summary && dc.activeDialog) dc.activeDialog.state = { ...dc.activeDialog.state, offerWrong: true };
    if (among && among.length >= 2) lines.push(texts.bothValues(valueName(among[0] ?? ''), valueName(among[1] ?? '')));
    await dc.context.sendActivity(await this.ask(dc.context, question, record.facts, lines.join(' ') || undefined, { among, extra: summary ? [texts.wrongButton] : [] }));
    return waiting;
  }

  private async ask(context: DialogContext['context'], question: Question, facts: Facts, prefix?: string, options: QuestionOptions = {}) {
    return questionActivity(whereOf(context), question, facts, prefix, { ...options, canProbe: await clientCanProbe(this.deps, context) });
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state: unknown = dc.activeDialog?.state;
    const question = isFactQuestionState(state) ? findQuestion(state.questionId) : undefined;
    if (!question || !isFactQuestionState(state)) return dc.endDialog();
    const record = await loadRecord(this.deps, dc.context);
    const { understanding, changed } = perceived(dc.context);

    if (!question.needed(record.facts)) {
      if (changed.includes(question.fact)) record.sources[question.fact] = 'asked';
      return dc.endDialog();
    }
    if (dc.context.activity.type !== 'message') {
      // A probe that did not answer the question: its sentence came first, the question follows again.
      if (isProbe(dc)) await dc.context.sendActivity(await this.ask(dc.context, question, record.facts, undefined, keptOptions(state)));
      return waiting;
    }

    const text = dc.context.activity.text ?? '';
    if (understanding.answer === 'dont-know' || text.trim().toLowerCase() === DONT_KNOW.toLowerCase()) {
      record.declined.push(question.id);
      return dc.endDialog();
    }
    const choices = choicesAmong(question, record.facts, state.among);
    // A plain yes or no ("no not live") picks the button that stands for it.
    const yesNo = understanding.answer === 'yes' || understanding.answer === 'no' ? understanding.answer : undefined;
    const picked = understandChoice(text, choices.map((c) => ({ value: c.title, synonyms: [c.title, ...c.synonyms] })));
    const choice = choices.find((c) => c.title === picked) ?? (yesNo && choices.find((c) => c.synonyms.includes(yesNo)));
    if (choice) {
      mergeFacts(record, choice.facts, 'asked');
      return dc.endDialog();
    }
    // They told us something else (another fact): note it, and let the conversation decide what to ask now.
    if (changed.length > 0) {
      prefaceNextMessage(dc.context, texts.noted);
      return dc.endDialog();
    }

    // The check button pressed in a chat that cannot run it: say so and ask again; no attempt is spent.
    if (isCheckRequest(dc)) {
      await dc.context.sendActivity(await this.ask(dc.context, question, record.facts, texts.probeNotHere, keptOptions(state)));
      return waiting;
    }
    state.attempts += 1;
    if (state.attempts >= MAX_ATTEMPTS) {
      record.declined.push(question.id);
      await dc.context.sendActivity(texts.takeAsUnknown);
      return dc.endDialog();
    }
    await dc.context.sendActivity(await this.ask(dc.context, question, record.facts, texts.didNotCatch, keptOptions(state)));
    return waiting;
  }

  override async repromptDialog(context: DialogContext['context'], instance: { state: unknown }): Promise<void> {
    const question = isFactQuestionState(instance.state) ? findQuestion(instance.state.questionId) : undefined;
    if (!question) return;
    const record = await loadRecord(this.deps, context);
    await context.sendActivity(await this.ask(context, question, record.facts, undefined, keptOptions(instance.state)));
  }
}

export type StepAnswer = 'fixed' | 'not-fixed' | 'already-tried' | 'verified-fixed' | 'verified-not-fixed' | 'facts-changed';
export interface StepOutcome {
  answer: StepAnswer;
  adviceId: string;
  title: string;
}

const STEP_ANSWERS: Partial<Record<Answer, StepAnswer>> = {
  fixed: 'fixed', yes: 'fixed', 'not-fixed': 'not-fixed', no: 'not-fixed', 'already-tried': 'already-tried',
};
const CHECK_AGAIN = 'check-again';
const STEP_BUTTONS: { value: string; synonyms: string[]; answer: StepAnswer | typeof CHECK_AGAIN }[] = [
  { value: 'fixed', synonyms: [texts.stepButtons.fixed], answer: 'fixed' },
  { value: 'not-fixed', synonyms: [texts.stepButtons.notFixed], answer: 'not-fixed' },
  { value: 'already-tried', synonyms: [texts.stepButtons.alreadyTried], answer: 'already-tried' },
  { value: CHECK_AGAIN, synonyms: [texts.stepButtons.checkAgain, 'check it again', 'run the check again', 'test again', 'recheck'], answer: CHECK_AGAIN },
];

interface StepOutcomeState {
  adviceId: string;
  title: string;
  checkable?: boolean;
}

function isStepOutcomeState(value: unknown): value is StepOutcomeState {
  return typeof value === 'object' && value !== null && 'adviceId' in value && typeof value.adviceId === 'string' && 'title' in value && typeof value.title === 'string';
}

function checkIdOf(adviceId: string): string {
  return `${adviceId.slice(0, 24)}-${randomUUID().slice(0, 8)}`;
}

/** Waits for the outcome of a step the person was just shown (its buttons came with the step). */
export class StepOutcomeDialog extends Dialog<StepOutcomeState> {
  constructor(private readonly deps: ConversationDeps) {
    super(DialogIds.stepOutcome);
  }

  override async beginDialog(dc: DialogContext, options?: StepOutcomeState): Promise<DialogTurnResult> {
    dc.activeDialog!.state = { adviceId: options?.adviceId ?? '', title: options?.title ?? '', checkable: options?.checkable === true };
    return waiting;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state: unknown = dc.activeDialog?.state;
    const step: StepOutcomeState = isStepOutcomeState(state) ? state : { adviceId: '', title: '' };
    const end = (answer: StepAnswer) => dc.endDialog({ answer, adviceId: step.adviceId, title: step.title } satisfies StepOutcome);
    const { understanding, changed, probe } = perceived(dc.context);
    if (dc.context.activity.type !== 'message') {
      const record = await loadRecord(this.deps, dc.context);
      const check = probe?.checkId ? pendingCheck(record, probe.checkId) : undefined;
      if (probe && check?.requestedBy === 'person') {
        const { verdict } = verifyReading(probe);
        recordCheckVerdict(record, check, verdict);
        if (check.adviceId === step.adviceId) return end(verdict);
        // A check asked for under an earlier step: report it plainly and let the steps decide afresh.
        await dc.context.sendActivity(probeSentence(probe));
      }
      if (changed.length > 0) return end('facts-changed');
      if (isProbe(dc)) await dc.context.sendActivity(stepReminderActivity(whereOf(dc.context), step));
      return waiting;
    }

    const button = understandChoice(dc.context.activity.text ?? '', STEP_BUTTONS);
    const fromButton = STEP_BUTTONS.find((b) => b.value === button)?.answer;
    if (fromButton === CHECK_AGAIN) return this.checkAgain(dc, step);
    const answer = fromButton ?? (understanding.answer && STEP_ANSWERS[understanding.answer]);
    if (answer) return end(answer);
    if (changed.length > 0) return end('facts-changed');
    await dc.context.sendActivity(stepButtonsActivity(whereOf(dc.context), step.adviceId, step));
    return waiting;
  }

  /** Asks the page to run the probe again; its reading comes back as a `diagnostics` event with the check's id. */
  private async checkAgain(dc: DialogContext, step: StepOutcomeState): Promise<DialogTurnResult> {
    if (!step.checkable) {
      await dc.context.sendActivity(stepButtonsActivity(whereOf(dc.context), step.adviceId, step, texts.check.cannotRun));
      return waiting;
    }
    const record = await loadRecord(this.deps, dc.context);
    const check = recordCheckRequest(record, { id: checkIdOf(step.adviceId), requestedBy: 'person', adviceId: step.adviceId, media: mediaToCheck(record.facts, record.probe?.requested) });
    // The person pressed the button: that is their consent, so the page runs at once.
    await dc.context.sendActivities([{ type: 'message', text: texts.check.running }, probeRunActivity(check, false)]);
    return waiting;
  }

  /** After something else was said (status, a notice…): the step again, by name, with its buttons. */
  override async repromptDialog(context: DialogContext['context'], instance: { state: unknown }): Promise<void> {
    if (isStepOutcomeState(instance.state)) await context.sendActivity(stepReminderActivity(whereOf(context), instance.state));
  }
}

function isCheckRequest(dc: DialogContext): boolean {
  const value: unknown = dc.context.activity.value;
  return typeof value === 'object' && value !== null && 'action' in value && value.action === RUN_CHECK.action;
}

function isProbe(dc: DialogContext): boolean {
  return dc.context.activity.type === 'event' && dc.context.activity.name === 'diagnostics';
}

export function isStepOutcome(value: unknown): value is StepOutcome {
  return isStepOutcomeState(value) && 'answer' in value && typeof value.answer === 'string';
}

/** "Windows · Chrome · microphone · permission denied": what the person's words and the probe told so far. */
export function understoodSummary(facts: Facts): string {
  const parts = [
    facts.os && osNames[facts.os],
    facts.browser && browserNames[facts.browser],
    facts.inAppBrowser ? texts.understoodLabels.inAppBrowser : undefined,
    facts.managedDevice ? texts.understoodLabels.managedDevice : undefined,
    facts.inIframe ? texts.understoodLabels.inIframe : undefined,
    facts.media?.map((m) => valueLabels[m] ?? m).join(' and '),
    facts.symptom && facts.symptom !== 'other' ? valueLabels[facts.symptom] : facts.errorName,
    facts.urgent ? texts.understoodLabels.urgent : undefined,
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.join(' · ');
}

function valueName(value: string): string {
  return osNames[value] ?? browserNames[value] ?? valueLabels[value] ?? value;
}
