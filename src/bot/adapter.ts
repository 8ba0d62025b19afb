import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationConstants, ConnectorFactory, GovernmentConstants, type AuthenticateRequestResult, type BotFrameworkAuthentication, type ClaimsIdentity, type ConnectorClient, type UserTokenClient } from 'botframework-connector';
import { AppError } from '../errors';
import { ETagConflictError } from '../store';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { TEXT_LOCALE, texts } from '../../dialogs/texts';
import { replyLocale } from './replyLocale';
import { textLimit } from './textLimit';

/**
 * A cloud's endpoints with only the signing-key location replaced (`BotOpenIdMetadata`). Given
 * one endpoint, botbuilder wants all of them, so the rest are spelled out with its own constants
 * for the cloud `ChannelService` names: issuer, audience and expiry checks stay as in production.
 */
function cloudWithKeysAt(openIdMetadataUrl: string, channelService: string | undefined) {
  const government = channelService?.toLowerCase() === GovernmentConstants.ChannelService;
  const cloud = government ? GovernmentConstants : AuthenticationConstants;
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: cloud.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: cloud.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: cloud.ToBotFromChannelTokenIssuer,
    OAuthUrl: cloud.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: openIdMetadataUrl,
    CallerId: government ? CallerIdConstants.USGovChannel : CallerIdConstants.PublicAzureChannel,
  };
}

const CLOUD_ENDPOINTS = [
  'ToChannelFromBotLoginUrl', 'ToChannelFromBotOAuthScope', 'ToBotFromChannelTokenIssuer', 'OAuthUrl',
  'ToBotFromChannelOpenIdMetadataUrl', 'ToBotFromEmulatorOpenIdMetadataUrl', 'CallerId',
] as const;

/**
 * The Bot Framework settings as botbuilder reads them — Microsoft's samples hand it the whole
 * environment (`new ConfigurationBotFrameworkAuthentication(process.env)`); here the validated
 * configuration, every setting included: credentials (password, certificate or managed identity),
 * app type and tenant, `ChannelService`, `OAuthApiEndpoint`, and a cloud's own endpoints.
 */
export function botFrameworkSettings(config: Config) {
  const credentials = {
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
    CertificateThumbprint: config.CertificateThumbprint,
    CertificatePrivateKey: config.CertificatePrivateKey,
  };
  const ownEndpoints = CLOUD_ENDPOINTS.some((key) => config[key] !== undefined);
  const authentication = {
    ...credentials,
    ChannelService: config.ChannelService,
    OAuthApiEndpoint: config.OAuthApiEndpoint,
    ...(config.BotOpenIdMetadata && !ownEndpoints
      ? cloudWithKeysAt(config.BotOpenIdMetadata, config.ChannelService)
      : { BotOpenIdMetadata: config.BotOpenIdMetadata, ValidateAuthority: config.ValidateAuthority, ...Object.fromEntries(CLOUD_ENDPOINTS.map((key) => [key, config[key]])) }),
  };
  return { credentials: withoutUnset(credentials), authentication: withoutUnset(authentication) };
}

/** botbuilder's schemas take a missing key, not an undefined one, as unset. */
function withoutUnset(settings: Record<string, string | boolean | undefined>): Record<string, string | boolean> {
  const set: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) set[key] = value;
  return set;
}

/** botbuilder's authentication for these settings (the adapter's, and tests'). */
export function botFrameworkAuthentication(config: Config): ReusingAuthentication {
  const settings = botFrameworkSettings(config);
  return new ReusingAuthentication(settings.authentication, new ConfigurationServiceClientCredentialFactory(settings.credentials));
}

/**
 * CloudAdapter with authentication as an explicit first step, so that every way a token can be
 * wrong (missing, malformed, bad signature, expired, wrong audience) is a 401 before the bot
 * runs — `CloudAdapter.process` answers 500 for some of them — and HTTP stays in our handler.
 */
