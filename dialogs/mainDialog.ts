import { ComponentDialog, DialogSet, DialogTurnStatus, WaterfallDialog, type DialogState, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { texts } from './texts';

export const MAIN_DIALOG = 'main';
const MAIN_WATERFALL = 'main.waterfall';

/** The conversation's root dialog. */
export class MainDialog extends ComponentDialog {
  constructor() {
    super(MAIN_DIALOG);
    this.addDialog(new WaterfallDialog(MAIN_WATERFALL, [this.acknowledge.bind(this)]));
    this.initialDialogId = MAIN_WATERFALL;
  }

  /** Runs one turn: continues the active dialog, or starts this one. */
  async runTurn(context: TurnContext, dialogState: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogs = new DialogSet(dialogState);
    dialogs.add(this);
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }

  private async acknowledge(step: WaterfallStepContext) {
    await step.context.sendActivity(texts.greeting);
    return step.endDialog();
  }
}
