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
  | {
      status: 'requested';
      escalationId: string;
      position: number;
      wait?: StaffWait;
      /** Staff's live feed and a contact-centre hub being told, still on their way (never rejects): the turn sends its message meanwhile and waits for both. */
      announced?: Promise<void>;
    }
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

/** The conversation's latest staff request as escalation keeps it: where it stands, and whether "is it solved?" waits for an answer. */
export interface StaffRequestState {
  id: string;
  status: 'waiting' | 'claimed' | 'closed' | 'timed-out';
  solvedAsked: boolean;
}

/** The conversation's latest support record: `followUpAsked` while "anything to add?" waits for an answer. */
export interface SupportRecordState {
  id: string;
  followUpAsked: boolean;
}

/** How much of the person's details went into a support record: all, the part that fitted, or none (it was full). */
export type DetailsAdded = 'all' | 'part' | 'none';
export type SolvedAnswer = 'yes' | 'no' | 'no-answer';
export type SatisfactionRating = 'good' | 'ok' | 'poor';

export interface StaffHandoff {
  /** Puts the conversation in the staff queue. Must be durable before it resolves. */
  requestStaff(context: TurnContext, request: HandoffRequest): Promise<StaffRequestOutcome>;
  fileSupportRecord(context: TurnContext, request: HandoffRequest & { description?: string; contact?: string }): Promise<SupportRecordOutcome>;
  /** The conversation's open escalation, if any. */
  queueStatus(context: TurnContext): Promise<QueueStatus | undefined>;
  /** A step's outcome, for the support desk's reports; never fails the turn. */
  recordStepOutcome?(context: TurnContext, outcome: { adviceId: string; outcome: StepOutcome; record: DiagnosticsRecord; givenBy?: 'bot' | 'staff' }): Promise<void>;
  /** The conversation's latest staff request, if it ever made one. */
  latestStaffRequest(context: TurnContext): Promise<StaffRequestState | undefined>;
  /** The person's answer to "is it solved?" after staff closed the chat; false when it no longer waited for one. */
  recordSolved(context: TurnContext, escalationId: string, answer: SolvedAnswer): Promise<boolean>;
  /** "How did we do?", answered. */
  recordSatisfaction(context: TurnContext, rating: { after: 'bot' | 'staff'; escalationId?: string; rating: SatisfactionRating }): Promise<void>;
  /** The conversation's latest support record, if any. */
  latestSupportRecord(context: TurnContext): Promise<SupportRecordState | undefined>;
  /** The person's description or contact, added to a support record. */
  addSupportDetails(context: TurnContext, supportRecordId: string, details: { description?: string; contact?: string }): Promise<DetailsAdded>;
  /** "Anything to add?" is no longer waiting for an answer. */
  endSupportFollowUp(context: TurnContext, supportRecordId: string): Promise<void>;
}

export interface StaffRequestChange {
  escalationId: string;
  status: StaffRequestState['status'];
  /** The support record the no-staff fallback filed, when it timed out. */
  supportRecordId?: string;
}

/** A message while staff are with the person: `forBot` for the commands the bot still answers (status, restart). */
export interface WithStaffReading {
  forBot: boolean;
  stepOutcome?: 'fixed' | 'not-fixed' | 'already-tried';
}

/**
 * What escalation tells the conversation about what happened outside the person's turns, and asks
 * of it while staff are with the person. The dialogs implement it (they keep the diagnostics
 * record); escalation's turn gate calls it.
 */
export interface HandoffEvents {
  /** Whether the conversation has called staff: only then is there an escalation to look up. */
  calledStaff(context: TurnContext): Promise<boolean>;
  /** A staff request changed outside the person's turns (claimed, closed, timed out with a support record filed). */
  staffRequestChanged(context: TurnContext, change: StaffRequestChange): Promise<void>;
  /** A message while staff are with the person: whether it is for the bot (status, restart), and the answer to a step it gives. */
  readWhileWithStaff(context: TurnContext): WithStaffReading;
  /** The person answered a step staff sent: recorded like any step's. */
  staffStepAnswered(context: TurnContext, step: { adviceId: string; outcome: StepOutcome }): Promise<void>;
}

/** Until staff hand-off is configured, the bot says so honestly and calls nobody. */
export const noStaffHandoff: StaffHandoff = {
  requestStaff: async () => ({ status: 'unavailable' }),
  fileSupportRecord: async () => ({ status: 'unavailable' }),
  queueStatus: async () => undefined,
  latestStaffRequest: async () => undefined,
  recordSolved: async () => false,
  recordSatisfaction: async () => undefined,
  latestSupportRecord: async () => undefined,
  addSupportDetails: async () => 'none',
  endSupportFollowUp: async () => undefined,
};
