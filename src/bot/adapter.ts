import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationConstants, ConnectorFactory, GovernmentConstants, type AuthenticateRequestResult, type ServiceClientCredentialsFactory, type BotFrameworkAuthentication, type ClaimsIdentity, type ConnectorClient, type UserTokenClient } from 'botframework-connector';
import { AppError } from '../errors';
import { ConversationTurns } from './conversationTurns';
import { watchSigningKeys } from './signingKeys';
import { ETagConflictError } from '../store';
import type { Config } from '../config';
import { turnLog, type Logger } from '../logger';
import { TEXT_LOCALE, texts } from '../../dialogs';
import { replyLocale } from './replyLocale';
import { textLimit } from './textLimit';
import { postingDirectly } from './activityPoster';

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
export function botFrameworkAuthentication(config: Config, credentials?: ChannelCredentials): ReusingAuthentication {
  const settings = botFrameworkSettings(config);
  return new ReusingAuthentication(settings.authentication, credentials ?? new ConfigurationServiceClientCredentialFactory(settings.credentials));
}

/** Where the channel's and the Emulator's signing keys are published for these settings. */
function signingKeyUrls(config: Config): string[] {
  const { authentication } = botFrameworkSettings(config);
  const cloud = config.ChannelService?.toLowerCase() === GovernmentConstants.ChannelService ? GovernmentConstants : AuthenticationConstants;
  const channel = authentication.ToBotFromChannelOpenIdMetadataUrl ?? cloud.ToBotFromChannelOpenIdMetadataUrl;
  const emulator = authentication.ToBotFromEmulatorOpenIdMetadataUrl ?? cloud.ToBotFromEmulatorOpenIdMetadataUrl;
  return [...new Set([channel, emulator].filter((url): url is string => typeof url === 'string'))];
}

/**
 * CloudAdapter with authentication as an explicit first step, so that every way a token can be
 * wrong (missing, malformed, bad signature, expired, wrong audience) is a 401 before the bot
 * runs — `CloudAdapter.process` answers 500 for some of them — and HTTP stays in our handler.
 */
export class BotAdapter extends CloudAdapter {
  constructor(
    private readonly auth: BotFrameworkAuthentication,
    private readonly local?: LocalConnector,
  ) {
    super(auth);
  }

  /** Checks the caller's token against the activity's channel and serviceUrl; 401 for every way it can be wrong. */
  async authenticate(activity: Activity, authorization: string): Promise<AuthenticateRequestResult> {
    try {
      return await this.auth.authenticateRequest(activity, authorization);
    } catch (error) {
      throw new AppError('UNAUTHORIZED', 'The request is not authorized.', { cause: error });
    }
  }

  /** Runs one turn for an inbound activity; the result is the HTTP answer (expectReplies, invoke). */
  async runTurn(activity: Activity, authorization: string | AuthenticateRequestResult, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    const authenticated = typeof authorization === 'string' ? await this.authenticate(activity, authorization) : authorization;
    const connectorFactory = authenticated.connectorFactory && new ReusedConnectorFactory(authenticated.connectorFactory, this.connectors, authenticated.claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? '');
    return this.processActivity({ ...authenticated, connectorFactory }, activity, logic);
  }

  private readonly connectors = new PromiseCache<ConnectorClient>(100);
  private readonly turns = new ConversationTurns();

  /** Every turn, inbound or proactive, passes here: one at a time per conversation. */
  protected override runMiddleware(context: TurnContext, next: (context: TurnContext) => Promise<void>): Promise<void> {
    const { channelId, conversation } = context.activity;
    const key = typeof conversation?.id === 'string' ? `${channelId}/${conversation.id}` : undefined;
    return this.turns.run(key, () => super.runMiddleware(context, next));
  }

  /**
   * Proactive sends (staff messages, queue updates, timeouts) to a conversation of the local web
   * chat go to this process's own Connector half, which takes no token: asking the identity
   * service for one would fail without Azure and lose the message. Other channels keep the
   * credentialed connector.
   */
  protected override async processProactive(claimsIdentity: ClaimsIdentity, continuation: Partial<Activity>, audience: string | undefined, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const local = this.local;
    if (!local?.serves(continuation)) return super.processProactive(claimsIdentity, continuation, audience, logic);
    if (!isContinuation(continuation)) throw new Error('unreachable: a continuation activity always has its envelope');
    // The turn botbuilder's processProactive runs, with the loopback connector in place of the credentialed one.
    await this.processActivity({ audience: audience ?? AuthenticationConstants.ToChannelFromBotOAuthScope, claimsIdentity, callerId: undefined, connectorFactory: local.connectorFactory }, continuation, logic);
  }
}

