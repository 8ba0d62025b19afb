import { ActivityHandler, ActivityTypes, Channels, TurnContext, type Activity, type BotState, type StatePropertyAccessor } from 'botbuilder';
import { type DialogState, type MainDialog, texts } from '../../dialogs';
import { MAX_TURN_TEXT, textCutFrom } from './textLimit';
import { startTurnEndWrites } from './turnEndWrites';

/**
 * Routes activities to the conversation: greets on join (conversationUpdate, or Web Chat's
 * `webchat/join` event), hands messages to the main dialog, and saves state after every turn.
 */
export class TechSupportBot extends ActivityHandler {
  private readonly dialogState;
  private readonly greeted;

  constructor(
    private readonly conversationState: BotState,
    private readonly dialog: MainDialog,
    private readonly canProbe: StatePropertyAccessor<boolean>,
    private readonly gate?: { beforeTurn(context: TurnContext): Promise<boolean> },
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('dialogState');
    this.greeted = conversationState.createProperty<boolean>('greeted');

    this.onMembersAdded(async (context, next) => {
      const greeting = greetingFor(context);
      if (greeting) await this.greet(context, greeting);
      await next();
    });
    this.onEvent(async (context, next) => {
      if (context.activity.name === 'webchat/join') {
        // A page with the probe says so; its questions then offer "Run a quick check".
        if (declaresProbe(context.activity.value)) await this.canProbe.set(context, true);
        await this.greet(context, texts.greeting);
      }
      // The page's probe (SPEC §6): its facts feed the same conversation as typed answers.
      if (context.activity.name === 'diagnostics') await this.dialog.runTurn(context, this.dialogState);
      await next();
    });
    this.onMessage(async (context, next) => {
      await this.dialog.runTurn(context, this.dialogState);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    if (textCutFrom(context) !== undefined) await context.sendActivity(texts.textCut(MAX_TURN_TEXT));
    // In Teams channels and group chats every message carries "<at>Bot</at>"; commands and answers
    // are understood without it (the escalation gate's "status" included).
    removeOwnMention(context.activity);
    // Escalation may take the turn first: a person talking with staff is relayed, not answered.
    const handled = this.gate ? await this.gate.beforeTurn(context) : false;
    if (!handled) await super.run(context);
    await Promise.all([this.conversationState.saveChanges(context, false), ...startTurnEndWrites(context)]);
  }

  /** The pending question or step, asked again (after a proactive notice); nothing when none is pending. */
  async repromptPending(context: TurnContext): Promise<void> {
    await this.dialog.repromptPending(context, this.dialogState);
  }

  /** Greets once per conversation, whichever join signal arrives first. */
  private async greet(context: TurnContext, greeting: string): Promise<void> {
    if (await this.greeted.get(context, false)) return;
    await this.greeted.set(context, true);
    await context.sendActivity(greeting);
  }
}

function declaresProbe(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'capabilities' in value && Array.isArray(value.capabilities) && value.capabilities.includes('probe');
}

/**
 * Who is greeted when members are added. Teams (its bot design guidance): a personal welcome
 * when the app is installed for a person; in a team or group chat one short introduction when
 * the bot itself is added, and nothing public for each member who joins later. Elsewhere the
 * person who joined is greeted.
 */
function greetingFor(context: TurnContext): string | undefined {
  const { membersAdded = [], recipient, channelId, conversation } = context.activity;
  const botAdded = membersAdded.some((m) => m.id === recipient.id);
  const someoneElse = membersAdded.some((m) => m.id !== recipient.id);
  if (channelId !== Channels.Msteams) return someoneElse ? texts.greeting : undefined;
  if (conversation.conversationType === 'personal') return botAdded || someoneElse ? texts.greeting : undefined;
  return botAdded ? texts.teamsIntroduction : undefined;
}

/**
 * botbuilder's `removeRecipientMention`, given only well-formed mentions of the bot: it reads
 * `mentioned.id` and `text` unchecked, and a mention without text would cut the word "undefined".
 */
function removeOwnMention(activity: Activity): void {
  if (activity.type !== ActivityTypes.Message || typeof activity.text !== 'string' || !activity.entities?.length) return;
  const botId = activity.recipient.id;
  const mentions = activity.entities.filter((entity) => {
    const { type, text, mentioned }: Record<string, unknown> = entity;
    return type === 'mention' && typeof text === 'string' && text !== '' && typeof mentioned === 'object' && mentioned !== null && 'id' in mentioned && mentioned.id === botId;
  });
  if (mentions.length > 0) activity.text = TurnContext.removeRecipientMention({ ...activity, entities: mentions });
}
