import type { TurnContext } from 'botbuilder';
import { adviceActivity, whereReferenced } from '../../dialogs';
import {
  allAdvice, browserNames, diagnose as defaultDiagnose, errorLabels, escalationLabels, factLabels, getAdvice, osNames, outcomeLabels, ratingLabels, reasonLabels, roleLabels, sourceLabels, valueLabels,
  type DiagnosticsRecord, type Diagnosis, type Facts,
} from '../diagnosis';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { briefOf, type EscalationBrief } from './brief';
import { summarize, type EscalationSummary } from './feed';
import { solvedQuestion, type PersonNotices } from './notices';
import type { ProactiveMessenger } from './proactive';
import type { Escalation, EscalationDetail, EscalationStatus, SatisfactionRating, StaffNote } from './escalationRepository';
import type { SupportRecord, SupportRecordRepository, SupportRecordStatus } from './supportRecordRepository';
import type { TranscriptEntry, TranscriptRepository } from './transcriptRepository';
import type { Report } from './reports';
import { requireEscalation, requireHeldBy, type RoleDeps } from './roles';
import { escalationTexts, staffLabels, type DismissReason } from './texts';
import { explain, type TraceItem } from './trace';
import { secondsBetween } from '../timestamps';

export interface StaffDeskDeps extends RoleDeps {
  supportRecords: SupportRecordRepository;
  transcripts: TranscriptRepository;
  messenger: ProactiveMessenger;
  notices: PersonNotices;
  /** Seconds a released request waits for a claim again before the no-staff fallback. */
  timeoutS: number;
  /** The live diagnostics record of a conversation (bot state); escalation's snapshot otherwise. */
  readDiagnostics?: (channelId: string, conversationId: string) => Promise<DiagnosticsRecord | undefined>;
  /** The bot's side of a staff check: records the request and asks the person's page (in a proactive turn). */
  requestCheck?: StaffCheckRequester;
  /** The bot's own diagnoser, for the rule trace staff read; the default rule set otherwise. */
  diagnose?: (facts: Facts) => Promise<Diagnosis>;
  /** Names of every configured staff member (transfer targets). */
  staffNames?: readonly string[];
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

/**
 * The staff side of escalation (SPEC §5.2), as the staff API calls it: the queue and what it
 * shows, claim, reply, close, dismiss, release, transfer, reopen, advice, notes and the reads.
 * Every state change is a compare-and-set in the store, so several instances serve one queue.
 */
export class StaffDesk {
  constructor(private readonly deps: StaffDeskDeps) {}

  /** This desk writing its lines to `log` (one staff request's, which carry its id). */
  withLog(log: Logger): StaffDesk {
    return new StaffDesk({ ...this.deps, log });
  }

  async list(status?: EscalationStatus): Promise<QueueItem[]> {
    const [escalations, positions] = await Promise.all([this.deps.escalations.listDetailed(status), this.positions()]);
    return Promise.all(
      escalations.map(async ({ diagnostics, ...e }) => ({ ...summarize(e, positions.get(e.id)), brief: briefOf(e, (await this.liveRecord(e)) ?? diagnostics) })),
    );
  }

  async get(id: string): Promise<EscalationView> {
    const escalation = await this.deps.escalations.get(id);
    if (!escalation) throw new AppError('NOT_FOUND', `No escalation ${id}.`);
    const { diagnostics, transcript, ...rest } = escalation;
    const [position, live, notes, satisfaction] = await Promise.all([this.deps.escalations.position(rest), this.liveRecord(rest), this.deps.escalations.notes(id), this.deps.escalations.satisfactionFor(id)]);
    const record = live ?? diagnostics;
    // The rules run again on the facts as they are now (memoised): the trace is diagnose()'s own.
    const trace = record ? explain(await (this.deps.diagnose ?? defaultDiagnose)(record.facts), record) : [];
    return { ...summarize(rest, position), brief: briefOf(rest, record), diagnostics, transcript, notes, trace, satisfaction };
  }