/** What botbuilder's own continuation activities carry (ActivityEx.getContinuationActivity) and a turn reads first. */
function isContinuation(activity: Partial<Activity>): activity is Activity {
  return typeof activity.type === 'string' && activity.conversation !== undefined && typeof activity.serviceUrl === 'string' && typeof activity.channelId === 'string';
}

/**
 * Promises kept by key, for clients that are costly to build and safe to share. Bounded (cleared
 * when full), since callers may choose the keys; a rejected one is forgotten, so the next call
 * builds again.
 */
class PromiseCache<T> {
  private readonly kept = new Map<string, Promise<T>>();
  constructor(private readonly limit: number) {}

  get(key: string, create: () => Promise<T>): Promise<T> {
    const kept = this.kept.get(key);
    if (kept) return kept;
    const created = create();
    if (this.kept.size >= this.limit) this.kept.clear();
    this.kept.set(key, created);
    created.catch(() => this.kept.delete(key));
    return created;
  }
}

/**
 * CloudAdapter builds a new connector client (an HTTP pipeline) on every turn, even under
 * expectReplies where nothing is sent through it — about 5 % of a turn in the profile. Clients
 * are reused per bot, channel URL and audience, as BotFrameworkAdapter used to; the map is
 * bounded since, with authentication off, anyone chooses the serviceUrl. Their replies are
 * posted directly (./activityPoster.ts).
 */
class ReusedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly clients: PromiseCache<ConnectorClient>,
    private readonly botId: string,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.clients.get(`${this.botId}\n${serviceUrl}\n${audience ?? ''}`, async () => postingDirectly(await this.inner.create(serviceUrl, audience), serviceUrl));
  }
}

/**
 * CloudAdapter also builds a user-token client (another HTTP pipeline, ~7 % of a turn in the
 * profile) on every turn, for OAuth sign-in cards this bot never shows. It holds nothing but the
 * bot's app id and credentials, so one per app id is kept (bounded, as the connectors).
 */
class ReusingAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly userTokenClients = new PromiseCache<UserTokenClient>(100);
  private readonly connectors = new PromiseCache<ConnectorClient>(100);

  override createUserTokenClient(identity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokenClients.get(botIdOf(identity), () => super.createUserTokenClient(identity));
  }

  /**
   * Proactive sends (staff replies, queue updates) get their connector factory here, and built
   * a connector client each (about 3 % of an escalated conversation in the profile): kept per
   * bot, channel URL and audience, as for turns.
   */
  override createConnectorFactory(identity: ClaimsIdentity): ConnectorFactory {
    return new ReusedConnectorFactory(super.createConnectorFactory(identity), this.connectors, botIdOf(identity));
  }
}

/** The bot an identity speaks for: its audience (a channel's token) or its app id (the bot's own). */
function botIdOf(identity: ClaimsIdentity): string {
  return identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/**
 * A channel this process serves itself (the local web chat): which conversations are its, and the
 * connector that reaches them without a token. Given by the composition root, so the adapter
 * does not depend on the channel.
 */
export interface LocalConnector {
  serves(reference: { channelId?: string; serviceUrl?: string }): boolean;
  connectorFactory: ConnectorFactory;
}

/** How the bot obtains the tokens it sends to Azure channels; from MicrosoftAppId/Password unless a host gives its own (a certificate, a test's). */
export type ChannelCredentials = ServiceClientCredentialsFactory;

/**
 * The Bot Framework adapter. With `MicrosoftAppId` empty, channel authentication is off (as for
 * the Emulator and the local web chat); with it set, every request must carry a valid token.
 */
export function createAdapter(config: Config, log: Logger, options: { credentials?: ChannelCredentials; local?: LocalConnector } = {}): BotAdapter {
  const auth = botFrameworkAuthentication(config, options.credentials);
  const adapter = new BotAdapter(auth, options.local);
  // First, so the transcript and every later reader see the capped text.
  adapter.use(textLimit);
  adapter.use(replyLocale(TEXT_LOCALE));
  if (config.MicrosoftAppId) watchSigningKeys(signingKeyUrls(config), log);

  // A turn that throws ends here: log it with the conversation, apologise calmly, keep serving.
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const conversationId = context.activity.conversation?.id;
    // Two turns of one conversation at once: this one lost the race and saved nothing.
    const raced = error instanceof ETagConflictError;
    const turnLines = turnLog(context, log);
    if (raced) turnLines.warn({ conversationId, code: error.code }, 'turn lost a concurrent update; the person is asked to resend');
    else turnLines.error({ err: error, conversationId, activityType: context.activity.type }, 'turn failed');
    try {
      await context.sendActivity(raced ? texts.concurrentTurn : texts.turnError);
    } catch (sendError) {
      turnLines.warn({ err: sendError, conversationId }, 'could not send the apology');
    }
  };
  return adapter;
}
