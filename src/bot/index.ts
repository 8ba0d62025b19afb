import { type Middleware, type Storage, type TurnContext } from 'botbuilder';
import { OptimisticConversationState } from './conversationState';
import { type ConversationDeps, noStaffHandoff, type StaffHandoff, MainDialog } from '../../dialogs';
import type { DiagnosticsRecord } from '../diagnosis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createAdapter, type BotAdapter } from './adapter';
import { TechSupportBot } from './techSupportBot';
import { TypingIndicator } from './typing';
import { ETagConflictError } from '../store';
import type { TurnGate } from './turnGate';

export { TechSupportBot } from './techSupportBot';
export { botFrameworkAuthentication, botFrameworkSettings, createAdapter, type BotAdapter, type ChannelCredentials, type LocalConnector } from './adapter';
export { diagnosticsReader, type TurnGate } from './turnGate';
export { activityFields, accountSchema, malformedActivity } from './activitySchema';
export { postingDirectly } from './activityPoster';
export { writeWithStateSave } from './turnEndWrites';

export interface BotRuntime {
  adapter: BotAdapter;
  bot: TechSupportBot;
  conversationState: OptimisticConversationState;
  /** In a proactive turn: asks the person's page to run its check again for a staff member. */
  requestStaffCheck(context: TurnContext, staffName: string): Promise<{ checkId: string }>;
}

export interface BotDeps {
  config: Config;
  log: Logger;
  storage: Storage;
  diagnosis: Pick<ConversationDeps, 'diagnose' | 'ruleFacts'>;
  handoff?: StaffHandoff;
  /** Runs before the dialogs on every turn (escalation's relay while staff are with the person). */
  gate?: TurnGate;
  /** Adapter middleware, in order (escalation's transcript logger). */
  middleware?: Middleware[];
  /** Told of each step's outcome (metrics). */
  onStepOutcome?: ConversationDeps['onStepOutcome'];
  /** An adapter built earlier, when something (proactive sends) needed it before the bot. */
  adapter?: BotAdapter;
}

/** How often a staff check request is tried when the conversation was saved under it. */
const STAFF_CHECK_ATTEMPTS = 3;

export function createBot(deps: BotDeps): BotRuntime {
  const conversationState = new OptimisticConversationState(deps.storage);
  const records = conversationState.createProperty<DiagnosticsRecord>('diagnostics');
  const canProbe = conversationState.createProperty<boolean>('canProbe');
  const dialog = new MainDialog({
    ...deps.diagnosis,
    records,
    handoff: deps.handoff ?? noStaffHandoff,
    onStepOutcome: deps.onStepOutcome,
    canProbe,
  });
  const gate = deps.gate;
  const bot = new TechSupportBot(conversationState, dialog, canProbe, gate && { beforeTurn: (context) => gate.beforeTurn(context, dialog.handoffEvents) });
  const adapter = deps.adapter ?? createAdapter(deps.config, deps.log);
  adapter.use(new TypingIndicator(deps.log, { delayMs: deps.config.TYPING_DELAY_MS }));
  for (const middleware of deps.middleware ?? []) adapter.use(middleware);
  const requestStaffCheck = async (context: TurnContext, staffName: string) => {
    // The person's own turn, or a staff notice's reprompt, may save the conversation meanwhile:
    // read it again and retry. Nothing is sent until the request is saved, so nothing is sent twice.
    for (let attempt = 1; ; attempt++) {
      try {
        const { checkId, activities } = await dialog.recordStaffCheck(context, staffName);
        await conversationState.saveChanges(context, false);
        await context.sendActivities(activities);
        return { checkId };
      } catch (error) {
        if (!(error instanceof ETagConflictError) || attempt === STAFF_CHECK_ATTEMPTS) throw error;
        await conversationState.load(context, true);
      }
    }
  };
  return { adapter, bot, conversationState, requestStaffCheck };
}
