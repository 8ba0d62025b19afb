import type { DialogContext, DialogTurnResult } from './framework';
import { LeanComponentDialog, LoopDialog } from './leanDialogs';
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
export class StepsDialog extends LeanComponentDialog {
  constructor(private readonly deps: ConversationDeps) {
    super(DialogIds.steps);
    // Offer a step; take its outcome and offer the next, until one fixes it or they run out.
    this.addDialog(new LoopDialog(DialogIds.stepsLoop, (dc) => this.offerStep(dc), (dc, outcome) => this.takeOutcome(dc, outcome)));
    this.addDialog(new StepOutcomeDialog(deps));
    this.initialDialogId = DialogIds.stepsLoop;
  }

  private async offerStep(dc: DialogContext): Promise<DialogTurnResult> {
    const record = await loadRecord(this.deps, dc.context);
    const diagnosis = await this.deps.diagnose(record.facts);
    recordRuleResult(record, diagnosis);

    const unseen = diagnosis.findings.filter((f) => !record.findings.includes(f.id));
    for (const [i, finding] of unseen.entries()) {
      await dc.context.sendActivity(adviceActivity(whereOf(dc.context), finding, 'finding', i === 0 ? texts.findingsIntro : undefined));
      record.findings.push(finding.id);
    }
    if (diagnosis.escalation === 'staff-now' && !openStaffRequest(record)) await requestStaff(dc.context, this.deps, record);

    const next = diagnosis.steps[0];
    if (!next) {
      if (openStaffRequest(record)?.status === 'requested') await dc.context.sendActivity(texts.stepsExhaustedWhileWaiting);
      else await fileSupportRecord(dc.context, this.deps, record);
      return dc.endDialog('done' satisfies StepsResult);
    }
    const shown = record.steps.length + 1;
    // "Check again" needs a page that can run the probe: one that declared it, or already sent a reading.
    const checkable = isVerifiable(next.id) && (record.probe !== undefined || (await clientCanProbe(this.deps, dc.context)));
    await dc.context.sendActivity(adviceActivity(whereOf(dc.context), next, 'step', texts.stepIntro(shown, record.steps.length + diagnosis.steps.length), { checkable }));
    return dc.beginDialog(DialogIds.stepOutcome, { adviceId: next.id, title: next.title, checkable });
  }

  private async takeOutcome(dc: DialogContext, outcome: unknown): Promise<DialogTurnResult> {
    if (!isStepOutcome(outcome) || outcome.answer === 'facts-changed') return this.offerStep(dc);
    const record = await loadRecord(this.deps, dc.context);
    recordStep(record, outcome.adviceId, outcome.answer);
    this.deps.onStepOutcome?.(outcome.answer);
    await this.deps.handoff.recordStepOutcome?.(dc.context, { adviceId: outcome.adviceId, outcome: outcome.answer, record });
    if (outcome.answer === 'fixed') {
      await dc.context.sendActivity(feedbackActivity(whereOf(dc.context), texts.fixed(outcome.title, record.facts.liveConference === true)));
      record.feedback = { askedAt: new Date().toISOString(), after: 'bot' };
      return dc.endDialog('done' satisfies StepsResult);
    }
    const reading = perceived(dc.context).probe;
    if (outcome.answer === 'verified-fixed') {
      const what = (reading?.media?.requested ?? []).map((m) => valueLabels[m] ?? m).join(' and ') || valueLabels.cameraAndMicrophone || '';
      await dc.context.sendActivity(`${texts.check.fixed(what)}${record.facts.liveConference ? texts.check.fixedLive : ''}`);
      return dc.endDialog('done' satisfies StepsResult);
    }
    if (outcome.answer === 'verified-not-fixed' && reading) await dc.context.sendActivity(texts.check.notFixed(describeReading(reading, false)));
    return this.offerStep(dc);
  }
}