  /** Every label the console shows, from the same source as the bot's own cards. */
  labels() {
    return {
      facts: factLabels, values: valueLabels, os: osNames, browsers: browserNames, roles: roleLabels, sources: sourceLabels,
      outcomes: outcomeLabels, reasons: reasonLabels, errors: errorLabels, ratings: { ...ratingLabels }, escalations: escalationLabels, dismissReasons: staffLabels.dismissReasons,
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
    const claimed = await this.deps.escalations.claim(id, staffName, this.deps.now());
    if (!claimed) {
      const current = await requireEscalation(this.deps.escalations, id);
      throw new AppError('CONFLICT', current.status === 'claimed' ? `Already claimed by ${current.claimedBy ?? 'someone else'}.` : `The escalation is ${current.status}.`);
    }
    this.deps.log.info({ escalationId: id, staff: staffName }, 'escalation claimed');
    this.deps.observer?.claimed(secondsBetween(claimed.createdAt, claimed.claimedAt ?? claimed.createdAt));
    // Staff's feed and the person are told at once (neither throws).
    await Promise.all([
      this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(claimed) }),
      this.deps.notices.tell(claimed, [{ type: 'message', text: escalationTexts.staffJoined(staffName) }]),
    ]);
    // Only a waiting escalation can be claimed: it left the queue.
    this.deps.notices.queueMoved(claimed);
    return summarize(claimed);
  }

  async relayToPerson(id: string, staffName: string, text: string): Promise<{ escalationId: string; at: string }> {
    const escalation = await requireEscalation(this.deps.escalations, id);
    if (escalation.status !== 'claimed') throw new AppError('CONFLICT', `The escalation is ${escalation.status}; claim it first.`);
    if (escalation.claimedBy !== staffName) throw new AppError('FORBIDDEN', `${escalation.claimedBy ?? 'Someone else'} has claimed this escalation.`);
    const at = this.deps.now().toISOString();
    try {
      await this.deps.messenger.send(escalation.reference, [
        // The local web chat shows it as from the staff member (name, text); other channels show the bot with the name in front.
        { type: 'message', text: escalationTexts.staffMessage(staffName, text), channelData: { staff: { name: staffName, text } } },
      ]);
    } catch (error) {
      this.deps.log.warn({ err: error, escalationId: id }, 'staff message not delivered');
      throw new AppError('DELIVERY_FAILED', 'The message could not be delivered to the person.', { cause: error });
    }
    const [first] = await Promise.all([
      this.deps.escalations.markFirstStaffReply(id, new Date(at)),
      this.deps.feed.publish({ type: 'message', escalationId: id, conversationId: escalation.conversationId, from: 'staff', name: staffName, text, at }),
    ]);
    if (first) this.deps.observer?.firstStaffReply(secondsBetween(escalation.createdAt, at));
    return { escalationId: id, at };
  }

  /**
   * Staff ask the person's page to run the device check again. The page asks the person before it
   * runs; the reading lands in the conversation's diagnostics record with its verdict.
   */
  async requestCheck(id: string, staffName: string): Promise<{ escalationId: string; checkId: string; at: string }> {
    const escalation = await requireEscalation(this.deps.escalations, id);
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
    return { escalationId: id, checkId, at: this.deps.now().toISOString() };
  }

  /** Ends a conversation the staff member holds; an unclaimed one is dismissed instead (nobody spoke to the person). */
  async close(id: string, staffName: string): Promise<EscalationSummary> {
    // The claimant closing what they hold, in one statement; only a refusal reads the row to say why.
    const closed = await this.deps.escalations.close(id, 'claimed', staffName, this.deps.now(), staffName);
    if (!closed) {
      const escalation = await requireEscalation(this.deps.escalations, id);
      if (escalation.status === 'waiting') throw new AppError('CONFLICT', 'Nobody has claimed this escalation: dismiss it with a reason instead.');
      if (escalation.status === 'claimed' && escalation.claimedBy !== staffName) {
        throw new AppError('FORBIDDEN', `${escalation.claimedBy ?? 'Someone else'} has claimed this escalation.`);
      }
      throw new AppError('CONFLICT', escalation.status === 'claimed' ? 'The escalation changed meanwhile; reload it.' : `The escalation is already ${escalation.status}.`);
    }
    this.deps.log.info({ escalationId: id, staff: staffName }, 'escalation closed');
    // Staff's feed and the person are told at once (neither throws).
    await Promise.all([
      this.deps.feed.publish({ type: 'escalation.closed', escalation: summarize(closed) }),
      this.deps.notices.tell(closed, [solvedQuestion(closed, escalationTexts.staffClosed(staffName))]),
    ]);
    return summarize(closed);
  }

