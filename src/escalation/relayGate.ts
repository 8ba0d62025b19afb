import { ActivityTypes, HandoffEventNames, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { whereOf, feedbackActivity, feedbackAnswer, type StaffHandoff, texts as dialogTexts } from '../../dialogs';
import type { TurnGate } from '../bot';
import { recordEscalation, recordStep, type DiagnosticsRecord } from '../diagnosis';
import { findContactHandle, understand, type Understanding } from '../understanding';
import { summarize } from './feed';
import { solvedQuestion, type PersonNotices } from './notices';
import type { Escalation } from './escalationRepository';
import type { SupportRecordRepository } from './supportRecordRepository';
import { requireEscalation, type RoleDeps } from './roles';
import { escalationTexts } from './texts';
import { noteOutcome } from './transcript';

export interface RelayGateDeps extends RoleDeps {
  supportRecords: SupportRecordRepository;
  notices: PersonNotices;
  handoff: Pick<StaffHandoff, 'requestStaff'>;
}

/** "note: …" / "contact: …"; the body is trimmed afterwards, so no two quantifiers compete for the spaces. */
const NOTE = /^\s*(note|contact)\s*:(.*)$/is;

/**
 * The turn gate (runs before the dialogs): while staff are with the person their messages are
 * relayed and the bot stays quiet; a contact-centre hub's `handoff.status` changes the escalation.
 */
export class RelayGate implements TurnGate {
  constructor(private readonly deps: RelayGateDeps) {}

  async beforeTurn(context: TurnContext, records: StatePropertyAccessor<DiagnosticsRecord>): Promise<boolean> {
    const activity = context.activity;
    if (activity.type === ActivityTypes.Event && activity.name === HandoffEventNames.HandoffStatus) {
      await this.takeHubStatus(context, records);
      return true;
    }
    if (activity.type !== ActivityTypes.Message) return false;
    const conversationId = activity.conversation.id;
    const text = typeof activity.text === 'string' ? activity.text.trim() : '';
    const record = await records.get(context);
    if (record?.feedback && text) {
      const feedback = record.feedback;
      delete record.feedback;
      const answer = feedbackAnswer(text);
      if (answer) {
        if (answer !== 'skip') {
          await this.deps.escalations.logSatisfaction({ conversationId, escalationId: feedback.escalationId, after: feedback.after, rating: answer, now: this.deps.now() });
          this.deps.log.info({ conversationId, rating: answer, after: feedback.after }, 'satisfaction recorded');
        }
        await context.sendActivity(answer === 'skip' ? dialogTexts.feedback.skipped : dialogTexts.feedback.thanks);
        return true;
      }
      // Anything else passes the question over and is handled as usual.
    }
    // Only a conversation that called staff has an escalation to look up: its record lists each
    // one it was told about. This keeps the escalation tables off every other turn.
    const escalation = record?.escalations.some((e) => e.kind === 'staff-now' && e.id) ? await this.deps.escalations.latestFor(conversationId) : undefined;
    if (escalation && record) syncRecord(record, escalation);

    if (escalation && text && (escalation.status === 'waiting' || escalation.status === 'claimed')) {
      // The queue shows the latest words of everyone waiting or with staff.
      await this.deps.escalations.setLastMessage(escalation.id, text, this.deps.now());
      await this.deps.feed.publish({ type: 'message', escalationId: escalation.id, conversationId, from: 'person', name: activity.from.name ?? null, text, at: this.deps.now().toISOString() });
    }
    if (escalation?.status === 'claimed') {
      const understood = understand(text);
      if (understood.command === 'status' || understood.command === 'restart') return false;
      // An answer to a step staff sent is recorded like any step's; it is still relayed.
      const outcome = understood.answer === 'fixed' || understood.answer === 'not-fixed' || understood.answer === 'already-tried' ? understood.answer : undefined;
      if (outcome && record && escalation.pendingAdvice && (await this.deps.escalations.takePendingAdvice(escalation.id, escalation.pendingAdvice))) {
        recordStep(record, escalation.pendingAdvice, outcome, this.deps.now());
        noteOutcome(context, this.deps.log, { adviceId: escalation.pendingAdvice, outcome, givenBy: 'staff' }, record);
        this.deps.log.info({ escalationId: escalation.id, adviceId: escalation.pendingAdvice, outcome }, 'step sent by staff answered');
        await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize({ ...escalation, pendingAdvice: null }) });
      }
      // With staff: relayed, and the bot stays quiet. The transcript middleware stores it.
      return true;
    }
    if ((escalation?.status === 'closed' || escalation?.status === 'timed-out') && record && understand(text).command === 'human') {
      // Staff were called for this problem before; the dialogs do not call them twice unasked.
      await this.requestAgain(context, record);
      return true;
    }
    if (escalation?.status === 'closed' && escalation.solved === 'asked') {
      const handled = await this.takeSolvedAnswer(context, escalation, text, record);
      if (handled) return true;
    }
    return this.takeSupportDetails(context, text, record);
  }

  private async requestAgain(context: TurnContext, record: DiagnosticsRecord): Promise<void> {
    const outcome = await this.deps.handoff.requestStaff(context, { reason: 'human-requested', record });
    if (outcome.status === 'requested') {
      recordEscalation(record, { kind: 'staff-now', reason: 'human-requested', status: 'requested', id: outcome.escalationId });
      await context.sendActivity(dialogTexts.staffCalled(outcome.position));
      if (outcome.wait) await context.sendActivity(dialogTexts.staffWait(outcome.wait.online, outcome.wait.estimateMinutes));
    } else if (outcome.status === 'no-staff-online') {
      recordEscalation(record, { kind: 'staff-now', reason: 'human-requested', status: 'no-staff-online' });
      recordEscalation(record, { kind: 'support-record', reason: 'no-staff', status: 'filed', id: outcome.supportRecordId });
      await context.sendActivity(dialogTexts.noStaffOnline(outcome.supportRecordId));
    } else {
      await context.sendActivity(dialogTexts.staffUnavailable);
    }
  }

  private async takeSolvedAnswer(context: TurnContext, escalation: Escalation, text: string, record: DiagnosticsRecord | undefined): Promise<boolean> {
    const { answer } = understand(text);
    const solved = answer === 'yes' || answer === 'fixed' ? 'yes' : answer === 'no' || answer === 'not-fixed' ? 'no' : undefined;
    if (!solved) {
      // Something else: the question lapses, so a later "yes" to another question is not taken for it.
      await this.deps.escalations.setSolved(escalation.id, 'no-answer', this.deps.now());
      return false;
    }
    if (!(await this.deps.escalations.setSolved(escalation.id, solved, this.deps.now()))) return false;
    // Solved ends this problem (the next message starts a new one); not solved keeps it open.
    if (record && solved === 'yes') {
      record.resolution = 'fixed';
      record.updatedAt = this.deps.now().toISOString();
    }
    this.deps.log.info({ escalationId: escalation.id, solved }, 'solved answer recorded');
    await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize({ ...escalation, solved }) });
    await context.sendActivity(solved === 'yes' ? escalationTexts.solvedYes : escalationTexts.solvedNo);
    if (record) {
      await context.sendActivity(feedbackActivity(whereOf(context)));
      record.feedback = { askedAt: this.deps.now().toISOString(), after: 'staff', escalationId: escalation.id };
    }
    return true;
  }

  /**
   * "note: …" / "contact: …" at any time, or any free text right after a record was filed, goes
   * into it. Free text counts as the answer only when the person was told about that record (the
   * conversation's diagnostics list it): a record whose turn never finished asked nobody anything.
   */
  private async takeSupportDetails(context: TurnContext, text: string, diagnostics: DiagnosticsRecord | undefined): Promise<boolean> {
    if (!text) return false;
    const prefixed = NOTE.exec(text);
    // "thanks, bye" is a goodbye, not a note for the support team.
    if (!prefixed && understand(text).closing) return false;
    const told = new Set(diagnostics?.escalations.filter((e) => e.kind === 'support-record').map((e) => e.id));
    if (!prefixed && told.size === 0) return false;
    const record = await this.deps.supportRecords.latestFor(context.activity.conversation.id);
    if (!record) return false;
    if (!prefixed && (record.followUp !== 'asked' || !told.has(record.id))) return false;
    const understood = prefixed ? undefined : understand(text);
    if (understood?.command) {
      await this.deps.supportRecords.endFollowUp(record.id, this.deps.now());
      return false;
    }
    if (understood && isDecline(understood)) {
      // "No" / "I don't know" to "anything to add?" is not a description.
      await this.deps.supportRecords.endFollowUp(record.id, this.deps.now());
      await context.sendActivity(escalationTexts.nothingAdded(record.id));
      return true;
    }
    const body = prefixed?.[2]?.trim() ?? text;
    if (!body) return false;
    const isContact = prefixed?.[1]?.toLowerCase() === 'contact';
    const contact = isContact ? body : findContactHandle(body);
    const added = await this.deps.supportRecords.addDetails(record.id, { description: isContact ? undefined : body, contact }, this.deps.now());
    await this.deps.feed.publish({ type: 'support-record.updated', supportRecordId: record.id, conversationId: record.conversationId });
    await context.sendActivity(added === 'all' ? escalationTexts.detailsAdded(record.id) : added === 'part' ? escalationTexts.detailsPartlyAdded(record.id) : escalationTexts.recordFull(record.id));
    return true;
  }

  /**
   * `handoff.status` from a contact-centre hub (never rejected): `accepted` — the hub has the
   * person, as a claim; `failed` — the no-staff fallback, as a timeout; `completed` — closed, and
   * the person is asked whether it is solved. Other states are recorded and change nothing.
   */
  private async takeHubStatus(context: TurnContext, records: StatePropertyAccessor<DiagnosticsRecord>): Promise<void> {
    const activity = context.activity;
    const value: unknown = activity.value;
    const state = typeof value === 'object' && value !== null && 'state' in value && typeof value.state === 'string' ? value.state.slice(0, 32) : undefined;
    const message = typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string' ? value.message.slice(0, 500) : undefined;
    if (!state) return;
    const now = this.deps.now();
    // The hub speaks for the channel; the person cannot accept, fail or close their own hand-off.
    const latest = await this.deps.escalations.latestFor(activity.conversation.id);
    if (latest && activity.from?.id && activity.from.id === latest.reference.user?.id) {
      this.deps.log.warn({ conversationId: activity.conversation.id, escalationId: latest.id, state }, 'handoff status from the person themselves ignored');
      return;
    }
    const escalation = await this.deps.escalations.setHubState(activity.conversation.id, state, now);
    this.deps.log.info({ conversationId: activity.conversation.id, escalationId: escalation?.id, state, hubMessage: message }, 'handoff status from hub');
    if (!escalation) return;
    const open = escalation.status === 'waiting' || escalation.status === 'claimed' ? escalation.status : undefined;
    let changed: Escalation | undefined;

    if (state === 'accepted' && escalation.status === 'waiting' && (await this.deps.escalations.claim(escalation.id, escalationTexts.hubName, now))) {
      changed = await requireEscalation(this.deps.escalations, escalation.id);
      await this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(changed) });
      await context.sendActivity(escalationTexts.hubAccepted);
      this.deps.notices.queueMoved(escalation);
    } else if (state === 'failed' && open) {
      const result = await this.deps.escalations.timeOut(escalation.id, now, open);
      if (result) {
        changed = { ...result.escalation, status: 'timed-out' };
        await this.deps.feed.publish({ type: 'escalation.timed-out', escalation: summarize(changed) });
        await this.deps.feed.publish({ type: 'support-record.created', supportRecordId: result.supportRecord.id, conversationId: result.supportRecord.conversationId });
        await context.sendActivity(escalationTexts.hubFailed(result.supportRecord.id));
        if (escalation.status === 'waiting') this.deps.notices.queueMoved(escalation);
      }
    } else if (state === 'completed' && open && (await this.deps.escalations.close(escalation.id, open, escalationTexts.hubName, now))) {
      changed = await requireEscalation(this.deps.escalations, escalation.id);
      await this.deps.feed.publish({ type: 'escalation.closed', escalation: summarize(changed) });
      await context.sendActivity(solvedQuestion(changed, escalationTexts.hubCompleted));
      if (escalation.status === 'waiting') this.deps.notices.queueMoved(escalation);
    }

    if (!changed) {
      await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize(escalation) });
      return;
    }
    const record = await records.get(context);
    if (record) syncRecord(record, changed);
  }
}

/** Brings the conversation's diagnostics record up to date with what happened outside its turns. */
function syncRecord(record: DiagnosticsRecord, escalation: Escalation): void {
  const entry = record.escalations.find((e) => e.kind === 'staff-now' && e.id === escalation.id);
  if (!entry || entry.status === escalation.status || escalation.status === 'waiting') return;
  entry.status = escalation.status;
  record.updatedAt = new Date().toISOString();
  if (escalation.status === 'timed-out' && escalation.supportRecordId && !record.escalations.some((e) => e.id === escalation.supportRecordId)) {
    // No resolution is set: the person is still walking the remaining steps.
    recordEscalation(record, { kind: 'support-record', reason: 'no-staff', status: 'filed', id: escalation.supportRecordId });
  }
}

function isDecline(understanding: Understanding): boolean {
  const bare = Object.keys(understanding.facts).length === 0;
  return bare && (understanding.answer === 'no' || understanding.answer === 'dont-know' || understanding.answer === 'not-fixed');
}
