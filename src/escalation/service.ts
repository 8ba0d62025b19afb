import {
  ActivityTypes,
  EventFactory,
  HandoffEventNames,
  TurnContext,
  type Activity,
  type StatePropertyAccessor,
} from 'botbuilder';
import { capabilitiesOf, whereOf, whereReferenced, withChoices, type HandoffRequest, type QueueStatus, type StaffHandoff, type StaffRequestOutcome, type StaffWait, type SupportRecordOutcome, adviceActivity, feedbackActivity, feedbackAnswer, errorLabels, escalationLabels, factLabels, labels, outcomeLabels, reasonLabels, roleLabels, sourceLabels, texts as dialogTexts, browserNames, osNames } from '../../dialogs';
import type { TurnGate } from '../bot';
import { allAdvice, diagnose as defaultDiagnose, getAdvice, recordEscalation, recordStep, type DiagnosticsRecord, type Diagnosis, type Facts, type StepOutcome } from '../diagnosis';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { findContactHandle, understand, type Understanding } from '../understanding';
import { summarize, type EscalationSummary, type StaffFeed } from './feed';
import { isReachable, type ProactiveMessenger } from './proactive';
import { briefOf, type EscalationBrief } from './brief';
import { explain, type TraceItem } from './trace';
import type { StaffPresence } from './presence';
import type { Report } from './reports';
import type { Escalation, EscalationDetail, EscalationRecords, EscalationStatus, SatisfactionRating, StaffNote, SupportRecord, SupportRecordStatus, TranscriptEntry } from './records';
import { escalationTexts, staffLabels, type DismissReason } from './texts';
import { noteStepOutcome, pendingTranscript } from './transcript';
import type { StaffWebhook } from './webhook';
import { secondsBetween } from '../timestamps';

export interface EscalationServiceDeps {
  records: EscalationRecords;
  messenger: ProactiveMessenger;
  feed: StaffFeed;
  log: Logger;
  /** Seconds a request waits for a claim before the no-staff fallback. */
  timeoutS: number;
  webhook?: StaffWebhook;
  /** The live diagnostics record of a conversation (bot state); escalation's snapshot otherwise. */
  readDiagnostics?: (channelId: string, conversationId: string) => Promise<DiagnosticsRecord | undefined>;
  /** The bot's side of a staff check: records the request and asks the person's page (in a proactive turn). */
  requestCheck?: StaffCheckRequester;
  /** The bot's own diagnoser, for the rule trace staff read; the default rule set otherwise. */
  diagnose?: (facts: Facts) => Promise<Diagnosis>;
  /** Who has the staff console open, on any instance. */
  presence?: Pick<StaffPresence, 'online'>;
  /** With nobody online: `file` a support record at once (default), or `queue` and wait for the timeout. */
  whenNobodyOnline?: 'file' | 'queue';
  /** Names of every configured staff member (transfer targets). */
  staffNames?: readonly string[];
  now?: () => Date;
  observer?: EscalationObserver;
}

/** Staff response times, for metrics: observed by the instance that saw them happen. */
export interface EscalationObserver {
  claimed(secondsWaiting: number): void;
  firstStaffReply(secondsSinceCreated: number): void;
}

/** Asks the person's page, inside their conversation, to run the device check again for a staff member. */
export type StaffCheckRequester = (context: TurnContext, staffName: string) => Promise<{ checkId: string }>;
/** An escalation as the queue lists it: the summary and what it says at a glance. */
export type QueueItem = EscalationSummary & { brief: EscalationBrief };

export type EscalationView = QueueItem & Pick<EscalationDetail, 'diagnostics' | 'transcript'> & { notes: StaffNote[]; trace: TraceItem[]; satisfaction: SatisfactionRating | null };

export type SupportRecordView = SupportRecord & { notes: StaffNote[] };

/** How much of the transcript travels with an escalation (the whole one stays readable by conversation). */
const TRANSCRIPT_AT_ESCALATION = 200;
/** "note: …" / "contact: …"; the body is trimmed afterwards, so no two quantifiers compete for the spaces. */
const NOTE = /^\s*(note|contact)\s*:(.*)$/is;

/**
 * Escalation to staff (SPEC §5): the person's side (the dialogs' `StaffHandoff`, and a turn gate
 * that relays while staff are with them), the staff side (claim, reply, close), and the no-staff
 * fallback. The store is the truth; every state change is a compare-and-set there, so several
 * instances can serve the same queue. Proactive messages go through `ProactiveMessenger`.
 */
