import { ConversationState, UserState, type CloudAdapter, type Storage } from 'botbuilder';
import { MainDialog } from '../../dialogs/mainDialog';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createAdapter } from './adapter';
import { TechSupportBot } from './techSupportBot';

export { TechSupportBot } from './techSupportBot';

export interface BotRuntime {
  adapter: CloudAdapter;
  bot: TechSupportBot;
}

export function createBot(deps: { config: Config; log: Logger; storage: Storage }): BotRuntime {
  const conversationState = new ConversationState(deps.storage);
  const userState = new UserState(deps.storage);
  const bot = new TechSupportBot(conversationState, userState, new MainDialog());
  return { adapter: createAdapter(deps.config, deps.log), bot };
}
