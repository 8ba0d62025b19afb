import { ComponentDialog, Dialog, type DialogContext, type DialogInstance, type DialogTurnResult } from './framework';

/**
 * Every dialog context botbuilder-dialogs makes builds its own memory-scope manager and
 * component registration: the dialogs' largest cost in a turn. These two parts make fewer.
 */

/**
 * A component dialog whose inner context is made once a turn. botbuilder-dialogs makes it once to
 * find the innermost dialog for its `activityReceived` event and again to continue; made once per
 * outer context and dialog instance, the second is the first.
 */
export abstract class LeanComponentDialog extends ComponentDialog {
  /** The inner dialog context made for an outer one this turn, and the instance it was made for. */
  private readonly innerContexts = new WeakMap<DialogContext, { instance: DialogInstance; inner: DialogContext }>();

  override createChildContext(outerDC: DialogContext): DialogContext {
    const instance = outerDC.activeDialog;
    const kept = this.innerContexts.get(outerDC);
    if (kept && instance && kept.instance === instance) return kept.inner;
    const inner = super.createChildContext(outerDC);
    if (instance) this.innerContexts.set(outerDC, { instance, inner });
    return inner;
  }
}

/**
 * A loop: `begin` runs when the dialog starts and starts a dialog of its own; `resume` runs with
 * that dialog's result each time it ends, and starts the next or ends the loop. This is the
 * two-step waterfall that replaces itself (step one starts a dialog, step two takes its result and
 * starts over), without the waterfall's two step contexts a turn. The id is kept: conversations
 * saved mid-loop by the waterfall resume here.
 */
export class LoopDialog extends Dialog {
  constructor(
    id: string,
    private readonly begin: (dc: DialogContext) => Promise<DialogTurnResult>,
    private readonly resume: (dc: DialogContext, result: unknown) => Promise<DialogTurnResult>,
  ) {
    super(id);
  }

  override beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    return this.begin(dc);
  }

  override resumeDialog(dc: DialogContext, _reason: unknown, result?: unknown): Promise<DialogTurnResult> {
    return this.resume(dc, result);
  }
}
