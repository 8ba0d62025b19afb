import { DialogEvents, DialogSet, DialogTurnStatus, type DialogContext, type DialogEvent, type DialogState, type DialogStateManagerConfiguration, type DialogTurnResult } from './framework';
import { LoopDialog } from './leanDialogs';
import type { Activity, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { loadRecord, type ConversationDeps } from './conversationDeps';
import { DialogIds } from './dialogIds';
import { openStaffRequest, requestStaff } from './escalate';
import { InterruptibleDialog } from './interruptibleDialog';
import { perceive, perceived, probeSentence } from './perception';
import { sendPendingPreface } from './preface';
import { FactQuestionDialog } from './questionDialogs';
import { nextQuestion, questionFor } from './questions';
import { texts } from './texts';
import { randomUUID } from 'node:crypto';
import { mediaToCheck, pendingCheck, recordCheckRequest, recordCheckVerdict, verifyReading } from '../src/diagnosis';
import { probeRunActivity } from './cards';
import { StepsDialog, type StepsResult } from './stepsDialog';
import { FollowUpAnswers } from './followUps';
import type { HandoffEvents } from './handoff';
import { ConversationHandoffEvents } from './handoffEvents';

/**
 * botbuilder-dialogs builds its memory-scope configuration anew on every turn (a dependency graph,
 * ~3 % of a turn in the profile) and caches it for the turn under this turn-state key. The scopes
 * hold no turn data, so the one built on the first turn serves every later one.
 */
const STATE_MANAGER_CONFIGURATION = 'DialogStateManagerConfiguration';

/**
 * The conversation's root: learn what the turn says, then loop — call staff at once when the
 * rules say so, ask the next missing fact the rules need, and when nothing is missing, advise.
 */
export class MainDialog extends InterruptibleDialog {
  /** What escalation's turn gate tells the conversation (claims, closes, timeouts, steps staff sent). */
  readonly handoffEvents: HandoffEvents;
  private readonly followUps: FollowUpAnswers;
  private stateConfiguration?: DialogStateManagerConfiguration;

  constructor(deps: ConversationDeps) {
    super(DialogIds.main, deps);
    this.handoffEvents = new ConversationHandoffEvents(deps);
    this.followUps = new FollowUpAnswers(deps);
    // Decide the next thing; again each time it ends, until the steps say the conversation is done.
    this.addDialog(new LoopDialog(DialogIds.mainLoop, (dc) => this.route(dc), (dc, result) => (result === ('done' satisfies StepsResult) ? dc.endDialog() : this.route(dc))));
    this.addDialog(new FactQuestionDialog(deps));
    this.addDialog(new StepsDialog(deps));
    this.initialDialogId = DialogIds.mainLoop;
  }

  /**
   * An update of the dialogs finds conversations saved by the previous version: their stacks name
   * the same dialog ids, which take them on from where they were (tests/dialogs/savedState.test.ts).
   * Handled here: left unhandled, botbuilder reported it through the dialog set's telemetry client,
   * which a set made per turn does not have, and every later turn of the conversation failed.
   */
  override async onDialogEvent(dc: DialogContext, e: DialogEvent): Promise<boolean> {
    if (e.name === DialogEvents.versionChanged) return true;
    return super.onDialogEvent(dc, e);
  }

  /** Runs one turn (a message, or a probe's `diagnostics` event). */
  async runTurn(context: TurnContext, dialogState: StatePropertyAccessor<DialogState>): Promise<void> {
    if (await this.prepareTurn(context)) return;
    const dialogs = new DialogSet(dialogState);
    dialogs.add(this);
    if (this.stateConfiguration) context.turnState.set(STATE_MANAGER_CONFIGURATION, this.stateConfiguration);
    const dc = await dialogs.createContext(context);
    this.stateConfiguration ??= dc.state.configuration;
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
    await sendPendingPreface(context);
  }

  /**
   * Asks the pending question or step again, with its buttons: after a message sent outside the
   * person's turns (a queue update, the no-staff notice), so the last message still offers a way on.
   */
  async repromptPending(context: TurnContext, dialogState: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogs = new DialogSet(dialogState);
    dialogs.add(this);
    const dc = await dialogs.createContext(context);
    if (dc.activeDialog) await dc.repromptDialog();
  }

  /**
   * Learns what the turn says before any dialog step runs; a probe is acknowledged in one or two
   * sentences. A check the person asked for is answered by the step it verifies; one staff asked
   * for is answered here and ends the turn (staff may be talking with the person). So is an answer
   * to a question asked outside the dialog steps (FollowUpAnswers). True: handled.
   */
  async prepareTurn(context: TurnContext): Promise<boolean> {
    if (await this.followUps.take(context)) return true;
    const stored = await loadRecord(this.deps, context);
    const { perception, record } = perceive(context, stored);
    if (record !== stored) await this.deps.records.set(context, record);
    if (context.activity.type !== 'event' || context.activity.name !== 'diagnostics') return false;
    const reading = perception.probe;
    const check = reading?.checkId ? pendingCheck(record, reading.checkId) : undefined;
    if (reading && check?.requestedBy === 'staff') {
      recordCheckVerdict(record, check, verifyReading(reading).verdict);
      await context.sendActivities([probeSentence(reading), { type: 'message', text: texts.check.staffDone }]);
      return true;
    }
    if (!check) await context.sendActivity(probeSentence(reading));
    return false;
  }

  /**
   * Staff asked for the check again: noted in the record (not saved yet). Returns the check's id and
   * what asks the page to ask the person, to send once the record is saved.
   */
  async recordStaffCheck(context: TurnContext, staffName: string): Promise<{ checkId: string; activities: Partial<Activity>[] }> {
    const record = await loadRecord(this.deps, context);
    const check = recordCheckRequest(record, {
      id: `staff-${randomUUID().slice(0, 12)}`, requestedBy: 'staff', staffName, media: mediaToCheck(record.facts, record.probe?.requested),
    });
    return { checkId: check.id, activities: [{ type: 'message', text: texts.check.staffAsked(staffName) }, probeRunActivity(check, true)] };
  }

  private async route(dc: DialogContext): Promise<DialogTurnResult> {
    const record = await loadRecord(this.deps, dc.context);
    // Urgent live sessions and requests for a person go to staff before any question (SPEC §5.1).
    if (!openStaffRequest(record) && (record.facts.urgent || record.facts.humanRequested)) {
      const diagnosis = await this.deps.diagnose(record.facts);
      if (diagnosis.escalation === 'staff-now') await requestStaff(dc.context, this.deps, record);
    }
    // Two values for one fact in the person's words: ask which, offering just those two.
    const hesitation = perceived(dc.context).understanding.ambiguous?.find((a) => record.facts[a.fact] === undefined && questionFor(a.fact));
    const hesitant = hesitation && questionFor(hesitation.fact);
    if (hesitation && hesitant) return dc.beginDialog(DialogIds.factQuestion, { questionId: hesitant.id, attempts: 0, among: hesitation.values });
    const question = nextQuestion(record.facts, record.declined, this.deps.ruleFacts);
    if (question) return dc.beginDialog(DialogIds.factQuestion, { questionId: question.id, attempts: 0 });
    return dc.beginDialog(DialogIds.steps);
  }
}
