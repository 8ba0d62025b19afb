import { DialogTurnStatus, type DialogContext, type DialogTurnResult } from './framework';
import { LeanComponentDialog } from './leanDialogs';
import type { TurnContext } from 'botbuilder';
import { createRecord, FACT_NAMES, forgetFacts, mergeFacts, type DiagnosticsRecord, valueLabels } from '../src/diagnosis';
import { diagnosticsActivity } from './cards';
import { whereOf } from './channels';
import { loadRecord, type ConversationDeps } from './conversationDeps';
import { openStaffRequest } from './escalate';
import { perceived } from './perception';
import { prefaceNextMessage } from './preface';
import { texts } from './texts';

/**
 * The one interruption layer (as the BotBuilder samples' CancelAndHelpDialog): at any turn,
 * `help`, `restart`, `human`, `status` and `diagnostics` work, and urgency switches the flow to
 * the urgent path at once without losing what is known.
 */
export abstract class InterruptibleDialog extends LeanComponentDialog {
  constructor(id: string, protected readonly deps: ConversationDeps) {
    super(id);
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: object): Promise<DialogTurnResult> {
    return (await this.interrupt(innerDc, false)) ?? super.onBeginDialog(innerDc, options);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    return (await this.interrupt(innerDc, true)) ?? super.onContinueDialog(innerDc);
  }

  private async interrupt(innerDc: DialogContext, active: boolean): Promise<DialogTurnResult | undefined> {
    const context = innerDc.context;
    const { understanding, changed } = perceived(context);
    const record = await loadRecord(this.deps, context);
    // While a question waits, informational commands answer and ask it again, so the last message offers a way on.
    const stay = async (): Promise<DialogTurnResult> => (active ? { status: DialogTurnStatus.waiting } : innerDc.cancelAllDialogs());

    if (understanding.closing && record.resolution && !understanding.command) {
      await context.sendActivity(texts.closing);
      await innerDc.cancelAllDialogs();
      return { status: DialogTurnStatus.complete };
    }

    switch (understanding.command) {
      case 'help':
        await context.sendActivity(texts.help);
        if (active) await innerDc.repromptDialog();
        return stay();
      case 'status':
        await context.sendActivity(await this.statusText(context, record));
        if (active) await innerDc.repromptDialog();
        return stay();
      case 'diagnostics':
        await context.sendActivity(diagnosticsActivity(whereOf(context), record, context.activity.conversation.id));
        if (active) await innerDc.repromptDialog();
        return stay();
      case 'restart':
        await this.deps.records.set(context, createRecord());
        await innerDc.cancelAllDialogs();
        await context.sendActivity(texts.restarted);
        return { status: DialogTurnStatus.complete };
      case 'correct': {
        // What the person's words told us is forgotten; what the probe and their buttons said stays.
        forgetFacts(record, FACT_NAMES.filter((name) => record.sources[name] === 'text'));
        record.declined = [];
        record.understoodShown = false;
        await context.sendActivity(texts.corrected);
        return this.startOver(innerDc, active);
      }
      case 'human': {
        if (openStaffRequest(record)?.status === 'requested') {
          await context.sendActivity(texts.staffAlreadyRequested);
          return stay();
        }
        // Asking again after "nobody could be called" tries again.
        record.escalations = record.escalations.filter((e) => e.status !== 'unavailable');
        mergeFacts(record, { humanRequested: true }, 'text');
        prefaceNextMessage(context, texts.humanNoted);
        return this.startOver(innerDc, active);
      }
      default:
        break;
    }

    const becameUrgent = (changed.includes('urgent') || changed.includes('liveConference')) && record.facts.urgent === true && record.facts.liveConference === true;
    if (becameUrgent && !openStaffRequest(record)) {
      prefaceNextMessage(context, texts.urgentNoted);
      return this.startOver(innerDc, active);
    }
    return undefined;
  }

  /** Back to the top of the conversation with everything known kept: the next step is decided afresh. */
  private async startOver(innerDc: DialogContext, active: boolean): Promise<DialogTurnResult> {
    if (active) await innerDc.cancelAllDialogs();
    return innerDc.beginDialog(this.initialDialogId);
  }

  private async statusText(context: TurnContext, record: DiagnosticsRecord): Promise<string> {
    const lines: string[] = [];
    const media = record.facts.media?.map((m) => valueLabels[m] ?? m).join(' and ');
    const symptom = record.facts.symptom ? valueLabels[record.facts.symptom] : record.facts.errorName;
    if (!media && !symptom) lines.push(texts.status.nothingYet);
    else lines.push(texts.status.problem([media, symptom].filter(Boolean).join(', ')));
    const tried = record.steps.filter((s) => s.outcome !== 'fixed').length;
    if (tried > 0) lines.push(texts.status.stepsTried(tried));
    const queue = await this.deps.handoff.queueStatus(context);
    if (queue?.state === 'waiting') lines.push(texts.status.waiting(queue.position));
    if (queue?.state === 'claimed') lines.push(texts.status.withStaff(queue.staffName));
    if (queue?.state === 'with-hub') lines.push(texts.status.withHub);
    if (record.resolution === 'fixed') lines.push(texts.status.fixed);
    if (record.resolution === 'support-record') lines.push(texts.status.supportRecord);
    return lines.join(' ');
  }
}
