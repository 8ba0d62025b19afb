import { ActivityHandler, type BotState, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { DialogState } from '../../dialogs/framework';
import type { MainDialog } from '../../dialogs/mainDialog';
import { texts } from '../../dialogs/texts';
import { MAX_TURN_TEXT, textCutFrom } from './textLimit';

/**
 * Routes activities to the conversation: greets on join (conversationUpdate, or Web Chat's
 * `webchat/join` event), hands messages to the main dialog, and saves state after every turn.
 */
export class TechSupportBot extends ActivityHandler {
  private readonly dialogState;
  private readonly greeted;

  constructor(
    private readonly conversationState: BotState,
    private readonly userState: BotState,
    private readonly dialog: MainDialog,
    private readonly canProbe: StatePropertyAccessor<boolean>,
    private readonly gate?: { beforeTurn(context: TurnContext): Promise<boolean> },
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('dialogState');
    this.greeted = conversationState.createProperty<boolean>('greeted');

    this.onMembersAdded(async (context, next) => {
      const someoneElseJoined = (context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient.id);
      if (someoneElseJoined) await this.greet(context);
      await next();
    });
    this.onEvent(async (context, next) => {
      if (context.activity.name === 'webchat/join') {
        // A page with the probe says so; its questions then offer "Run a quick check".
        if (declaresProbe(context.activity.value)) await this.canProbe.set(context, true);
        await this.greet(context);
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
    // Escalation may take the turn first: a person talking with staff is relayed, not answered.
    const handled = this.gate ? await this.gate.beforeTurn(context) : false;
    if (!handled) await super.run(context);
    await Promise.all([this.conversationState.saveChanges(context, false), this.userState.saveChanges(context, false)]);
  }

  /** The pending question or step, asked again (after a proactive notice); nothing when none is pending. */
  async repromptPending(context: TurnContext): Promise<void> {
    await this.dialog.repromptPending(context, this.dialogState);
  }

  /** Greets once per conversation, whichever join signal arrives first. */
  private async greet(context: TurnContext): Promise<void> {
    if (await this.greeted.get(context, false)) return;
    await this.greeted.set(context, true);
    await context.sendActivity(texts.greeting);
  }
}

function declaresProbe(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'capabilities' in value && Array.isArray(value.capabilities) && value.capabilities.includes('probe');
}
