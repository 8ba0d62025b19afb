import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import type { Logger } from '../logger';
import type { EscalationRecords } from './records';

/**
 * Logs every activity in and out of the bot to the store, for staff and for escalations.
 *
 * botbuilder's TranscriptLoggerMiddleware buffers a turn and writes it after `next()` returns,
 * so a turn that throws is lost — exactly the turns staff most need to see. Here the incoming
 * activity is written before the bot runs, and each outgoing one as it is sent (the apology
 * `onTurnError` sends included), each write awaited.
 */
export class TranscriptMiddleware implements Middleware {
  constructor(
    private readonly records: EscalationRecords,
    private readonly log: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const incoming = context.activity;
    // A proactive turn's continuation event is the adapter's own bookkeeping, not conversation.
    const proactive = incoming.type === ActivityTypes.Event && incoming.name === 'ContinueConversation';
    if (!proactive) await this.write(incoming, 'in');

    context.onSendActivities(async (_ctx, activities, sendNext) => {
      const responses = await sendNext();
      for (const [i, activity] of activities.entries()) {
        await this.write({ ...activity, id: responses[i]?.id ?? activity.id, timestamp: activity.timestamp ?? new Date() }, 'out');
      }
      return responses;
    });
    await next();
  }

  private async write(activity: Partial<Activity>, direction: 'in' | 'out'): Promise<void> {
    const conversationId = activity.conversation?.id;
    if (!conversationId) return;
    try {
      await this.records.logActivity({ conversationId, channelId: activity.channelId ?? 'unknown', direction, activity: forTranscript(activity, direction), at: new Date() });
    } catch (error) {
      // A transcript write must never cost the person their answer.
      this.log.error({ err: error, conversationId, direction }, 'transcript write failed');
    }
  }
}

/**
 * What a transcript keeps of an activity: the conversation's content, not transport details; the
 * transcript a hand-off event carries is left out, or each escalation would copy the last one.
 */
function forTranscript(activity: Partial<Activity>, direction: 'in' | 'out'): Partial<Activity> {
  const { serviceUrl: _serviceUrl, relatesTo: _relatesTo, ...kept } = activity;
  const attachments = kept.attachments?.filter((a) => a.name !== 'Transcript');
  const from = kept.from ? { ...kept.from, role: kept.from.role ?? (direction === 'in' ? 'user' : 'bot') } : undefined;
  return { ...kept, ...(attachments ? { attachments } : {}), ...(from ? { from } : {}) };
}
