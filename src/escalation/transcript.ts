import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import type { DiagnosticsRecord } from '../diagnosis';
import { EventLoopBatches } from '../eventLoopBatches';
import { turnLog, type Logger } from '../logger';
import { writeWithStateSave } from '../bot';
import type { StepOutcomeNote, TranscriptRepository, TranscriptRow } from './transcriptRepository';

interface PendingEntry {
  activity: Partial<Activity>;
  direction: 'in' | 'out';
  stepOutcome?: StepOutcomeNote;
  at: Date;
}

const PENDING = Symbol('transcriptPending');

/**
 * Group commit for transcript rows. Turns running at the same time hand in their rows; the rows
 * that arrived by the next turn of the event loop go to the store in one insert, and each turn
 * waits until its rows are written — so what a person was answered is in the transcript, at a
 * fraction of a statement per turn under load.
 */
export class TranscriptWriter {
  static readonly MAX_BATCH = 256;
  private readonly batches: EventLoopBatches<TranscriptRow[]>;

  constructor(transcripts: Pick<TranscriptRepository, 'logActivities'>) {
    this.batches = new EventLoopBatches((turns) => transcripts.logActivities(turns.flat()), TranscriptWriter.MAX_BATCH, (rows) => rows.length);
  }

  write(rows: TranscriptRow[]): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : this.batches.add(rows);
  }
}

/**
 * Logs every activity in and out of the bot to the store, for staff and for escalations.
 *
 * botbuilder's TranscriptLoggerMiddleware buffers a turn and writes it after `next()` returns,
 * so a turn that throws is lost — exactly the turns staff most need to see. Here the turn's
 * activities are collected as they come and go and written in one statement when the turn ends,
 * however it ends (`finally`), or earlier, alongside the bot's state save at the end of its turn;
 * what is sent after that (the apology `onTurnError` sends) is written at once. An escalation
 * made during the turn reads the collected ones with `pendingTranscript`, so it carries the
 * message that triggered it.
 */
export class TranscriptMiddleware implements Middleware {
  private readonly writer: TranscriptWriter;

  constructor(
    transcripts: TranscriptRepository,
    private readonly log: Logger,
  ) {
    this.writer = new TranscriptWriter(transcripts);
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const incoming = context.activity;
    let pending: PendingEntry[] | undefined = [];
    context.turnState.set(PENDING, pending);
    // A proactive turn's continuation event is the adapter's own bookkeeping, not conversation.
    const proactive = incoming.type === ActivityTypes.Event && incoming.name === 'ContinueConversation';
    if (!proactive) pending.push({ activity: forTranscript(incoming, 'in'), direction: 'in', at: new Date() });

    context.onSendActivities(async (_ctx, activities, sendNext) => {
      const responses = await sendNext();
      // A typing indicator says nothing: it stays out of the transcript.
      const sent = activities.flatMap((activity, i) =>
        activity.type === ActivityTypes.Typing
          ? []
          : [{ activity: forTranscript({ ...activity, id: responses[i]?.id ?? activity.id, timestamp: activity.timestamp ?? new Date() }, 'out'), direction: 'out' as const, at: new Date() }],
      );
      if (pending) pending.push(...sent);
      else await this.write(sent);
      return responses;
    });
    // Written once: alongside the state save when the bot saves (the end of its turn), else here.
    let written: Promise<void> | undefined;
    const writePending = (): Promise<void> => {
      if (!written) {
        const entries = pending ?? [];
        pending = undefined;
        context.turnState.delete(PENDING);
        written = this.write(entries);
      }
      return written;
    };
    writeWithStateSave(context, writePending);
    try {
      await next();
    } finally {
      await writePending();
    }
  }

  private async write(entries: PendingEntry[]): Promise<void> {
    const rows = entries.flatMap(({ activity, direction, stepOutcome, at }) => {
      const conversationId = activity.conversation?.id;
      return conversationId ? [{ conversationId, channelId: activity.channelId ?? 'unknown', direction, activity, stepOutcome, at }] : [];
    });
    if (rows.length === 0) return;
    try {
      await this.writer.write(rows);
    } catch (error) {
      // A transcript write must never cost the person their answer.
      this.log.error({ err: error, conversationId: rows[0]?.conversationId }, 'transcript write failed');
    }
  }
}

/**
 * Marks this turn's incoming message as the answer to a step, for the reports. It rides on the
 * row the turn writes anyway, so recording it costs no statement. False outside a logged turn.
 */
export function noteStepOutcome(context: TurnContext, note: StepOutcomeNote): boolean {
  const pending: unknown = context.turnState.get(PENDING);
  const incoming = Array.isArray(pending) ? (pending as PendingEntry[]).find((e) => e.direction === 'in') : undefined;
  if (incoming) incoming.stepOutcome = note;
  return incoming !== undefined;
}

/** A step's outcome on the answer's transcript row, where the reports read it; a turn that is not logged is only warned about. */
export function noteOutcome(context: TurnContext, log: Logger, step: Omit<StepOutcomeNote, 'os' | 'browser'>, record: DiagnosticsRecord): void {
  if (!noteStepOutcome(context, { ...step, os: record.facts.os, browser: record.facts.browser })) {
    turnLog(context, log).warn({ conversationId: context.activity.conversation.id }, 'step outcome not noted for reports: the turn is not logged');
  }
}

/** This turn's activities not yet written (an escalation made mid-turn appends them to its copy). */
export function pendingTranscript(context: TurnContext): Partial<Activity>[] {
  const pending: unknown = context.turnState.get(PENDING);
  return Array.isArray(pending) ? (pending as PendingEntry[]).map((e) => e.activity) : [];
}

/**
 * What a transcript keeps of an activity: the conversation's content, not transport details; the
 * transcript a hand-off event carries is left out, or each escalation would copy the last one.
 */
function forTranscript(activity: Partial<Activity>, direction: 'in' | 'out'): Partial<Activity> {
  const { serviceUrl: _serviceUrl, relatesTo: _relatesTo, ...kept } = activity;
  // A person's client may claim anything in its channelData; a staff mark is kept only on what the bot sent.
  if (direction === 'in' && isObject(kept.channelData) && 'staff' in kept.channelData) {
    const { staff: _claimed, ...channelData } = kept.channelData;
    kept.channelData = channelData;
  }
  const attachments = kept.attachments?.filter((a) => a.name !== 'Transcript');
  const from = kept.from ? { ...kept.from, role: kept.from.role ?? (direction === 'in' ? 'user' : 'bot') } : undefined;
  return { ...kept, ...(attachments ? { attachments } : {}), ...(from ? { from } : {}) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
