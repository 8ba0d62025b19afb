import type { TurnContext } from 'botbuilder';
import { recordEscalation, recordStep, type StepOutcome } from '../src/diagnosis';
import { understand } from '../src/understanding';
import { loadRecord, type ConversationDeps } from './conversationDeps';
import { hasCalledStaff } from './escalate';
import type { HandoffEvents, StaffRequestChange, WithStaffReading } from './handoff';

/** What escalation's turn gate tells the conversation, kept in its diagnostics record. */
export class ConversationHandoffEvents implements HandoffEvents {
  constructor(private readonly deps: ConversationDeps) {}

  async calledStaff(context: TurnContext): Promise<boolean> {
    return hasCalledStaff(await this.deps.records.get(context));
  }

  /** Brings the record up to date with what happened outside its turns. */
  async staffRequestChanged(context: TurnContext, change: StaffRequestChange): Promise<void> {
    const record = await this.deps.records.get(context);
    const entry = record?.escalations.find((e) => e.kind === 'staff-now' && e.id === change.escalationId);
    if (!record || !entry || entry.status === change.status || change.status === 'waiting') return;
    entry.status = change.status;
    record.updatedAt = new Date().toISOString();
    if (change.status === 'timed-out' && change.supportRecordId && !record.escalations.some((e) => e.id === change.supportRecordId)) {
      // No resolution is set: the person is still walking the remaining steps.
      recordEscalation(record, { kind: 'support-record', reason: 'no-staff', status: 'filed', id: change.supportRecordId });
    }
  }

  readWhileWithStaff(context: TurnContext): WithStaffReading {
    const text = typeof context.activity.text === 'string' ? context.activity.text.trim() : '';
    const understood = understand(text);
    if (understood.command === 'status' || understood.command === 'restart') return { forBot: true };
    const { answer } = understood;
    return { forBot: false, stepOutcome: answer === 'fixed' || answer === 'not-fixed' || answer === 'already-tried' ? answer : undefined };
  }

  async staffStepAnswered(context: TurnContext, step: { adviceId: string; outcome: StepOutcome }): Promise<void> {
    const record = await loadRecord(this.deps, context);
    recordStep(record, step.adviceId, step.outcome);
    await this.deps.handoff.recordStepOutcome?.(context, { ...step, record, givenBy: 'staff' });
  }
}