export class EscalationService implements StaffHandoff, TurnGate {
  private readonly background = new Set<Promise<void>>();
  private readonly now: () => Date;

  constructor(private readonly deps: EscalationServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  // ——— The person's side (called by the dialogs) ———

  async requestStaff(context: TurnContext, request: HandoffRequest): Promise<StaffRequestOutcome> {
    const conversationId = context.activity.conversation.id;
    const open = await this.deps.records.latestFor(conversationId);
    if (open && (open.status === 'waiting' || open.status === 'claimed')) {
      return { status: 'requested', escalationId: open.id, position: Math.max(await this.deps.records.position(open), 1) };
    }
    const reference = TurnContext.getConversationReference(context.activity);
    if (!isReachable(reference)) {
      this.deps.log.warn({ conversationId }, 'cannot escalate: the activity lacks what a later reply needs');
      return { status: 'unavailable' };
    }
    const online = this.deps.presence?.online();
    if (online?.length === 0 && (this.deps.whenNobodyOnline ?? 'file') === 'file') {
      // Nobody could answer: say so now and file the record, rather than let the person wait out the timeout.
      const filed = await this.deps.records.insertSupportRecord({
        conversationId, channelId: context.activity.channelId, reason: 'no-staff', diagnostics: request.record, followUp: 'skipped', now: this.now(),
      });
      this.deps.log.info({ supportRecordId: filed.id, conversationId, reason: request.reason }, 'nobody online: support record filed instead of queueing');
      await this.deps.feed.publish({ type: 'support-record.created', supportRecordId: filed.id, conversationId });
      return { status: 'no-staff-online', supportRecordId: filed.id };
    }
    const stored = (await this.deps.records.transcript(conversationId, TRANSCRIPT_AT_ESCALATION)).map((e) => e.activity);
    const transcript = [...stored, ...pendingTranscript(context)].slice(-TRANSCRIPT_AT_ESCALATION);
    // Written before the person is told anything (SPEC §5.2.1): this resolves only after the insert.
    const escalation = await this.deps.records.insertEscalation({
      reference,
      userName: context.activity.from.name ?? null,
      reason: request.reason,
      diagnostics: request.record,
      transcript,
      lastMessage: context.activity.type === ActivityTypes.Message && typeof context.activity.text === 'string' ? context.activity.text.trim() || undefined : undefined,
      now: this.now(),
      timeoutS: this.deps.timeoutS,
    });
    const position = await this.deps.records.position(escalation);
    const summary = summarize(escalation, position);
    this.deps.log.info({ escalationId: escalation.id, conversationId, reason: request.reason, position }, 'escalation requested');
    await this.deps.feed.publish({ type: 'escalation.created', escalation: summary });
    this.deps.webhook?.notify(summary);
    // For contact-centre hubs, on channels that can have one; Teams refuses the event's JSON attachment.
    if (capabilitiesOf(whereOf(context)).handoffEvents) {
      try {
        await context.sendActivity(EventFactory.createHandoffInitiation(context, request.record, { activities: transcript.filter(isActivity) }));
      } catch (error) {
        this.deps.log.warn({ err: error, escalationId: escalation.id }, 'handoff.initiate event not delivered');
      }
    }
    return { status: 'requested', escalationId: escalation.id, position, wait: online ? await this.waitFor(position, online.length) : undefined };
  }

  /** An honest estimate: the median claim time of recent escalations, scaled by the place in the queue and the staff online. */
  private async waitFor(position: number, online: number): Promise<StaffWait> {
    const waits = (await this.deps.records.recentClaimWaits()).sort((a, b) => a - b);
    const median = waits.length >= 3 ? waits[Math.floor(waits.length / 2)] : undefined;
    if (median === undefined) return { online };
    return { online, estimateMinutes: Math.max(1, Math.ceil((median * Math.ceil(position / Math.max(online, 1))) / 60)) };
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
      now: this.now(),
    };
    // A record filed for this problem by a turn that never finished (the process died before the
    // conversation saved it, so the person was never told) is filed again in place, not twice.
    const latest = await this.deps.records.latestSupportRecordFor(conversationId);
    const unfinished = latest && latest.reason === request.reason && latest.createdAt >= request.record.createdAt && !request.record.escalations.some((e) => e.id === latest.id);
    const record = unfinished ? await this.deps.records.refileSupportRecord(latest.id, input) : await this.deps.records.insertSupportRecord(input);
    this.deps.log.info({ supportRecordId: record.id, conversationId, reason: request.reason, refiled: Boolean(unfinished) }, 'support record filed');
    await this.deps.feed.publish({ type: 'support-record.created', supportRecordId: record.id, conversationId: record.conversationId });
    return { status: 'filed', id: record.id };
  }

