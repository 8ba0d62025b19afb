import type { TurnContext } from 'botbuilder';
import type { DiagnosticsRecord, EscalationEntry, StepOutcome } from '../src/diagnosis';

/**
 * What the conversation needs from escalation (SPEC §5), as an interface the dialogs own, so
 * the dialogs can be tested with a fake and escalation can change without touching them.
 */
export interface HandoffRequest {
  reason: EscalationEntry['reason'];
  record: DiagnosticsRecord;
}

export type StaffRequestOutcome =
  | { status: 'requested'; escalationId: string; position: number; wait?: StaffWait }
  | { status: 'no-staff-online'; supportRecordId: string }
  | { status: 'unavailable' };

/** How many staff are online and, from recent claims, about how long the wait is. */
export interface StaffWait {
  online: number;
  estimateMinutes?: number;
}
export type SupportRecordOutcome = { status: 'filed'; id: string } | { status: 'unavailable' };
/** `with-hub`: a contact-centre hub on the channel took the conversation (`handoff.status` accepted). */
export type QueueStatus = { state: 'waiting'; position: number } | { state: 'claimed'; staffName: string } | { state: 'with-hub' };

export interface StaffHandoff {
  /** Puts the conversation in the staff queue. Must be durable before it resolves. */
  requestStaff(context: TurnContext, request: HandoffRequest): Promise<StaffRequestOutcome>;
  fileSupportRecord(context: TurnContext, request: HandoffRequest & { description?: string; contact?: string }): Promise<SupportRecordOutcome>;
  /** The conversation's open escalation, if any. */
  queueStatus(context: TurnContext): Promise<QueueStatus | undefined>;
  /** A step's outcome, for the support desk's reports; never fails the turn. */
  recordStepOutcome?(context: TurnContext, outcome: { adviceId: string; outcome: StepOutcome; record: DiagnosticsRecord }): Promise<void>;
}

/** Until staff hand-off is configured, the bot says so honestly and calls nobody. */
export const noStaffHandoff: StaffHandoff = {
  requestStaff: async () => ({ status: 'unavailable' }),
  fileSupportRecord: async () => ({ status: 'unavailable' }),
  queueStatus: async () => undefined,
};
