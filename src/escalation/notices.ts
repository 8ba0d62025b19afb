import type { Activity } from 'botbuilder';
import { withChoices, whereReferenced } from '../../dialogs';
import type { Logger } from '../logger';
import type { ProactiveMessenger } from './proactive';
import type { Escalation, EscalationRepository } from './escalationRepository';
import { escalationTexts } from './texts';

/**
 * What escalation tells the person outside their own turns: proactive messages (a failure is
 * logged, never thrown at the staff member) and the queue moving up, sent in the background.
 */
export class PersonNotices {
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly deps: { escalations: Pick<EscalationRepository, 'queue'>; messenger: ProactiveMessenger; log: Logger }) {}

  async tell(escalation: Escalation, activities: Partial<Activity>[], options?: { reprompt?: boolean }): Promise<void> {
    try {
      await this.deps.messenger.send(escalation.reference, activities, options);
    } catch (error) {
      this.deps.log.warn({ err: error, escalationId: escalation.id }, 'proactive message not delivered');
    }
  }

  /** Someone left the queue: everyone who was behind them moves up one and is told, in the background. */
  queueMoved(left: Escalation): void {
    const task = (async () => {
      const queue = await this.deps.escalations.queue();
      for (const [i, waiting] of queue.entries()) {
        const wasBehind = waiting.createdAt > left.createdAt || (waiting.createdAt === left.createdAt && waiting.id > left.id);
        if (wasBehind) await this.tell(waiting, [{ type: 'message', text: escalationTexts.queuePosition(i + 1) }], { reprompt: true });
      }
    })()
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'queue position updates failed'))
      .finally(() => this.background.delete(task));
    this.background.add(task);
  }

  /** Waits for background sends (queue updates) to finish: tests and shutdown. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }
}

/** "Is your problem solved now?" with Yes / No buttons as the person's channel shows them. */
export function solvedQuestion(escalation: Escalation, text: string): Partial<Activity> {
  const { yes, no } = escalationTexts.solvedButtons;
  return withChoices(whereReferenced(escalation.reference), { type: 'message', text }, [yes, no]);
}
