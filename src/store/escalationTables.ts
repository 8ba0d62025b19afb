import type { Generated } from 'kysely';

/**
 * Tables of escalation (src/escalation): staff hand-offs, support records and the transcript of
 * every conversation. JSON documents (conversation reference, diagnostics record, transcript
 * snapshot) are text; timestamps are ISO-8601 UTC text, which sorts and compares as time.
 */
export type EscalationStatus = 'waiting' | 'claimed' | 'closed' | 'timed-out';

export interface EscalationTable {
  id: string;
  conversation_id: string;
  channel_id: string;
  /** botbuilder ConversationReference as JSON: how to reach the person later (proactive sends). */
  reference: string;
  /** The person's display name as the channel gave it, if any. */
  user_name: string | null;
  reason: string;
  status: EscalationStatus;
  claimed_by: string | null;
  created_at: string;
  /** When the no-staff fallback fires if nobody has claimed it; the timeout poller reads it. */
  due_at: string;
  claimed_at: string | null;
  closed_at: string | null;
  closed_by: string | null;
  /** The diagnostics record (JSON) at the time of the request. */
  diagnostics: string;
  /** The transcript (JSON array of activities) at the time of the request. */
  transcript: string;
  /** Set when the escalation timed out and a support record was filed instead. */
  support_record_id: string | null;
  /** `asked` once staff closed it and the person was asked; then `yes`, `no` or `no-answer`. */
  solved: string | null;
  /** The last `handoff.status` state a contact-centre hub reported (accepted, failed, completed). */
  hub_state: string | null;
  /** When the first staff message was delivered to the person (time to first reply). */
  first_staff_reply_at: string | null;
  /** The person's latest message while the escalation is open (capped), and when it came. */
  last_message: string | null;
  last_message_at: string | null;
  /** Why staff took an unclaimed escalation out of the queue (`dismiss`), if they did. */
  dismiss_reason: string | null;
  /** The advice id staff last sent as a step, until the person answers it. */
  pending_advice: string | null;
  updated_at: string;
}

export interface SupportRecordTable {
  id: string;
  conversation_id: string;
  channel_id: string;
  escalation_id: string | null;
  reason: string;
  os: string | null;
  browser: string | null;
  /** Advice ids tried, JSON array. */
  tried: string;
  diagnostics: string;
  contact: string | null;
  description: string | null;
  /** `asked` while the bot waits for the person's optional details; then `done` or `skipped`. */
  follow_up: string;
  /** How far staff have worked it: `open`, `contacted`, `resolved`; who set it and when. */
  status: SupportRecordStatus;
  status_by: string | null;
  status_at: string | null;
  created_at: string;
  updated_at: string;
}

export type SupportRecordStatus = 'open' | 'contacted' | 'resolved';

export interface StaffNoteTable {
  id: Generated<number>;
  /** An escalation id (E-…) or a support record id (SR-…). */
  subject_id: string;
  author: string;
  text: string;
  created_at: string;
}

export interface TranscriptActivityTable {
  /** Assigned by the database; orders a conversation's activities as they were logged. */
  id: Generated<number>;
  conversation_id: string;
  channel_id: string;
  direction: 'in' | 'out';
  activity: string;
  /** On the person's answer to a step: `{adviceId, outcome, givenBy, os, browser}` as JSON, for the reports. */
  step_outcome: string | null;
  created_at: string;
}


export type SatisfactionRating = 'good' | 'ok' | 'poor';

export interface SatisfactionTable {
  id: Generated<number>;
  conversation_id: string;
  escalation_id: string | null;
  after: 'bot' | 'staff';
  rating: SatisfactionRating;
  created_at: string;
}

export interface EscalationTables {
  escalations: EscalationTable;
  support_records: SupportRecordTable;
  transcript_activities: TranscriptActivityTable;
  staff_notes: StaffNoteTable;
  satisfaction: SatisfactionTable;
}
