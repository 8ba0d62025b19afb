import { ActivityTypes, HandoffEventNames, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { randomUUID } from 'node:crypto';

/**
 * The process's time zone, read once: it does not change while the process runs. botbuilder's
 * `EventFactory` asks the runtime for it on every event (a new `Intl.DateTimeFormat` each time,
 * about a third of a millisecond), which showed in the profile of urgent conversations.
 */
const LOCAL_TIMEZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * `handoff.initiate` for a contact-centre hub, as botbuilder's `EventFactory.createHandoffInitiation`
 * builds it (the Bot Framework hand-off protocol): the hub-specific context as `value`, the
 * conversation so far as a `Transcript` attachment, and the person's conversation reference.
 */
export function handoffInitiation(context: TurnContext, handoffContext: unknown, transcript: { activities: Activity[] }): Partial<Activity> {
  const { activity } = context;
  return {
    type: ActivityTypes.Event,
    name: HandoffEventNames.InitiateHandoff,
    value: handoffContext,
    id: randomUUID(),
    timestamp: new Date(),
    localTimezone: LOCAL_TIMEZONE,
    conversation: activity.conversation,
    attachments: [{ content: transcript, contentType: 'application/json', name: 'Transcript' }],
    entities: [],
    from: activity.from,
    // Typed as partial because an activity's fields are; one that arrived in a turn has them all.
    relatesTo: TurnContext.getConversationReference(activity) as ConversationReference,
    replyToId: activity.id,
    serviceUrl: activity.serviceUrl,
    channelId: activity.channelId,
  };
}