export class BotAdapter extends CloudAdapter {
  constructor(private readonly auth: BotFrameworkAuthentication) {
    super(auth);
  }

  /** Runs one turn for an inbound activity; the result is the HTTP answer (expectReplies, invoke). */
  async runTurn(activity: Activity, authorization: string, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await this.auth.authenticateRequest(activity, authorization);
    } catch (error) {
      throw new AppError('UNAUTHORIZED', 'The request is not authorized.', { cause: error });
    }
    const connectorFactory = authenticated.connectorFactory && new ReusedConnectorFactory(authenticated.connectorFactory, this.connectors, authenticated.claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? '');
    return this.processActivity({ ...authenticated, connectorFactory }, activity, logic);
  }

  private readonly connectors = new Map<string, Promise<ConnectorClient>>();
}

/**
 * CloudAdapter builds a new connector client (an HTTP pipeline) on every turn, even under
 * expectReplies where nothing is sent through it — about 5 % of a turn in the profile. Clients
 * are reused per bot, channel URL and audience, as BotFrameworkAdapter used to; the map is
 * bounded since, with authentication off, anyone chooses the serviceUrl.
 */
class ReusedConnectorFactory extends ConnectorFactory {
  static readonly LIMIT = 100;
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly clients: Map<string, Promise<ConnectorClient>>,
    private readonly botId: string,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const key = `${this.botId}\n${serviceUrl}\n${audience ?? ''}`;
    const kept = this.clients.get(key);
    if (kept) return kept;
    const created = this.inner.create(serviceUrl, audience);
    if (this.clients.size >= ReusedConnectorFactory.LIMIT) this.clients.clear();
    this.clients.set(key, created);
    created.catch(() => this.clients.delete(key));
    return created;
  }
}

/**
 * CloudAdapter also builds a user-token client (another HTTP pipeline, ~7 % of a turn in the
 * profile) on every turn, for OAuth sign-in cards this bot never shows. It holds nothing but the
 * bot's app id and credentials, so one per app id is kept (bounded, as the connectors).
 */
class ReusingAuthentication extends ConfigurationBotFrameworkAuthentication {
  static readonly LIMIT = 100;
  private readonly userTokenClients = new Map<string, Promise<UserTokenClient>>();

  override createUserTokenClient(identity: ClaimsIdentity): Promise<UserTokenClient> {
    const key = identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
    const kept = this.userTokenClients.get(key);
    if (kept) return kept;
    const created = super.createUserTokenClient(identity);
    if (this.userTokenClients.size >= ReusingAuthentication.LIMIT) this.userTokenClients.clear();
    this.userTokenClients.set(key, created);
    created.catch(() => this.userTokenClients.delete(key));
    return created;
  }
}

/**
 * The Bot Framework adapter. With `MicrosoftAppId` empty, channel authentication is off (as for
 * the Emulator and the local web chat); with it set, every request must carry a valid token.
 */
export function createAdapter(config: Config, log: Logger): BotAdapter {
  const auth = botFrameworkAuthentication(config);
  const adapter = new BotAdapter(auth);
  // First, so the transcript and every later reader see the capped text.
  adapter.use(textLimit);
  adapter.use(replyLocale(TEXT_LOCALE));

  // A turn that throws ends here: log it with the conversation, apologise calmly, keep serving.
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const conversationId = context.activity.conversation?.id;
    // Two turns of one conversation at once: this one lost the race and saved nothing.
    const raced = error instanceof ETagConflictError;
    if (raced) log.warn({ conversationId, code: error.code }, 'turn lost a concurrent update; the person is asked to resend');
    else log.error({ err: error, conversationId, activityType: context.activity.type }, 'turn failed');
    try {
      await context.sendActivity(raced ? texts.concurrentTurn : texts.turnError);
    } catch (sendError) {
      log.warn({ err: sendError, conversationId: context.activity.conversation?.id }, 'could not send the apology');
    }
  };
  return adapter;
}
