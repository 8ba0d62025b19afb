import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import {
  capabilitiesOf, whereOf, type DetailsAdded, type HandoffRequest, type QueueStatus, type SatisfactionRating, type SolvedAnswer, type StaffHandoff, type StaffRequestOutcome,
  type StaffRequestState, type StaffWait, type SupportRecordOutcome, type SupportRecordState,
} from '../../dialogs';
import type { DiagnosticsRecord, StepOutcome } from '../diagnosis';
import { summarize, type StaffEvent } from './feed';
import { writeWithStateSave } from '../bot';
import { handoffInitiation } from './handoffEvent';
import type { StaffPresence } from './presence';
import { isReachable } from './proactive';
import type { Escalation } from './escalationRepository';
import type { RoleDeps } from './roles';
import type { SupportRecordRepository } from './supportRecordRepository';
import type { TranscriptRepository } from './transcriptRepository';
import { noteOutcome, pendingTranscript } from './transcript';
import type { StaffWebhook } from './webhook';
import { turnLog } from '../logger';

export interface HandoffDeps extends RoleDeps {
  supportRecords: SupportRecordRepository;
  transcripts: TranscriptRepository;
  /** Seconds a request waits for a claim before the no-staff fallback. */
  timeoutS: number;
  webhook?: StaffWebhook;
  /** Who has the staff console open, on any instance. */
  presence?: Pick<StaffPresence, 'online'>;
  /** With nobody online: `file` a support record at once (default), or `queue` and wait for the timeout. */
  whenNobodyOnline?: 'file' | 'queue';
}

/** Where a turn keeps the conversation's latest escalation once read, so the gate and the dialogs share one read. */
const LATEST_ESCALATION = Symbol('latestEscalation');

/** Keeps the latest escalation read in this turn (the relay gate reads it first). */
export function rememberLatest(context: TurnContext, escalation: Escalation | undefined): void {
  context.turnState.set(LATEST_ESCALATION, { escalation });
}

/** An honest estimate: the median claim time of recent escalations, scaled by the place in the queue and the staff online. */
function estimateWait(claimWaits: readonly number[], position: number, online: number): StaffWait {
  const waits = [...claimWaits].sort((a, b) => a - b);
  const median = waits.length >= 3 ? waits[Math.floor(waits.length / 2)] : undefined;
  if (median === undefined) return { online };
  return { online, estimateMinutes: Math.max(1, Math.ceil((median * Math.ceil(position / Math.max(online, 1))) / 60)) };
}

/** How much of the transcript travels with an escalation (the whole one stays readable by conversation). */
const TRANSCRIPT_AT_ESCALATION = 200;

/**
 * The person's side of escalation (SPEC §5.2, §5.3), as the dialogs call it: a place in the staff
 * queue, a support record, the queue status. Written to the store before the person is told.
 */
export class EscalationHandoff implements StaffHandoff {
  constructor(private readonly deps: HandoffDeps) {}

