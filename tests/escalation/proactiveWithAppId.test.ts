import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ServiceClientCredentialsFactory, type ServiceClientCredentials } from 'botframework-connector';
import { escalationTexts } from '../../src/escalation/texts';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { makeKey, signJwt, startJwksServer } from '../helpers/jwks';
import { startTestBot } from '../helpers/server';
import { STAFF, STAFF_TOKENS, StaffClient, asList, eventually } from '../helpers/staff';

const APP_ID = '00000000-1111-2222-3333-555555555555';
const URGENT = "I'm presenting in 5 minutes and my mic is blocked";
const TEST_AZURE_TOKEN = 'token-from-the-identity-service';

/**
 * Credentials as the identity service would give them, without the network: every request they
 * sign is noted, so a test sees which sends asked for an Azure token.
 */
class RecordingCredentials extends ServiceClientCredentialsFactory {
  readonly signed: string[] = [];
  async isValidAppId(appId: string) {
    return appId === APP_ID;
  }
  async isAuthenticationDisabled() {
    return false;
  }
  async createCredentials(): Promise<ServiceClientCredentials> {
    return {
      signRequest: async (request: Parameters<ServiceClientCredentials['signRequest']>[0]) => {
        this.signed.push(request.url);
        request.headers.set('authorization', `Bearer ${TEST_AZURE_TOKEN}`);
        return request;
      },
    };
  }
}

interface LoggedActivity {
  type: string;
  text?: string;
  from: { role?: string };
}

/** A person in the bundled web chat, over the local Direct Line channel. */
async function webChatPerson(base: string) {
  const started = await fetch(`${base}/v3/directline/conversations`, { method: 'POST' });
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    conversationId,
    async say(text: string) {
      const posted = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text, from: { id: 'page-user' } }) });
      expect(posted.status).toBe(200);
    },
    async botTexts(): Promise<string[]> {
      const page = (await (await fetch(`${base}/v3/directline/conversations/${conversationId}/activities`, { headers })).json()) as { activities: LoggedActivity[] };
      return page.activities.filter((a) => a.type === 'message' && a.from.role === 'bot').map((a) => a.text ?? '');
    },
  };
}

describe.each([
  ['the configured credentials (no identity service reachable)', false],
  ['credentials that record what they sign', true],
])('proactive sends with MicrosoftAppId set, %s', (_name, recording) => {
  const key = makeKey('proactive-key');
  const credentials = new RecordingCredentials();
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let channel: FakeChannel;
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let sam: StaffClient;

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    channel = await startFakeChannel();
    bot = await startTestBot(
      { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', BotOpenIdMetadata: jwks.metadataUrl, STAFF_TOKENS },
      recording ? { credentials } : {},
    );
    sam = new StaffClient(bot.url, STAFF.sam);
  });
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
    await jwks?.close();
  });

  async function claimEscalationOf(conversationId: string): Promise<string> {
    const escalation = await eventually('the escalation', async () => asList((await sam.get('/api/escalations')).body).find((e) => e.conversationId === conversationId));
    const id = String(escalation.id);
    expect((await sam.post(`/api/escalations/${id}/claim`)).status).toBe(200);
    return id;
  }

  it('a web-chat person (local Direct Line) hears staff join and reply, with no Azure token asked for', async () => {
    const person = await webChatPerson(bot.url);
    await person.say(URGENT);
    const id = await claimEscalationOf(person.conversationId);
    const reply = await sam.post(`/api/escalations/${id}/messages`, { text: 'Hi, open the padlock menu.' });
    expect(reply.status).toBe(201);
    // The local channel shows a staff relay from the staff member, with their words only.
    const heard = await eventually('the staff reply in the web chat', async () => {
      const said = await person.botTexts();
      return said.includes('Hi, open the padlock menu.') && said;
    });
    expect(heard).toContain(escalationTexts.staffJoined('Sam Rivera'));
    expect(credentials.signed.filter((url) => url.startsWith(bot.url))).toEqual([]);
  });

  it.runIf(recording)('a person on an Azure channel is reached through the credentialed connector', async () => {
    const conversationId = `teams-${randomUUID()}`;
    const now = Math.floor(Date.now() / 1000);
    const jwt = signJwt(key, { iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: channel.serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600 });
    const posted = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
      body: JSON.stringify({
        type: 'message', text: URGENT, channelId: 'msteams', serviceUrl: channel.serviceUrl, id: randomUUID(),
        conversation: { id: conversationId }, from: { id: 'teams-user' }, recipient: { id: APP_ID },
      }),
    });
    expect(posted.status).toBe(200);
    const id = await claimEscalationOf(conversationId);
    expect((await sam.post(`/api/escalations/${id}/messages`, { text: 'Hello from staff' })).status).toBe(201);
    const relayed = await eventually('the staff reply on the channel', () => channel.sentTo(conversationId).find((a) => a.text === escalationTexts.staffMessage('Sam Rivera', 'Hello from staff')));
    expect(relayed.authorization).toBe(`Bearer ${TEST_AZURE_TOKEN}`);
    expect(credentials.signed.some((url) => url.startsWith(channel.serviceUrl))).toBe(true);
  });
});
