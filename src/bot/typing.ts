import { ActivityTypes, DeliveryModes, type Middleware, type TurnContext } from 'botbuilder';
import type { Logger } from '../logger';

/** Web Chat hides a typing indicator after 5 s unless another comes; a long silence renews it. */
const RENEW_MS = 3000;

export interface TypingTiming {
  /** Silence before an indicator (TYPING_DELAY_MS); 0: at the start of every turn, before anything else is sent. */
  delayMs: number;
  renewMs: number;
}

/**
 * Shows the person that the bot is working on their message when an answer is slow to come: a
 * typing activity once the turn has been silent for `delayMs`, renewed while the silence lasts.
 * A quick answer is its own sign of life, and costs no round trip to the channel before it.
 * An indicator never follows the message it announced: an answer waits for an indicator already
 * on its way, and the silence is counted again from each answer. Only turns that answer a person
 * (a message, the probe's results) and only on live channels: an `expectReplies` caller reads
 * the replies at the end anyway.
 */
export class TypingIndicator implements Middleware {
  private readonly timing: TypingTiming;

  constructor(
    private readonly log: Logger,
    timing: Pick<TypingTiming, 'delayMs'> & Partial<TypingTiming>,
  ) {
    this.timing = { renewMs: RENEW_MS, ...timing };
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    const answersPerson = activity.type === ActivityTypes.Message || (activity.type === ActivityTypes.Event && activity.name === 'diagnostics');
    if (!answersPerson || activity.deliveryMode === DeliveryModes.ExpectReplies) return next();
    const indicator = new SilenceWatch(context, this.timing, this.log);
    context.onSendActivities(async (_context, activities, send) => {
      if (activities.every((a) => a.type === ActivityTypes.Typing)) return send();
      return indicator.around(send);
    });
    try {
      if (this.timing.delayMs === 0) await indicator.show();
      indicator.arm();
      await next();
    } finally {
      // An indicator still on its way uses the turn's context: the turn ends once it has gone.
      await indicator.stop();
    }
  }
}

/** One turn's indicator: a timer for the silence, and the indicator on its way, if any. */
class SilenceWatch {
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly conversationId: string;

  constructor(
    private readonly context: TurnContext,
    private readonly timing: TypingTiming,
    private readonly log: Logger,
  ) {
    this.conversationId = context.activity.conversation.id;
  }

  /** Sends an indicator now; a channel that refuses it still gets the answer. Never rejects. */
  show(): Promise<void> {
    this.sending = this.context.sendActivity({ type: ActivityTypes.Typing }).then(
      () => undefined,
      (error: unknown) => this.log.debug({ err: error, conversationId: this.conversationId }, 'typing indicator not sent'),
    );
    return this.sending;
  }

  /** Counts the silence from now: an indicator once it lasts the delay, and again every `renewMs`. */
  arm(afterMs = this.timing.delayMs || this.timing.renewMs): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.show();
      this.arm(this.timing.renewMs);
    }, afterMs);
  }

  /** An answer: no indicator while it goes, after one already on its way, and the silence counted again after it. */
  async around<T>(send: () => Promise<T>): Promise<T> {
    clearTimeout(this.timer);
    await this.sending;
    try {
      return await send();
    } finally {
      this.arm();
    }
  }

  /** No more indicators; settles once the one on its way, if any, has gone or failed. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return this.sending;
  }
}