  async requestStaff(context: TurnContext, request: HandoffRequest): Promise<StaffRequestOutcome> {
    const conversationId = context.activity.conversation.id;
    // Both reads at once: on PostgreSQL each is a round trip the person waits for.
    const [open, stored] = await Promise.all([this.deps.escalations.latestFor(conversationId), this.deps.transcripts.transcript(conversationId, TRANSCRIPT_AT_ESCALATION)]);
    if (open && (open.status === 'waiting' || open.status === 'claimed')) {
      return { status: 'requested', escalationId: open.id, position: Math.max(await this.deps.escalations.position(open), 1) };
    }
    const reference = TurnContext.getConversationReference(context.activity);
    if (!isReachable(reference)) {
      turnLog(context, this.deps.log).warn({ conversationId }, 'cannot escalate: the activity lacks what a later reply needs');
      return { status: 'unavailable' };
    }
    const online = this.deps.presence?.online();
    if (online?.length === 0 && (this.deps.whenNobodyOnline ?? 'file') === 'file') {
      // Nobody could answer: say so now and file the record, rather than let the person wait out the timeout.
      const filed = await this.deps.supportRecords.insert({
        conversationId, channelId: context.activity.channelId, reason: 'no-staff', diagnostics: request.record, followUp: 'skipped', now: this.deps.now(),
      });
      turnLog(context, this.deps.log).info({ supportRecordId: filed.id, conversationId, reason: request.reason }, 'nobody online: support record filed instead of queueing');
      this.publishWithTurn(context, { type: 'support-record.created', supportRecordId: filed.id, conversationId });
      return { status: 'no-staff-online', supportRecordId: filed.id };
    }
    const transcript = [...stored.map((e) => e.activity), ...pendingTranscript(context)].slice(-TRANSCRIPT_AT_ESCALATION);
    // The recent claim times behind the wait estimate (mostly remembered), alongside the insert.
    const claimWaits = online ? this.deps.escalations.recentClaimWaits() : undefined;
    // Written before the person is told anything (SPEC §5.2.1): this resolves only after the insert.
    const { escalation, position } = await this.deps.escalations.enqueue({
      reference,
      userName: context.activity.from.name ?? null,
      reason: request.reason,
      diagnostics: request.record,
      transcript,
      lastMessage: context.activity.type === ActivityTypes.Message && typeof context.activity.text === 'string' ? context.activity.text.trim() || undefined : undefined,
      now: this.deps.now(),
      timeoutS: this.deps.timeoutS,
    });
    const waits = await claimWaits;
    const summary = summarize(escalation, position);
    turnLog(context, this.deps.log).info({ escalationId: escalation.id, conversationId, reason: request.reason, position }, 'escalation requested');
    // Staff on the live feed and, on channels that can have one, a contact-centre hub (Teams refuses
    // the event's JSON attachment) are told while the person's message goes: the dialogs wait for both in the turn.
    const announced = Promise.all([
      this.deps.feed.publish({ type: 'escalation.created', escalation: summary }),
      capabilitiesOf(whereOf(context)).handoffEvents ? this.sendHandoffEvent(context, request.record, transcript, escalation.id) : undefined,
    ]).then(() => undefined);
    this.deps.webhook?.notify(summary);
    return { status: 'requested', escalationId: escalation.id, position, wait: online && waits ? estimateWait(waits, position, online.length) : undefined, announced };
  }

  /**
   * Tells the staff feed what this turn changed while the turn goes on (the person's answer, the
   * state save): on PostgreSQL its NOTIFY is a round trip the person need not wait for. The turn is
   * answered only once it is done (with the state save); should the turn fail before that, it
   * finishes on its own (a publish never rejects).
   */
  private publishWithTurn(context: TurnContext, event: StaffEvent): void {
    const published = this.deps.feed.publish(event);
    writeWithStateSave(context, () => published);
  }

  /** The `handoff.initiate` event; a channel that refuses it is logged, never fails the turn. */
  private async sendHandoffEvent(context: TurnContext, record: DiagnosticsRecord, transcript: Partial<Activity>[], escalationId: string): Promise<void> {
    const log = turnLog(context, this.deps.log);
    try {
      await context.sendActivity(handoffInitiation(context, record, { activities: transcript.filter(isActivity) }));
    } catch (error) {
      log.warn({ err: error, escalationId }, 'handoff.initiate event not delivered');
    }
  }


  async fileSupportRecord(context: TurnContext, request: HandoffRequest & { description?: string; contact?: string }): Promise<SupportRecordOutcome> {
    const conversationId = context.activity.conversation.id;
    const input = {
      conversationId,
      channelId: context.activity.channelId,
      reason: request.reason,
      diagnostics: request.record,
      description: request.description,
      contact: request.contact,
      // The dialogs' message ends by asking for details; the next free text answers it.
      followUp: request.description || request.contact ? ('skipped' as const) : ('asked' as const),
      now: this.deps.now(),
    };
    // A record filed for this problem by a turn that never finished (the process died before the
    // conversation saved it, so the person was never told) is filed again in place, not twice.
    const latest = await this.deps.supportRecords.latestFor(conversationId);
    const unfinished = latest && latest.reason === request.reason && latest.createdAt >= request.record.createdAt && !request.record.escalations.some((e) => e.id === latest.id);
    const record = unfinished ? await this.deps.supportRecords.refile(latest.id, input) : await this.deps.supportRecords.insert(input);
    turnLog(context, this.deps.log).info({ supportRecordId: record.id, conversationId, reason: request.reason, refiled: Boolean(unfinished) }, 'support record filed');
    this.publishWithTurn(context, { type: 'support-record.created', supportRecordId: record.id, conversationId: record.conversationId });
    return { status: 'filed', id: record.id };
  }

