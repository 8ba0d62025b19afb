import type { Activity } from 'botbuilder';
import { withChoices, whereReferenced } from '../../dialogs';
import type { Logger } from '../logger';
import type { ProactiveMessenger } from './proactive';
import type { Escalation, EscalationRepository } from './escalationRepository';
import { escalationTexts } from './texts';

/**
 * How long moves of the queue are gathered before the people behind are told. Claims come in
 * bursts when a conference starts: each person then hears their latest place once, instead of
 * once per claim (each with the pending question asked again), and the places never arrive out
 * of order.
 */
export const QUEUE_UPDATE_MS = 1000;

/**
 * What escalation tells the person outside their own turns: proactive messages (a failure is
 * logged, never thrown at the staff member) and the queue moving up, sent in the background.
 */
export class PersonNotices {
  private readonly background = new Set<Promise<void>>();
  /** Who left the queue since the last update, and when. */
  private moves: { left: Escalation; at: string }[] = [];
  /** The place each waiting person was last told by an update. */
  private readonly told = new Map<string, number>();
  private scheduled: NodeJS.Timeout | undefined;
  private updating = false;

  constructor(private readonly deps: { escalations: Pick<EscalationRepository, 'queue'>; messenger: ProactiveMessenger; log: Logger; now: () => Date; updateMs?: number }) {}

  async tell(escalation: Escalation, activities: Partial<Activity>[], options?: { reprompt?: boolean }): Promise<void> {
    try {
      await this.deps.messenger.send(escalation.reference, activities, options);
    } catch (error) {
      this.deps.log.warn({ err: error, escalationId: escalation.id }, 'proactive message not delivered');
    }
  }

  /**
   * Someone left the queue: everyone who was behind them moved up and is told their new place, in
   * the background, with the other moves of the next moment (QUEUE_UPDATE_MS).
   */
  queueMoved(left: Escalation): void {
    this.moves.push({ left, at: this.deps.now().toISOString() });
    if (!this.scheduled && !this.updating) this.schedule();
  }

  /** Waits for background sends (queue updates, a gathered one sent now) to finish: tests and shutdown. */
  async settled(): Promise<void> {
    while (this.scheduled || this.background.size > 0) {
      if (this.scheduled) this.update();
      await Promise.all([...this.background]);
    }
  }

  private schedule(): void {
    this.scheduled = setTimeout(() => this.update(), this.deps.updateMs ?? QUEUE_UPDATE_MS).unref();
  }

  private update(): void {
    clearTimeout(this.scheduled);
    this.scheduled = undefined;
    this.updating = true;
    const task = this.tellPlaces(this.moves.splice(0))
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'queue position updates failed'))
      .finally(() => {
        this.updating = false;
        this.background.delete(task);
        // Moves during the update are told in the next one.
        if (this.moves.length > 0) this.schedule();
      });
    this.background.add(task);
  }

  private async tellPlaces(moves: { left: Escalation; at: string }[]): Promise<void> {
    const queue = await this.deps.escalations.queue();
    const waiting = new Set(queue.map((e) => e.id));
    for (const id of this.told.keys()) if (!waiting.has(id)) this.told.delete(id);
    for (const [i, person] of queue.entries()) {
      const place = i + 1;
      // Behind someone who left, and already waiting then (a later request was told its place when made).
      const movedUp = moves.some(({ left, at }) => person.createdAt <= at && (person.createdAt > left.createdAt || (person.createdAt === left.createdAt && person.id > left.id)));
      if (!movedUp || this.told.get(person.id) === place) continue;
      this.told.set(person.id, place);
      await this.tell(person, [{ type: 'message', text: escalationTexts.queuePosition(place) }], { reprompt: true });
    }
  }
}

/** "Is your problem solved now?" with Yes / No buttons as the person's channel shows them. */
export function solvedQuestion(escalation: Escalation, text: string): Partial<Activity> {
  const { yes, no } = escalationTexts.solvedButtons;
  return withChoices(whereReferenced(escalation.reference), { type: 'message', text }, [yes, no]);
}