  /** Takes an unclaimed escalation out of the queue; the person is told why in words that fit the reason. */
  async dismiss(id: string, staffName: string, reason: DismissReason): Promise<EscalationSummary> {
    const escalation = await requireEscalation(this.deps.escalations, id);
    const dismissed = escalation.status === 'waiting' ? await this.deps.escalations.dismiss(id, staffName, reason, this.deps.now()) : undefined;
    if (!dismissed) {
      const current = await requireEscalation(this.deps.escalations, id);
      throw new AppError('CONFLICT', current.status === 'claimed' ? `${current.claimedBy ?? 'Someone'} is with this person: only they can close it.` : `The escalation is already ${current.status}.`);
    }
    this.deps.log.info({ escalationId: id, staff: staffName, reason }, 'escalation dismissed');
    await this.deps.feed.publish({ type: 'escalation.closed', escalation: summarize(dismissed) });
    const message = escalationTexts.dismissed[reason];
    if (message) await this.deps.notices.tell(dismissed, [{ type: 'message', text: message }]);
    this.deps.notices.queueMoved(escalation);
    return summarize(dismissed);
  }

  /** The claimant hands the person back to the queue, at their old place. */
  async release(id: string, staffName: string): Promise<EscalationSummary> {
    await requireHeldBy(this.deps.escalations, id, staffName);
    const released = await this.deps.escalations.release(id, staffName, this.deps.now(), this.deps.timeoutS);
    if (!released) throw new AppError('CONFLICT', 'The escalation changed meanwhile; reload it.');
    const position = await this.deps.escalations.position(released);
    this.deps.log.info({ escalationId: id, staff: staffName }, 'escalation released');
    await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize(released, position) });
    await this.deps.notices.tell(released, [{ type: 'message', text: escalationTexts.released(staffName, position) }]);
    return summarize(released, position);
  }

  /** The claimant passes the person to another staff member; the person is told who. */
  async transfer(id: string, staffName: string, to: string): Promise<EscalationSummary> {
    const target = this.deps.staffNames?.find((n) => n === to);
    if (!target) throw new AppError('BAD_REQUEST', `No staff member is called ${to}.`);
    if (target === staffName) throw new AppError('BAD_REQUEST', 'You already hold this escalation.');
    await requireHeldBy(this.deps.escalations, id, staffName);
    const moved = await this.deps.escalations.transfer(id, staffName, target, this.deps.now());
    if (!moved) throw new AppError('CONFLICT', 'The escalation changed meanwhile; reload it.');
    this.deps.log.info({ escalationId: id, from: staffName, to: target }, 'escalation transferred');
    await this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(moved) });
    await this.deps.notices.tell(moved, [{ type: 'message', text: escalationTexts.transferred(staffName, target) }]);
    return summarize(moved);
  }

  /** An ended escalation (closed, dismissed, timed out) taken up again by this staff member. */
  async reopen(id: string, staffName: string): Promise<EscalationSummary> {
    const escalation = await requireEscalation(this.deps.escalations, id);
    const reopened = escalation.status === 'closed' || escalation.status === 'timed-out' ? await this.deps.escalations.reopen(id, staffName, this.deps.now()) : undefined;
    if (!reopened) throw new AppError('CONFLICT', `The escalation is ${(await requireEscalation(this.deps.escalations, id)).status}; only an ended one can be reopened.`);
    const open = await this.deps.escalations.latestFor(escalation.conversationId);
    if (open && open.id !== id && (open.status === 'waiting' || open.status === 'claimed')) {
      this.deps.log.warn({ escalationId: id, newer: open.id }, 'reopened while a newer escalation is open');
    }
    this.deps.log.info({ escalationId: id, staff: staffName }, 'escalation reopened');
    await this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(reopened) });
    await this.deps.notices.tell(reopened, [{ type: 'message', text: escalationTexts.reopened(staffName) }]);
    return summarize(reopened);
  }

  /**
   * A piece of advice sent as the bot's own step message (with its `adviceId` and the step
   * buttons), marked as sent for the staff member; the person's answer is recorded as a step.
   */
  async sendAdvice(id: string, staffName: string, adviceId: string): Promise<{ escalationId: string; adviceId: string; at: string }> {
    const advice = getAdvice(adviceId);
    if (!advice) throw new AppError('BAD_REQUEST', `No advice ${adviceId}.`);
    const escalation = await requireHeldBy(this.deps.escalations, id, staffName);
    const message = adviceActivity(whereReferenced(escalation.reference), advice, 'step', escalationTexts.staffAdvice(staffName));
    message.channelData = { ...message.channelData, staff: { name: staffName } };
    await this.deps.escalations.setPendingAdvice(id, advice.id);
    try {
      await this.deps.messenger.send(escalation.reference, [message]);
    } catch (error) {
      await this.deps.escalations.setPendingAdvice(id, null);
      this.deps.log.warn({ err: error, escalationId: id }, 'staff advice not delivered');
      throw new AppError('DELIVERY_FAILED', 'The message could not be delivered to the person.', { cause: error });
    }
    const at = this.deps.now().toISOString();
    if (await this.deps.escalations.markFirstStaffReply(id, new Date(at))) this.deps.observer?.firstStaffReply(secondsBetween(escalation.createdAt, at));
    await this.deps.feed.publish({ type: 'message', escalationId: id, conversationId: escalation.conversationId, from: 'staff', name: staffName, text: advice.title, at });
    return { escalationId: id, adviceId: advice.id, at };
  }

  /** An internal note on an escalation or a support record: staff only, never sent to the person. */
  async addNote(kind: 'escalation' | 'support-record', subjectId: string, staffName: string, text: string): Promise<StaffNote> {
    const subject = kind === 'support-record' ? await this.deps.supportRecords.get(subjectId) : await this.deps.escalations.find(subjectId);
    if (!subject) throw new AppError('NOT_FOUND', `No escalation or support record ${subjectId}.`);
    const note = await this.deps.escalations.addNote(subjectId, staffName, text, this.deps.now());
    if ('followUp' in subject) await this.deps.feed.publish({ type: 'support-record.updated', supportRecordId: subject.id, conversationId: subject.conversationId });
    else await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize(subject) });
    return note;
  }

  async supportRecords(filter: { status?: SupportRecordStatus; text?: string } = {}): Promise<SupportRecord[]> {
    return this.deps.supportRecords.list(filter);
  }

  async supportRecord(id: string): Promise<SupportRecordView> {
    const record = await this.deps.supportRecords.get(id);
    if (!record) throw new AppError('NOT_FOUND', `No support record ${id}.`);
    return { ...record, notes: await this.deps.escalations.notes(id) };
  }

  async setSupportRecordStatus(id: string, staffName: string, status: SupportRecordStatus): Promise<SupportRecord> {
    const record = await this.deps.supportRecords.setStatus(id, status, staffName, this.deps.now());
    if (!record) throw new AppError('NOT_FOUND', `No support record ${id}.`);
    this.deps.log.info({ supportRecordId: id, staff: staffName, status }, 'support record status set');
    await this.deps.feed.publish({ type: 'support-record.updated', supportRecordId: id, conversationId: record.conversationId });
    return record;
  }

  async diagnostics(conversationId: string): Promise<DiagnosticsRecord> {
    const channelId = (await this.deps.transcripts.channelOf(conversationId)) ?? (await this.deps.escalations.latestFor(conversationId))?.channelId;
    const live = channelId ? await this.deps.readDiagnostics?.(channelId, conversationId) : undefined;
    const record = live ?? (await this.latestSnapshot(conversationId));
    if (!record) throw new AppError('NOT_FOUND', `No diagnostics for conversation ${conversationId}.`);
    return record;
  }

  /** The diagnostics saved with the conversation's newest escalation or support record, whichever came last. */
  private async latestSnapshot(conversationId: string): Promise<DiagnosticsRecord | undefined> {
    const snapshots = await Promise.all([this.deps.escalations.latestSnapshot(conversationId), this.deps.supportRecords.latestSnapshot(conversationId)]);
    const newest = snapshots.filter((s) => s !== undefined).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    return newest?.diagnostics ?? undefined;
  }

  async transcript(conversationId: string): Promise<TranscriptEntry[]> {
    const entries = await this.deps.transcripts.transcript(conversationId);
    if (entries.length === 0) throw new AppError('NOT_FOUND', `No transcript for conversation ${conversationId}.`);
    return entries;
  }

  async report(from: Date, to: Date): Promise<Report> {
    return this.deps.escalations.report(from, to);
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
    const queue = await this.deps.escalations.queue();
    return new Map(queue.map((e, i) => [e.id, i + 1]));
  }
}
