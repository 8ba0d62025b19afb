import { UserState, type Storage } from 'botbuilder';
import { OptimisticConversationState } from './conversationState';
import type { ConversationDeps } from '../../dialogs/conversationDeps';
import { noStaffHandoff, type StaffHandoff } from '../../dialogs/handoff';
import { MainDialog } from '../../dialogs/mainDialog';
import type { DiagnosticsRecord } from '../diagnosis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createAdapter, type BotAdapter } from './adapter';
import { TechSupportBot } from './techSupportBot';

export { TechSupportBot } from './techSupportBot';

export interface BotRuntime {
  adapter: BotAdapter;
  bot: TechSupportBot;
  conversationState: OptimisticConversationState;
}

export interface BotDeps {
  config: Config;
  log: Logger;
  storage: Storage;
  diagnosis: Pick<ConversationDeps, 'diagnose' | 'ruleFacts'>;
  handoff?: StaffHandoff;
}

export function createBot(deps: BotDeps): BotRuntime {
  const conversationState = new OptimisticConversationState(deps.storage);
  const userState = new UserState(deps.storage);
  const dialog = new MainDialog({
    ...deps.diagnosis,
    records: conversationState.createProperty<DiagnosticsRecord>('diagnostics'),
    handoff: deps.handoff ?? noStaffHandoff,
  });
  const bot = new TechSupportBot(conversationState, userState, dialog);
  return { adapter: createAdapter(deps.config, deps.log), bot, conversationState };
}