  async recordStepOutcome(context: TurnContext, step: { adviceId: string; outcome: StepOutcome; record: DiagnosticsRecord; givenBy?: 'bot' | 'staff' }): Promise<void> {
    noteOutcome(context, this.deps.log, { adviceId: step.adviceId, outcome: step.outcome, givenBy: step.givenBy ?? 'bot' }, step.record);
  }

  async latestStaffRequest(context: TurnContext): Promise<StaffRequestState | undefined> {
    const latest = await this.latestEscalation(context);
    return latest && { id: latest.id, status: latest.status, solvedAsked: latest.solved === 'asked' };
  }

  async recordSolved(context: TurnContext, escalationId: string, answer: SolvedAnswer): Promise<boolean> {
    if (!(await this.deps.escalations.setSolved(escalationId, answer, this.deps.now()))) return false;
    if (answer === 'no-answer') return true;
    turnLog(context, this.deps.log).info({ escalationId, solved: answer }, 'solved answer recorded');
    const latest = await this.latestEscalation(context);
    if (latest?.id === escalationId) this.publishWithTurn(context, { type: 'escalation.updated', escalation: summarize({ ...latest, solved: answer }) });
    return true;
  }

  async recordSatisfaction(context: TurnContext, answer: { after: 'bot' | 'staff'; escalationId?: string; rating: SatisfactionRating }): Promise<void> {
    const conversationId = context.activity.conversation.id;
    await this.deps.escalations.logSatisfaction({ conversationId, ...answer, now: this.deps.now() });
    turnLog(context, this.deps.log).info({ conversationId, rating: answer.rating, after: answer.after }, 'satisfaction recorded');
  }

  async latestSupportRecord(context: TurnContext): Promise<SupportRecordState | undefined> {
    const latest = await this.deps.supportRecords.latestFor(context.activity.conversation.id);
    return latest && { id: latest.id, followUpAsked: latest.followUp === 'asked' };
  }

  async addSupportDetails(context: TurnContext, supportRecordId: string, details: { description?: string; contact?: string }): Promise<DetailsAdded> {
    const added = await this.deps.supportRecords.addDetails(supportRecordId, details, this.deps.now());
    this.publishWithTurn(context, { type: 'support-record.updated', supportRecordId, conversationId: context.activity.conversation.id });
    return added;
  }

  async endSupportFollowUp(_context: TurnContext, supportRecordId: string): Promise<void> {
    await this.deps.supportRecords.endFollowUp(supportRecordId, this.deps.now());
  }

  /** The conversation's latest escalation: the one the relay gate read this turn, or read now. */
  private async latestEscalation(context: TurnContext): Promise<Escalation | undefined> {
    const remembered: unknown = context.turnState.get(LATEST_ESCALATION);
    if (typeof remembered === 'object' && remembered !== null && 'escalation' in remembered) return remembered.escalation as Escalation | undefined;
    const latest = await this.deps.escalations.latestFor(context.activity.conversation.id);
    rememberLatest(context, latest);
    return latest;
  }

  async queueStatus(context: TurnContext): Promise<QueueStatus | undefined> {
    const latest = await this.deps.escalations.latestFor(context.activity.conversation.id);
    if (latest?.status === 'waiting') return { state: 'waiting', position: await this.deps.escalations.position(latest) };
    if (latest?.status === 'claimed' && latest.hubState === 'accepted') return { state: 'with-hub' };
    if (latest?.status === 'claimed' && latest.claimedBy) return { state: 'claimed', staffName: latest.claimedBy };
    return undefined;
  }
}

function isActivity(value: Partial<Activity>): value is Activity {
  return typeof value.type === 'string' && value.conversation !== undefined && value.from !== undefined && value.recipient !== undefined;
}
