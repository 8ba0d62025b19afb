import { ActivityTypes, DeliveryModes, type Middleware, type TurnContext } from 'botbuilder';
import type { Logger } from '../logger';

/** Web Chat hides a typing indicator after 5 s unless another comes; a long turn renews it. */
const RENEW_MS = 3000;

/**
 * Shows the person that the bot is working on their message: a typing activity before the turn
 * runs, renewed while it lasts. Only turns that answer a person (a message, the probe's results)
 * and only on live channels: an `expectReplies` caller reads the replies at the end anyway.
 */
export class TypingIndicator implements Middleware {
  constructor(private readonly log: Logger) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    const answersPerson = activity.type === ActivityTypes.Message || (activity.type === ActivityTypes.Event && activity.name === 'diagnostics');
    if (!answersPerson || activity.deliveryMode === DeliveryModes.ExpectReplies) return next();
    const show = async () => {
      try {
        await context.sendActivity({ type: ActivityTypes.Typing });
      } catch (error) {
        // A channel that refuses typing still gets the answer.
        this.log.debug({ err: error, conversationId: activity.conversation.id }, 'typing indicator not sent');
      }
    };
    // Awaited: the indicator must reach the chat before the reply, never after it.
    await show();
    const renew = setInterval(() => void show(), RENEW_MS);
    try {
      await next();
    } finally {
      clearInterval(renew);
    }
  }
}
