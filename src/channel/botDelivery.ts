import type { Activity, TurnContext } from 'botbuilder';
import {
  AuthenticationConstants,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  MicrosoftAppCredentials,
  type AuthenticateRequestResult,
} from 'botframework-connector';
import { postingDirectly } from '../bot';
import type { ChannelActivity } from './activities';
import type { RequestContext } from '../logger';
import { CHANNEL_ID } from './directLine';

/** An activity on its way to the bot, with the envelope botbuilder needs. */
export interface InboundActivity extends ChannelActivity {
  id: string;
  channelId: string;
  serviceUrl: string;
  timestamp: string;
  from: { id: string; name?: string; role: string };
  recipient: { id: string; name: string; role: string };
  conversation: { id: string };
}

/** Runs one turn of the bot for an activity from the local channel, as part of the request that brought it. */
export type DeliverToBot = (activity: InboundActivity, request: RequestContext | undefined) => Promise<void>;

/** The part of botbuilder's CloudAdapter the channel uses. */
export interface DirectTurns {
  processActivityDirect(authorization: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<void>;
}

/**
 * Replies go to this process's own Connector half over loopback; it needs no token (it
 * answers loopback callers only), so no credentials are fetched for them, whatever the bot's
 * identity.
 */
class LoopbackConnectorFactory extends ConnectorFactory {
  // One client per URL (there is one: this process's), instead of building one every turn.
  private readonly clients = new Map<string, ConnectorClient>();

  async create(serviceUrl: string): Promise<ConnectorClient> {
    let client = this.clients.get(serviceUrl);
    if (!client) {
      client = postingDirectly(new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: serviceUrl }), serviceUrl);
      this.clients.set(serviceUrl, client);
    }
    return client;
  }
}

/**
 * Whether an activity or conversation reference belongs to this local channel: its channel id,
 * and a `serviceUrl` on this machine (Azure's Direct Line, also `directline`, is on https).
 */
export function isLocalConversation(reference: { channelId?: string; serviceUrl?: string }): boolean {
  if (reference.channelId !== CHANNEL_ID || !reference.serviceUrl) return false;
  try {
    const url = new URL(reference.serviceUrl);
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost');
  } catch {
    return false;
  }
}

/** What the adapter needs to send proactive messages to this channel's conversations over loopback. */
export function localConnector(): { serves: typeof isLocalConversation; connectorFactory: ConnectorFactory } {
  return { serves: isLocalConversation, connectorFactory: new LoopbackConnectorFactory() };
}

/**
 * Calls the bot in-process. The local channel is part of this process, so its activities are
 * trusted as a channel's are after authentication: with `MicrosoftAppId` empty the turn runs
 * with an anonymous identity (as botbuilder's own auth-off path makes), with it set the
 * identity names the bot's app id, so the adapter can still build its token client. Proactive
 * sends (staff relays) to these conversations go through the same loopback connector (the
 * adapter is given `localConnector()`).
 */
export function inProcessDelivery(adapter: DirectTurns, appId: string): (inbound: InboundActivity, logic: (context: TurnContext) => Promise<void>) => Promise<void> {
  const claims = appId
    ? new ClaimsIdentity(
        [
          { type: AuthenticationConstants.AppIdClaim, value: appId },
          { type: AuthenticationConstants.AudienceClaim, value: appId },
          { type: AuthenticationConstants.VersionClaim, value: '1.0' },
        ],
        true,
      )
    : new ClaimsIdentity([], AuthenticationConstants.AnonymousAuthType);
  const authenticated: AuthenticateRequestResult = {
    audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
    claimsIdentity: claims,
    callerId: undefined,
    connectorFactory: new LoopbackConnectorFactory(),
  };
  return async (inbound, logic) => {
    await adapter.processActivityDirect(authenticated, toBotActivity(inbound), logic);
  };
}

/** Every field botbuilder reads first is present (checked by the type); the rest it reads defensively. */
function isBotActivity(value: object): value is Activity {
  return 'type' in value && 'conversation' in value && 'from' in value && 'recipient' in value && 'serviceUrl' in value && 'channelId' in value;
}

/** As botbuilder's own HTTP path does: the ISO timestamp becomes a Date and the raw text is kept. */
function toBotActivity(inbound: InboundActivity): Activity {
  const activity = { ...structuredClone(inbound), timestamp: new Date(inbound.timestamp), rawTimestamp: inbound.timestamp };
  if (!isBotActivity(activity)) throw new Error('unreachable: an inbound activity always has its envelope');
  return activity;
}
