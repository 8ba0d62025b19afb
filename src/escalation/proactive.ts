import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { ClaimsIdentity } from 'botframework-connector';

/**
 * Sends messages to a person outside their own turns (queue position, staff joined, staff
 * replies, timeout notices). An interface so tests and other hosts can replace it: botbuilder's
 * TestAdapter cannot continue conversations.
 */
export interface ProactiveMessenger {
  /** With `reprompt`, the conversation's pending question or step follows the activities (when a reprompter is set). */
  send(reference: ConversationReference, activities: Partial<Activity>[], options?: { reprompt?: boolean }): Promise<void>;
  /** Runs bot logic in the conversation (e.g. asking the page to re-run its check); a failure is thrown. */
  run?(reference: ConversationReference, logic: (context: TurnContext) => Promise<void>): Promise<void>;
}

/** Asks a conversation's pending question or step again, in a proactive turn (the bot's dialogs do it). */
export type Reprompter = (context: TurnContext) => Promise<void>;

/** The part of botbuilder's CloudAdapter a proactive send needs. */
export type ContinuingAdapter = Pick<CloudAdapter, 'continueConversationAsync'>;

/**
 * Proactive sends through the adapter, so they run the middleware (the transcript logs them) and
 * reach the conversation's `serviceUrl` as any reply does. With no app id (authentication off)
 * the adapter is given an anonymous identity: an undefined app id makes it fail.
 */
export class AdapterMessenger implements ProactiveMessenger {
  /** Set once the bot exists (it is built after escalation, which it calls). */
  reprompter: Reprompter | undefined;

  constructor(
    private readonly adapter: ContinuingAdapter,
    private readonly appId: string,
  ) {}

  async send(reference: ConversationReference, activities: Partial<Activity>[], options: { reprompt?: boolean } = {}): Promise<void> {
    await this.run(reference, async (context) => {
      await context.sendActivities(activities);
      if (options.reprompt) await this.reprompter?.(context);
    });
  }

  async run(reference: ConversationReference, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: unknown;
    const guarded = async (context: TurnContext) => {
      // Not replies: botbuilder makes each one reply to the continuation event's made-up id (or the
      // reference's last message), which Web Chat waits 5 s for before showing the message.
      context.onSendActivities((_context, outgoing, next) => {
        for (const activity of outgoing) delete activity.replyToId;
        return next();
      });
      // Caught here: the adapter would hand it to onTurnError, which apologises to the person
      // over the same failing connection, and the caller would never know.
      try {
        await logic(context);
      } catch (error) {
        failure = error;
      }
    };
    if (this.appId) await this.adapter.continueConversationAsync(this.appId, reference, guarded);
    else await this.adapter.continueConversationAsync(new ClaimsIdentity([], true), reference, guarded);
    if (failure !== undefined) throw failure;
  }
}

/**
 * Whether a value can address a proactive send: botbuilder's own `isConversationReference`
 * demands fields (conversation.isGroup, bot.name) that real channels often leave out.
 */
export function isReachable(value: unknown): value is ConversationReference {
  if (typeof value !== 'object' || value === null) return false;
  const { conversation, bot, channelId, serviceUrl } = { conversation: undefined, bot: undefined, channelId: undefined, serviceUrl: undefined, ...value };
  return hasId(conversation) && hasId(bot) && typeof channelId === 'string' && typeof serviceUrl === 'string' && /^https?:\/\//.test(serviceUrl);
}

function hasId(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string' && value.id !== '';
}