  async recordStepOutcome(context: TurnContext, step: { adviceId: string; outcome: StepOutcome; record: DiagnosticsRecord }): Promise<void> {
    this.noteOutcome(context, step.adviceId, step.outcome, 'bot', step.record);
  }

  /** The reports read step outcomes from the transcript row of the answer. */
  private noteOutcome(context: TurnContext, adviceId: string, outcome: StepOutcome, givenBy: 'bot' | 'staff', record: DiagnosticsRecord): void {
    if (!noteStepOutcome(context, { adviceId, outcome, givenBy, os: record.facts.os, browser: record.facts.browser })) {
      this.deps.log.warn({ conversationId: context.activity.conversation.id }, 'step outcome not noted for reports: the turn is not logged');
    }
  }

  async report(from: Date, to: Date): Promise<Report> {
    return this.deps.records.report(from, to);
  }

  async queueStatus(context: TurnContext): Promise<QueueStatus | undefined> {
    const latest = await this.deps.records.latestFor(context.activity.conversation.id);
    if (latest?.status === 'waiting') return { state: 'waiting', position: await this.deps.records.position(latest) };
    if (latest?.status === 'claimed' && latest.hubState === 'accepted') return { state: 'with-hub' };
    if (latest?.status === 'claimed' && latest.claimedBy) return { state: 'claimed', staffName: latest.claimedBy };
    return undefined;
  }

