import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from './framework';
import { isVerifiable, recordRuleResult, recordStep, valueLabels } from '../src/diagnosis';
import { adviceActivity, feedbackActivity } from './cards';
import { whereOf } from './channels';
import { clientCanProbe, loadRecord, type ConversationDeps } from './conversationDeps';
import { DialogIds } from './dialogIds';
import { fileSupportRecord, openStaffRequest, requestStaff } from './escalate';
import { isStepOutcome, StepOutcomeDialog } from './questionDialogs';
import { describeReading, perceived } from './perception';
import { texts } from './texts';

export type StepsResult = 'done' | 'facts-changed';

/**
 * Findings first, then the steps one at a time, most likely fix first, each with
 * That fixed it / Didn't help / Already tried. When they run out, what `diagnose()` decides.
 */
export class StepsDialog extends ComponentDialog {
  constructor(private readonly deps: ConversationDeps) {
    super(DialogIds.steps);
    this.addDialog(new WaterfallDialog(DialogIds.stepsLoop, [this.offerStep.bind(this), this.takeOutcome.bind(this)]));
    this.addDialog(new StepOutcomeDialog(deps));
    this.initialDialogId = DialogIds.stepsLoop;
  }

  private async offerStep(step: WaterfallStepContext) {
    const record = await loadRecord(this.deps, step.context);
    const diagnosis = await this.deps.diagnose(record.facts);
    recordRuleResult(record, diagnosis);

    const unseen = diagnosis.findings.filter((f) => !record.findings.includes(f.id));
    for (const [i, finding] of unseen.entries()) {
      await step.context.sendActivity(adviceActivity(whereOf(step.context), finding, 'finding', i === 0 ? texts.findingsIntro : undefined));
      record.findings.push(finding.id);
    }
    if (diagnosis.escalation === 'staff-now' && !openStaffRequest(record)) await requestStaff(step.context, this.deps, record);

    const next = diagnosis.steps[0];
    if (!next) {
      if (openStaffRequest(record)?.status === 'requested') await step.context.sendActivity(texts.stepsExhaustedWhileWaiting);
      else await fileSupportRecord(step.context, this.deps, record);
      return step.endDialog('done' satisfies StepsResult);
    }
    const shown = record.steps.length + 1;
    // "Check again" needs a page that can run the probe: one that declared it, or already sent a reading.
    const checkable = isVerifiable(next.id) && (record.probe !== undefined || (await clientCanProbe(this.deps, step.context)));
    await step.context.sendActivity(adviceActivity(whereOf(step.context), next, 'step', texts.stepIntro(shown, record.steps.length + diagnosis.steps.length), { checkable }));
    return step.beginDialog(DialogIds.stepOutcome, { adviceId: next.id, title: next.title, checkable });
  }

  private async takeOutcome(step: WaterfallStepContext) {
    const outcome: unknown = step.result;
    if (!isStepOutcome(outcome) || outcome.answer === 'facts-changed') return step.replaceDialog(DialogIds.stepsLoop);
    const record = await loadRecord(this.deps, step.context);
    recordStep(record, outcome.adviceId, outcome.answer);
    this.deps.onStepOutcome?.(outcome.answer);
    await this.deps.handoff.recordStepOutcome?.(step.context, { adviceId: outcome.adviceId, outcome: outcome.answer, record });
    if (outcome.answer === 'fixed') {
      await step.context.sendActivity(texts.fixed(outcome.title, record.facts.liveConference === true));
      await step.context.sendActivity(feedbackActivity(whereOf(step.context)));
      record.feedback = { askedAt: new Date().toISOString(), after: 'bot' };
      return step.endDialog('done' satisfies StepsResult);
    }
    const reading = perceived(step.context).probe;
    if (outcome.answer === 'verified-fixed') {
      const what = (reading?.media?.requested ?? []).map((m) => valueLabels[m] ?? m).join(' and ') || valueLabels.cameraAndMicrophone || '';
      await step.context.sendActivity(`${texts.check.fixed(what)}${record.facts.liveConference ? texts.check.fixedLive : ''}`);
      return step.endDialog('done' satisfies StepsResult);
    }
    if (outcome.answer === 'verified-not-fixed' && reading) await step.context.sendActivity(texts.check.notFixed(describeReading(reading, false)));
    return step.replaceDialog(DialogIds.stepsLoop);
  }
}
