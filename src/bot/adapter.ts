import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type TurnContext,
} from 'botbuilder';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { texts } from '../../dialogs/texts';

/**
 * The Bot Framework adapter. With `MicrosoftAppId` empty, channel authentication is off (as for
 * the Emulator and the local web chat); with it set, every request must carry a valid token.
 */
export function createAdapter(config: Config, log: Logger): CloudAdapter {
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
  });
  const auth = new ConfigurationBotFrameworkAuthentication(
    { MicrosoftAppId: config.MicrosoftAppId, MicrosoftAppTenantId: config.MicrosoftAppTenantId },
    credentials,
  );
  const adapter = new CloudAdapter(auth);

  // A turn that throws ends here: log it with the conversation, apologise calmly, keep serving.
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ err: error, conversationId: context.activity.conversation?.id, activityType: context.activity.type }, 'turn failed');
    try {
      await context.sendActivity(texts.turnError);
    } catch (sendError) {
      log.warn({ err: sendError, conversationId: context.activity.conversation?.id }, 'could not send the apology');
    }
  };
  return adapter;
}
