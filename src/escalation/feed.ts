import type { Logger } from '../logger';
import type { Notifier } from '../store';
import type { Escalation } from './escalationRepository';

/** An escalation as staff see it in lists, the live feed and the webhook. */
/** What staff see of an escalation: everything but the conversation reference, plus the queue rank. */
export type EscalationSummary = Omit<Escalation, 'reference'> & {
  /** Rank in the queue while waiting (1 = next). */
  position?: number;
};

export function summarize(escalation: Escalation, position?: number): EscalationSummary {
  const { reference: _reference, ...rest } = escalation;
  return { ...rest, ...(escalation.status === 'waiting' && position ? { position } : {}) };
}

export type StaffEvent =
  | { type: 'escalation.created' | 'escalation.claimed' | 'escalation.closed' | 'escalation.timed-out' | 'escalation.updated'; escalation: EscalationSummary }
  | { type: 'message'; escalationId: string; conversationId: string; from: 'person' | 'staff'; name: string | null; text: string; at: string }
  | { type: 'support-record.created' | 'support-record.updated'; supportRecordId: string; conversationId: string };

const TOPIC = 'staff_events';
/** Relayed text in the feed is capped so an event fits a PostgreSQL NOTIFY; the transcript has it whole. */
const MAX_FEED_TEXT = 2000;

/**
 * The staff console's live feed, on the store's notifier: in-process on SQLite, LISTEN/NOTIFY
 * on PostgreSQL, so a console on one instance hears of escalations handled by another.
 */
export class StaffFeed {
  constructor(
    private readonly notifier: Notifier,
    private readonly log: Logger,
  ) {}

  /** Never throws: a missed live update is refreshed by the console; the action itself succeeded. */
  async publish(event: StaffEvent): Promise<void> {
    const capped = event.type === 'message' && event.text.length > MAX_FEED_TEXT ? { ...event, text: `${event.text.slice(0, MAX_FEED_TEXT)}…` } : event;
    try {
      await this.notifier.publish(TOPIC, JSON.stringify(capped));
    } catch (error) {
      this.log.warn({ err: error, eventType: event.type }, 'staff feed publish failed');
    }
  }

  subscribe(listener: (event: StaffEvent) => void): () => void {
    return this.notifier.subscribe(TOPIC, (payload) => {
      const event = parseEvent(payload);
      if (event) listener(event);
    });
  }
}

function parseEvent(payload: string): StaffEvent | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return isStaffEvent(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Events come from this code on some instance; the check only guards against a foreign NOTIFY on the channel. */
function isStaffEvent(value: unknown): value is StaffEvent {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}
