import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { ClaimsIdentity } from 'botframework-connector';

/**
 * Sends messages to a person outside their own turns (queue position, staff joined, staff
 * replies, timeout notices). An interface so tests and other hosts can replace it: botbuilder's
 * TestAdapter cannot continue conversations.
 */
export interface ProactiveMessenger {
  send(reference: ConversationReference, activities: Partial<Activity>[]): Promise<void>;
}

/** The part of botbuilder's CloudAdapter a proactive send needs. */
export type ContinuingAdapter = Pick<CloudAdapter, 'continueConversationAsync'>;

/**
 * Proactive sends through the adapter, so they run the middleware (the transcript logs them) and
 * reach the conversation's `serviceUrl` as any reply does. With no app id (authentication off)
 * the adapter is given an anonymous identity: an undefined app id makes it fail.
 */
export class AdapterMessenger implements ProactiveMessenger {
  constructor(
    private readonly adapter: ContinuingAdapter,
    private readonly appId: string,
  ) {}

  async send(reference: ConversationReference, activities: Partial<Activity>[]): Promise<void> {
    let failure: unknown;
    const logic = async (context: TurnContext) => {
      // Caught here: the adapter would hand it to onTurnError, which apologises to the person
      // over the same failing connection, and the caller would never know.
      try {
        await context.sendActivities(activities);
      } catch (error) {
        failure = error;
      }
    };
    // Not a reply: a reference's activityId would become a replyToId naming a message long past,
    // which Web Chat waits 5 s for before showing the message.
    const { activityId: _lastMessage, ...conversation } = reference;
    if (this.appId) await this.adapter.continueConversationAsync(this.appId, conversation, logic);
    else await this.adapter.continueConversationAsync(new ClaimsIdentity([], true), conversation, logic);
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