  // ——— The turn gate (runs before the dialogs) ———

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
          await this.deps.records.logSatisfaction({ conversationId, escalationId: feedback.escalationId, after: feedback.after, rating: answer, now: this.now() });
          this.deps.log.info({ conversationId, rating: answer, after: feedback.after }, 'satisfaction recorded');
        }
        await context.sendActivity(answer === 'skip' ? dialogTexts.feedback.skipped : dialogTexts.feedback.thanks);
        return true;
      }
      // Anything else passes the question over and is handled as usual.
    }
    // Only a conversation that called staff has an escalation to look up: its record lists each
    // one it was told about. This keeps the escalation tables off every other turn.
    const escalation = record?.escalations.some((e) => e.kind === 'staff-now' && e.id) ? await this.deps.records.latestFor(conversationId) : undefined;
    if (escalation && record) syncRecord(record, escalation);

    if (escalation && text && (escalation.status === 'waiting' || escalation.status === 'claimed')) {
      // The queue shows the latest words of everyone waiting or with staff.
      await this.deps.records.setLastMessage(escalation.id, text, this.now());
      await this.deps.feed.publish({ type: 'message', escalationId: escalation.id, conversationId, from: 'person', name: activity.from.name ?? null, text, at: this.now().toISOString() });
    }
    if (escalation?.status === 'claimed') {
      const understood = understand(text);
      if (understood.command === 'status' || understood.command === 'restart') return false;
      // An answer to a step staff sent is recorded like any step's; it is still relayed.
      const outcome = understood.answer === 'fixed' || understood.answer === 'not-fixed' || understood.answer === 'already-tried' ? understood.answer : undefined;
      if (outcome && record && escalation.pendingAdvice && (await this.deps.records.takePendingAdvice(escalation.id, escalation.pendingAdvice))) {
        recordStep(record, escalation.pendingAdvice, outcome, this.now());
        this.noteOutcome(context, escalation.pendingAdvice, outcome, 'staff', record);
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
    const outcome = await this.requestStaff(context, { reason: 'human-requested', record });
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
      await this.deps.records.setSolved(escalation.id, 'no-answer', this.now());
      return false;
    }
    if (!(await this.deps.records.setSolved(escalation.id, solved, this.now()))) return false;
    // Solved ends this problem (the next message starts a new one); not solved keeps it open.
    if (record && solved === 'yes') {
      record.resolution = 'fixed';
      record.updatedAt = this.now().toISOString();
    }
    this.deps.log.info({ escalationId: escalation.id, solved }, 'solved answer recorded');
    await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize({ ...escalation, solved }) });
    await context.sendActivity(solved === 'yes' ? escalationTexts.solvedYes : escalationTexts.solvedNo);
    if (record) {
      await context.sendActivity(feedbackActivity(whereOf(context)));
      record.feedback = { askedAt: this.now().toISOString(), after: 'staff', escalationId: escalation.id };
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
    const record = await this.deps.records.latestSupportRecordFor(context.activity.conversation.id);
    if (!record) return false;
    if (!prefixed && (record.followUp !== 'asked' || !told.has(record.id))) return false;
    const understood = prefixed ? undefined : understand(text);
    if (understood?.command) {
      await this.deps.records.endSupportFollowUp(record.id, this.now());
      return false;
    }
    if (understood && isDecline(understood)) {
      // "No" / "I don't know" to "anything to add?" is not a description.
      await this.deps.records.endSupportFollowUp(record.id, this.now());
      await context.sendActivity(escalationTexts.nothingAdded(record.id));
      return true;
    }
    const body = prefixed?.[2]?.trim() ?? text;
    if (!body) return false;
    const isContact = prefixed?.[1]?.toLowerCase() === 'contact';
    const contact = isContact ? body : findContactHandle(body);
    const added = await this.deps.records.addSupportDetails(record.id, { description: isContact ? undefined : body, contact }, this.now());
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
    const now = this.now();
    // The hub speaks for the channel; the person cannot accept, fail or close their own hand-off.
    const latest = await this.deps.records.latestFor(activity.conversation.id);
    if (latest && activity.from?.id && activity.from.id === latest.reference.user?.id) {
      this.deps.log.warn({ conversationId: activity.conversation.id, escalationId: latest.id, state }, 'handoff status from the person themselves ignored');
      return;
    }
    const escalation = await this.deps.records.setHubState(activity.conversation.id, state, now);
    this.deps.log.info({ conversationId: activity.conversation.id, escalationId: escalation?.id, state, hubMessage: message }, 'handoff status from hub');
    if (!escalation) return;
    const open = escalation.status === 'waiting' || escalation.status === 'claimed' ? escalation.status : undefined;
    let changed: Escalation | undefined;

    if (state === 'accepted' && escalation.status === 'waiting' && (await this.deps.records.claim(escalation.id, escalationTexts.hubName, now))) {
      changed = await this.require(escalation.id);
      await this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(changed) });
      await context.sendActivity(escalationTexts.hubAccepted);
      this.queueMoved(escalation);
    } else if (state === 'failed' && open) {
      const result = await this.deps.records.timeOut(escalation.id, now, open);
      if (result) {
        changed = { ...result.escalation, status: 'timed-out' };
        await this.deps.feed.publish({ type: 'escalation.timed-out', escalation: summarize(changed) });
        await this.deps.feed.publish({ type: 'support-record.created', supportRecordId: result.supportRecord.id, conversationId: result.supportRecord.conversationId });
        await context.sendActivity(escalationTexts.hubFailed(result.supportRecord.id));
        if (escalation.status === 'waiting') this.queueMoved(escalation);
      }
    } else if (state === 'completed' && open && (await this.deps.records.close(escalation.id, open, escalationTexts.hubName, now))) {
      changed = await this.require(escalation.id);
      await this.deps.feed.publish({ type: 'escalation.closed', escalation: summarize(changed) });
      await context.sendActivity(solvedQuestion(changed, escalationTexts.hubCompleted));
      if (escalation.status === 'waiting') this.queueMoved(escalation);
    }

    if (!changed) {
      await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize(escalation) });
      return;
    }
    const record = await records.get(context);
    if (record) syncRecord(record, changed);
  }

  // ——— The staff side (called by the staff API) ———

  async list(status?: EscalationStatus): Promise<QueueItem[]> {
    const [escalations, positions] = await Promise.all([this.deps.records.listDetailed(status), this.positions()]);
    return Promise.all(
      escalations.map(async ({ diagnostics, ...e }) => ({ ...summarize(e, positions.get(e.id)), brief: briefOf(e, (await this.liveRecord(e)) ?? diagnostics) })),
    );
  }

  async get(id: string): Promise<EscalationView> {
    const escalation = await this.deps.records.get(id);
    if (!escalation) throw new AppError('NOT_FOUND', `No escalation ${id}.`);
    const { diagnostics, transcript, ...rest } = escalation;
    const [position, live, notes, satisfaction] = await Promise.all([this.deps.records.position(rest), this.liveRecord(rest), this.deps.records.notes(id), this.deps.records.satisfactionFor(id)]);
    const record = live ?? diagnostics;
    // The rules run again on the facts as they are now (memoised): the trace is diagnose()'s own.
    const trace = record ? explain(await (this.deps.diagnose ?? defaultDiagnose)(record.facts), record) : [];
    return { ...summarize(rest, position), brief: briefOf(rest, record), diagnostics, transcript, notes, trace, satisfaction };
  }

  /** Every label the console shows, from the same source as the bot's own cards. */
  labels() {
    return {
      facts: factLabels, values: labels, os: osNames, browsers: browserNames, roles: roleLabels, sources: sourceLabels,
      outcomes: outcomeLabels, reasons: reasonLabels, errors: errorLabels, ratings: { good: dialogTexts.feedback.buttons.good, ok: dialogTexts.feedback.buttons.ok, poor: dialogTexts.feedback.buttons.poor }, escalations: escalationLabels, dismissReasons: staffLabels.dismissReasons,
      advice: Object.fromEntries(allAdvice().map((a) => [a.id, a.title])),
    };
  }

  /** The advice library, for canned replies: every piece whose title or text contains `query`. */
  advice(query?: string): { id: string; title: string; text: string }[] {
    const words = query?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
    return allAdvice()
      .filter((a) => words.every((w) => a.title.toLowerCase().includes(w) || a.text.toLowerCase().includes(w) || a.id.includes(w)))
      .map((a) => ({ id: a.id, title: a.title, text: a.text }));
  }

  async claim(id: string, staffName: string): Promise<EscalationSummary> {
    const before = await this.require(id);
    if (!(await this.deps.records.claim(id, staffName, this.now()))) {
      const current = await this.require(id);
      throw new AppError('CONFLICT', current.status === 'claimed' ? `Already claimed by ${current.claimedBy ?? 'someone else'}.` : `The escalation is ${current.status}.`);
    }
    const claimed = await this.require(id);
    this.deps.log.info({ escalationId: id, staff: staffName }, 'escalation claimed');
    this.deps.observer?.claimed(secondsBetween(claimed.createdAt, claimed.claimedAt ?? claimed.createdAt));
    await this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(claimed) });
    await this.tell(claimed, [{ type: 'message', text: escalationTexts.staffJoined(staffName) }]);
    this.queueMoved(before);
    return summarize(claimed);
  }

  async relayToPerson(id: string, staffName: string, text: string): Promise<{ escalationId: string; at: string }> {
    const escalation = await this.require(id);
    if (escalation.status !== 'claimed') throw new AppError('CONFLICT', `The escalation is ${escalation.status}; claim it first.`);
    if (escalation.claimedBy !== staffName) throw new AppError('FORBIDDEN', `${escalation.claimedBy ?? 'Someone else'} has claimed this escalation.`);
    const at = this.now().toISOString();
    try {
      await this.deps.messenger.send(escalation.reference, [
        // The local web chat shows it as from the staff member (name, text); other channels show the bot with the name in front.
        { type: 'message', text: escalationTexts.staffMessage(staffName, text), channelData: { staff: { name: staffName, text } } },
      ]);
    } catch (error) {
      this.deps.log.warn({ err: error, escalationId: id }, 'staff message not delivered');
      throw new AppError('DELIVERY_FAILED', 'The message could not be delivered to the person.', { cause: error });
    }
    if (await this.deps.records.markFirstStaffReply(id, new Date(at))) this.deps.observer?.firstStaffReply(secondsBetween(escalation.createdAt, at));
    await this.deps.feed.publish({ type: 'message', escalationId: id, conversationId: escalation.conversationId, from: 'staff', name: staffName, text, at });
    return { escalationId: id, at };
  }

  /**
   * Staff ask the person's page to run the device check again. The page asks the person before it
   * runs; the reading lands in the conversation's diagnostics record with its verdict.
   */
  async requestCheck(id: string, staffName: string): Promise<{ escalationId: string; checkId: string; at: string }> {
    const escalation = await this.require(id);
    if (escalation.status !== 'claimed') throw new AppError('CONFLICT', `The escalation is ${escalation.status}; claim it first.`);
    if (escalation.claimedBy !== staffName) throw new AppError('FORBIDDEN', `${escalation.claimedBy ?? 'Someone else'} has claimed this escalation.`);
    const { requestCheck } = this.deps;
    const run = this.deps.messenger.run?.bind(this.deps.messenger);
    if (!requestCheck || !run) throw new AppError('BOT_UNAVAILABLE', 'This bot cannot ask the page to run its check.');
    let checkId: string | undefined;
    try {
      await run(escalation.reference, async (context) => {
        checkId = (await requestCheck(context, staffName)).checkId;
      });
    } catch (error) {
      this.deps.log.warn({ err: error, escalationId: id }, 'check request not delivered');
      throw new AppError('DELIVERY_FAILED', 'The check request could not be delivered to the person.', { cause: error });
    }
    if (!checkId) throw new AppError('DELIVERY_FAILED', 'The check request could not be delivered to the person.');
    this.deps.log.info({ escalationId: id, staff: staffName, checkId }, 'staff asked for a check');
    return { escalationId: id, checkId, at: this.now().toISOString() };
  }

  /** Ends a conversation the staff member holds; an unclaimed one is dismissed instead (nobody spoke to the person). */
  async close(id: string, staffName: string): Promise<EscalationSummary> {
    const escalation = await this.require(id);
    if (escalation.status === 'waiting') throw new AppError('CONFLICT', 'Nobody has claimed this escalation: dismiss it with a reason instead.');
    if (escalation.status === 'claimed' && escalation.claimedBy !== staffName) {
      throw new AppError('FORBIDDEN', `${escalation.claimedBy ?? 'Someone else'} has claimed this escalation.`);
    }
    if (escalation.status !== 'claimed' || !(await this.deps.records.close(id, escalation.status, staffName, this.now()))) {
      throw new AppError('CONFLICT', `The escalation is already ${(await this.require(id)).status}.`);
    }
    const closed = await this.require(id);
    this.deps.log.info({ escalationId: id, staff: staffName }, 'escalation closed');
    await this.deps.feed.publish({ type: 'escalation.closed', escalation: summarize(closed) });
    await this.tell(closed, [solvedQuestion(closed, escalationTexts.staffClosed(staffName))]);
    return summarize(closed);
  }

  /** Takes an unclaimed escalation out of the queue; the person is told why in words that fit the reason. */
  async dismiss(id: string, staffName: string, reason: DismissReason): Promise<EscalationSummary> {
    const escalation = await this.require(id);
    if (escalation.status !== 'waiting' || !(await this.deps.records.dismiss(id, staffName, reason, this.now()))) {
      const current = await this.require(id);
      throw new AppError('CONFLICT', current.status === 'claimed' ? `${current.claimedBy ?? 'Someone'} is with this person: only they can close it.` : `The escalation is already ${current.status}.`);
    }
    const dismissed = await this.require(id);
    this.deps.log.info({ escalationId: id, staff: staffName, reason }, 'escalation dismissed');
    await this.deps.feed.publish({ type: 'escalation.closed', escalation: summarize(dismissed) });
    const message = escalationTexts.dismissed[reason];
    if (message) await this.tell(dismissed, [{ type: 'message', text: message }]);
    this.queueMoved(escalation);
    return summarize(dismissed);
  }

  /** The claimant hands the person back to the queue, at their old place. */
  async release(id: string, staffName: string): Promise<EscalationSummary> {
    await this.requireHeldBy(id, staffName);
    if (!(await this.deps.records.release(id, staffName, this.now(), this.deps.timeoutS))) throw new AppError('CONFLICT', 'The escalation changed meanwhile; reload it.');
    const released = await this.require(id);
    const position = await this.deps.records.position(released);
    this.deps.log.info({ escalationId: id, staff: staffName }, 'escalation released');
    await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize(released, position) });
    await this.tell(released, [{ type: 'message', text: escalationTexts.released(staffName, position) }]);
    return summarize(released, position);
  }

  /** The claimant passes the person to another staff member; the person is told who. */
  async transfer(id: string, staffName: string, to: string): Promise<EscalationSummary> {
    const target = this.deps.staffNames?.find((n) => n === to);
    if (!target) throw new AppError('BAD_REQUEST', `No staff member is called ${to}.`);
    if (target === staffName) throw new AppError('BAD_REQUEST', 'You already hold this escalation.');
    await this.requireHeldBy(id, staffName);
    if (!(await this.deps.records.transfer(id, staffName, target, this.now()))) throw new AppError('CONFLICT', 'The escalation changed meanwhile; reload it.');
    const moved = await this.require(id);
    this.deps.log.info({ escalationId: id, from: staffName, to: target }, 'escalation transferred');
    await this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(moved) });
    await this.tell(moved, [{ type: 'message', text: escalationTexts.transferred(staffName, target) }]);
    return summarize(moved);
  }

  /** An ended escalation (closed, dismissed, timed out) taken up again by this staff member. */
  async reopen(id: string, staffName: string): Promise<EscalationSummary> {
    const escalation = await this.require(id);
    if ((escalation.status !== 'closed' && escalation.status !== 'timed-out') || !(await this.deps.records.reopen(id, staffName, this.now()))) {
      throw new AppError('CONFLICT', `The escalation is ${(await this.require(id)).status}; only an ended one can be reopened.`);
    }
    const open = await this.deps.records.latestFor(escalation.conversationId);
    if (open && open.id !== id && (open.status === 'waiting' || open.status === 'claimed')) {
      this.deps.log.warn({ escalationId: id, newer: open.id }, 'reopened while a newer escalation is open');
    }
    const reopened = await this.require(id);
    this.deps.log.info({ escalationId: id, staff: staffName }, 'escalation reopened');
    await this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(reopened) });
    await this.tell(reopened, [{ type: 'message', text: escalationTexts.reopened(staffName) }]);
    return summarize(reopened);
  }

  /**
   * A piece of advice sent as the bot's own step message (with its `adviceId` and the step
   * buttons), marked as sent for the staff member; the person's answer is recorded as a step.
   */
  async sendAdvice(id: string, staffName: string, adviceId: string): Promise<{ escalationId: string; adviceId: string; at: string }> {
    const advice = getAdvice(adviceId);
    if (!advice) throw new AppError('BAD_REQUEST', `No advice ${adviceId}.`);
    const escalation = await this.requireHeldBy(id, staffName);
    const message = adviceActivity(whereReferenced(escalation.reference), advice, 'step', escalationTexts.staffAdvice(staffName));
    message.channelData = { ...message.channelData, staff: { name: staffName } };
    await this.deps.records.setPendingAdvice(id, advice.id);
    try {
      await this.deps.messenger.send(escalation.reference, [message]);
    } catch (error) {
      await this.deps.records.setPendingAdvice(id, null);
      this.deps.log.warn({ err: error, escalationId: id }, 'staff advice not delivered');
      throw new AppError('DELIVERY_FAILED', 'The message could not be delivered to the person.', { cause: error });
    }
    const at = this.now().toISOString();
    if (await this.deps.records.markFirstStaffReply(id, new Date(at))) this.deps.observer?.firstStaffReply(secondsBetween(escalation.createdAt, at));
    await this.deps.feed.publish({ type: 'message', escalationId: id, conversationId: escalation.conversationId, from: 'staff', name: staffName, text: advice.title, at });
    return { escalationId: id, adviceId: advice.id, at };
  }

  /** An internal note on an escalation or a support record: staff only, never sent to the person. */
  async addNote(kind: 'escalation' | 'support-record', subjectId: string, staffName: string, text: string): Promise<StaffNote> {
    const subject = kind === 'support-record' ? await this.deps.records.getSupportRecord(subjectId) : await this.deps.records.get(subjectId);
    if (!subject) throw new AppError('NOT_FOUND', `No escalation or support record ${subjectId}.`);
    const note = await this.deps.records.addNote(subjectId, staffName, text, this.now());
    if ('followUp' in subject) await this.deps.feed.publish({ type: 'support-record.updated', supportRecordId: subject.id, conversationId: subject.conversationId });
    else await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize(subject) });
    return note;
  }

  async supportRecords(filter: { status?: SupportRecordStatus; text?: string } = {}): Promise<SupportRecord[]> {
    return this.deps.records.listSupportRecords(filter);
  }

  async supportRecord(id: string): Promise<SupportRecordView> {
    const record = await this.deps.records.getSupportRecord(id);
    if (!record) throw new AppError('NOT_FOUND', `No support record ${id}.`);
    return { ...record, notes: await this.deps.records.notes(id) };
  }

  async setSupportRecordStatus(id: string, staffName: string, status: SupportRecordStatus): Promise<SupportRecord> {
    const record = await this.deps.records.setSupportRecordStatus(id, status, staffName, this.now());
    if (!record) throw new AppError('NOT_FOUND', `No support record ${id}.`);
    this.deps.log.info({ supportRecordId: id, staff: staffName, status }, 'support record status set');
    await this.deps.feed.publish({ type: 'support-record.updated', supportRecordId: id, conversationId: record.conversationId });
    return record;
  }

  async diagnostics(conversationId: string): Promise<DiagnosticsRecord> {
    const channelId = await this.deps.records.channelOf(conversationId);
    const live = channelId ? await this.deps.readDiagnostics?.(channelId, conversationId) : undefined;
    const record = live ?? (await this.deps.records.latestDiagnosticsSnapshot(conversationId));
    if (!record) throw new AppError('NOT_FOUND', `No diagnostics for conversation ${conversationId}.`);
    return record;
  }

  async transcript(conversationId: string): Promise<TranscriptEntry[]> {
    const entries = await this.deps.records.transcript(conversationId);
    if (entries.length === 0) throw new AppError('NOT_FOUND', `No transcript for conversation ${conversationId}.`);
    return entries;
  }

  // ——— The no-staff fallback (called by the timeout poller) ———

  /** Times out every waiting escalation past its due time; returns how many this instance handled. */
  async timeOutDue(): Promise<number> {
    let handled = 0;
    for (const id of await this.deps.records.due(this.now())) {
      const result = await this.deps.records.timeOut(id, this.now());
      if (!result) continue; // another instance got there first
      handled++;
      const { escalation, supportRecord } = result;
      this.deps.log.info({ escalationId: id, supportRecordId: supportRecord.id }, 'escalation timed out; support record filed');
      await this.deps.feed.publish({ type: 'escalation.timed-out', escalation: summarize({ ...escalation, status: 'timed-out' }) });
      await this.deps.feed.publish({ type: 'support-record.created', supportRecordId: supportRecord.id, conversationId: supportRecord.conversationId });
      // "Let's carry on with the steps": the pending step follows at once.
      await this.tell(escalation, [{ type: 'message', text: escalationTexts.timedOut(supportRecord.id) }], { reprompt: true });
      this.queueMoved(escalation);
    }
    return handled;
  }

  /** Waits for background sends (queue updates) to finish: tests and shutdown. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  // ——— internals ———

  private async require(id: string): Promise<Escalation> {
    const escalation = await this.deps.records.get(id);
    if (!escalation) throw new AppError('NOT_FOUND', `No escalation ${id}.`);
    const { diagnostics: _d, transcript: _t, ...rest } = escalation;
    return rest;
  }

  /** A claimed escalation this staff member holds, or the error that says why not. */
  private async requireHeldBy(id: string, staffName: string): Promise<Escalation> {
    const escalation = await this.require(id);
    if (escalation.status !== 'claimed') throw new AppError('CONFLICT', `The escalation is ${escalation.status}; claim it first.`);
    if (escalation.claimedBy !== staffName) throw new AppError('FORBIDDEN', `${escalation.claimedBy ?? 'Someone else'} has claimed this escalation.`);
    return escalation;
  }

  /** The conversation's diagnostics as they are now (bot state), for an escalation still open. */
  private async liveRecord(escalation: Escalation): Promise<DiagnosticsRecord | undefined> {
    if (escalation.status !== 'waiting' && escalation.status !== 'claimed') return undefined;
    try {
      return await this.deps.readDiagnostics?.(escalation.channelId, escalation.conversationId);
    } catch (error) {
      this.deps.log.warn({ err: error, escalationId: escalation.id }, 'live diagnostics not readable; using the snapshot');
      return undefined;
    }
  }

  private async positions(): Promise<Map<string, number>> {
    const queue = await this.deps.records.queue();
    return new Map(queue.map((e, i) => [e.id, i + 1]));
  }

  /** A proactive message to the person; a failure is logged, never thrown at the staff member. */
  private async tell(escalation: Escalation, activities: Partial<Activity>[], options?: { reprompt?: boolean }): Promise<void> {
    try {
      await this.deps.messenger.send(escalation.reference, activities, options);
    } catch (error) {
      this.deps.log.warn({ err: error, escalationId: escalation.id }, 'proactive message not delivered');
    }
  }

  /** Someone left the queue: everyone who was behind them moves up one and is told, in the background. */
  private queueMoved(left: Escalation): void {
    const task = (async () => {
      const queue = await this.deps.records.queue();
      for (const [i, waiting] of queue.entries()) {
        const wasBehind = waiting.createdAt > left.createdAt || (waiting.createdAt === left.createdAt && waiting.id > left.id);
        if (wasBehind) await this.tell(waiting, [{ type: 'message', text: escalationTexts.queuePosition(i + 1) }], { reprompt: true });
      }
    })()
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'queue position updates failed'))
      .finally(() => this.background.delete(task));
    this.background.add(task);
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

/** "Is your problem solved now?" with Yes / No buttons as the person's channel shows them. */
function solvedQuestion(escalation: Escalation, text: string): Partial<Activity> {
  const { yes, no } = escalationTexts.solvedButtons;
  return withChoices(whereReferenced(escalation.reference), { type: 'message', text }, [yes, no]);
}

function isDecline(understanding: Understanding): boolean {
  const bare = Object.keys(understanding.facts).length === 0;
  return bare && (understanding.answer === 'no' || understanding.answer === 'dont-know' || understanding.answer === 'not-fixed');
}

function isActivity(value: Partial<Activity>): value is Activity {
  return typeof value.type === 'string' && value.conversation !== undefined && value.from !== undefined && value.recipient !== undefined;
}

