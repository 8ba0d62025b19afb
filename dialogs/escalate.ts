import type { TurnContext } from 'botbuilder';
import { recordEscalation, type DiagnosticsRecord, type EscalationEntry } from '../src/diagnosis';
import type { ConversationDeps } from './conversationDeps';
import { texts } from './texts';

/**
 * The latest staff request for this problem, if any (`unavailable` counts: we already said so;
 * so do `timed-out` and `closed`: staff were called, and only "human" calls them again).
 */
export function openStaffRequest(record: DiagnosticsRecord): EscalationEntry | undefined {
  const handled = ['requested', 'claimed', 'unavailable', 'timed-out', 'closed', 'no-staff-online'];
  return [...record.escalations].reverse().find((e) => e.kind === 'staff-now' && handled.includes(e.status));
}

/** Whether staff were ever called for this conversation (escalation knows of a request only then). */
export function hasCalledStaff(record: DiagnosticsRecord | undefined): boolean {
  return record?.escalations.some((e) => e.kind === 'staff-now' && e.id !== undefined) ?? false;
}

/** Calls staff (SPEC §5.2) and tells the person honestly what happened. */
export async function requestStaff(
  context: TurnContext,
  deps: ConversationDeps,
  record: DiagnosticsRecord,
  reason: EscalationEntry['reason'] = record.facts.humanRequested ? 'human-requested' : 'urgent',
): Promise<void> {
  const outcome = await deps.handoff.requestStaff(context, { reason, record });
  if (outcome.status === 'requested') {
    recordEscalation(record, { kind: 'staff-now', reason, status: 'requested', id: outcome.escalationId });
    try {
      // Staff and the hub, if any, are being told: this message goes alongside.
      await context.sendActivity({ type: 'message', text: texts.staffCalled(outcome.position, outcome.wait), channelData: { adviceId: 'escalate-to-staff', adviceKind: 'escalation' } });
    } finally {
      // Never outlives the turn, even when the message failed.
      await outcome.announced;
    }
  } else if (outcome.status === 'no-staff-online') {
    recordEscalation(record, { kind: 'staff-now', reason, status: 'no-staff-online' });
    recordEscalation(record, { kind: 'support-record', reason: 'no-staff', status: 'filed', id: outcome.supportRecordId });
    await context.sendActivity(texts.noStaffOnline(outcome.supportRecordId));
  } else {
    recordEscalation(record, { kind: 'staff-now', reason, status: 'unavailable' });
    await context.sendActivity(texts.staffUnavailable);
  }
}

/** Steps ran out and nobody is needed right now: a support record (SPEC §5.3). */
export async function fileSupportRecord(context: TurnContext, deps: ConversationDeps, record: DiagnosticsRecord): Promise<void> {
  const outcome = await deps.handoff.fileSupportRecord(context, { reason: 'steps-exhausted', record });
  if (outcome.status === 'filed') {
    recordEscalation(record, { kind: 'support-record', reason: 'steps-exhausted', status: 'filed', id: outcome.id });
    record.resolution = 'support-record';
    // The message asks for details: the next free text answers it (dialogs/followUps.ts).
    record.detailsAsked = outcome.id;
    await context.sendActivity({ type: 'message', text: texts.supportRecordFiled(outcome.id), channelData: { adviceId: 'support-record', adviceKind: 'escalation' } });
  } else {
    recordEscalation(record, { kind: 'support-record', reason: 'steps-exhausted', status: 'unavailable' });
    record.resolution = 'unresolved';
    await context.sendActivity(texts.supportRecordUnavailable);
  }
}
