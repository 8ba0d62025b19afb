import { ActionTypes, CardFactory, Channels, type Activity, type Attachment, type CardAction, type ConversationReference, type TurnContext } from 'botbuilder';

/**
 * What each channel the bot knows can show, so no message carries something the channel drops or
 * refuses. The limits are those of botbuilder's ChoiceFactory (botbuilder-dialogs choices/channel),
 * with Teams as Microsoft documents it: suggested actions only in personal chats and at most 3;
 * elsewhere buttons go on a card, and Teams refuses attachment types it does not know.
 */
export interface ChannelCapabilities {
  /** Most suggested actions the channel shows (0: none). */
  suggestedActions: number;
  /** Most buttons one card shows (0: no cards). */
  cardButtons: number;
  /** Whether a card button may be imBack (Teams: messageBack, which works in channels too). */
  cardAction: 'imBack' | 'messageBack';
  /** Whether an inline `application/json` attachment is delivered (Teams answers 400). */
  jsonAttachments: boolean;
  /** Whether Bot Framework hand-off events may be sent (only a hub on the channel reads them). */
  handoffEvents: boolean;
}

export type Where = { channelId: string; conversationType?: string };

const FULL: ChannelCapabilities = { suggestedActions: 100, cardButtons: 100, cardAction: 'imBack', jsonAttachments: true, handoffEvents: true };
const TEAMS_CARD_BUTTONS = 6;

/** `test` is botbuilder's TestAdapter and our own tools; it behaves as the Emulator. */
const KNOWN: Record<string, ChannelCapabilities> = {
  [Channels.Directline]: FULL,
  [Channels.Webchat]: FULL,
  [Channels.DirectlineSpeech]: FULL,
  [Channels.Emulator]: FULL,
  test: FULL,
  [Channels.Telegram]: { ...FULL, handoffEvents: false },
  [Channels.Slack]: { ...FULL, suggestedActions: 0, handoffEvents: false },
  [Channels.Facebook]: { ...FULL, suggestedActions: 10, cardButtons: 3, jsonAttachments: false, handoffEvents: false },
  [Channels.Skype]: { ...FULL, suggestedActions: 10, cardButtons: 3, jsonAttachments: false, handoffEvents: false },
  [Channels.Line]: { ...FULL, suggestedActions: 13, cardButtons: 99, jsonAttachments: false, handoffEvents: false },
  [Channels.Kik]: { ...FULL, suggestedActions: 20, cardButtons: 0, jsonAttachments: false, handoffEvents: false },
};
/** Anything else gets plain text: the choices are listed in the message and typed answers work. */
const UNKNOWN: ChannelCapabilities = { suggestedActions: 0, cardButtons: 0, cardAction: 'imBack', jsonAttachments: false, handoffEvents: false };

export function capabilitiesOf(where: Where): ChannelCapabilities {
  if (where.channelId === Channels.Msteams) {
    const personal = where.conversationType === 'personal';
    return { suggestedActions: personal ? 3 : 0, cardButtons: TEAMS_CARD_BUTTONS, cardAction: 'messageBack', jsonAttachments: false, handoffEvents: false };
  }
  return KNOWN[where.channelId] ?? UNKNOWN;
}

export function whereOf(context: TurnContext): Where {
  return { channelId: context.activity.channelId, conversationType: context.activity.conversation?.conversationType };
}

export function whereReferenced(reference: Partial<ConversationReference>): Where {
  return { channelId: reference.channelId ?? '', conversationType: reference.conversation?.conversationType };
}

/**
 * A message with the choices as buttons the channel shows (ChoiceFactory.forChannel's order):
 * suggested actions when the channel shows them all, else cards of buttons, else a text list.
 * Every form sends back the choice's title as text, so the dialogs read all of them alike.
 * `extra` actions (the page's "Run a quick check") come first and are dropped from a text list.
 */
export function withChoices(where: Where, message: Partial<Activity>, titles: readonly string[], extra: readonly CardAction[] = []): Partial<Activity> {
  const can = capabilitiesOf(where);
  const count = titles.length + extra.length;
  if (count === 0) return message;
  if (count <= can.suggestedActions) {
    return { ...message, suggestedActions: { to: [], actions: [...extra, ...titles.map((title) => ({ type: ActionTypes.ImBack, title, value: title }))] } };
  }
  if (can.cardButtons > 0) {
    const buttons = [...extra, ...titles.map((title) => cardButton(title, can.cardAction))];
    const cards: Attachment[] = [];
    for (let i = 0; i < buttons.length; i += can.cardButtons) cards.push(CardFactory.heroCard('', undefined, buttons.slice(i, i + can.cardButtons)));
    return { ...message, attachments: [...(message.attachments ?? []), ...cards], attachmentLayout: 'list' };
  }
  // Bullets, not numbers: a typed title is understood, a typed number would not be.
  const list = titles.map((title) => `- ${title}`).join('\n');
  return { ...message, text: [message.text, list].filter(Boolean).join('\n\n') };
}

function cardButton(title: string, type: ChannelCapabilities['cardAction']): CardAction {
  return type === 'messageBack'
    ? { type: ActionTypes.MessageBack, title, text: title, displayText: title, value: { choice: title } }
    : { type: ActionTypes.ImBack, title, value: title };
}
