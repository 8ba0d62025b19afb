import { randomUUID } from 'node:crypto';
import type { Delivered, FakeTeams } from './fakeTeams';

/** The bot as Teams addresses it: `28:` and the app id. */
export const TEAMS_BOT = { id: '28:7d1f6c52-5b1e-4d0c-9d55-0c2f4c8f2b07', name: 'Technical Support' };
export const TENANT_ID = '5c3f2a10-8f7e-4f3b-9a61-2d4e5f6a7b8c';

export type TeamsScope =
  | { type: 'personal' }
  | { type: 'groupChat' }
  /** A team channel; each top-level post is its own conversation (`;messageid=`). */
  | { type: 'channel'; teamId: string; channelId: string };

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}

export function teamsUser(name: string): TeamsUser {
  return { id: `29:1${randomUUID().replace(/-/g, '')}`, name, aadObjectId: randomUUID() };
}

/**
 * One Teams conversation as Teams sends it: `msteams`, the conversation type and tenant, the
 * client's locale, and in channels and group chats the bot's @mention in the text with its
 * mention entity. Turns go through `POST /api/messages` without expectReplies, so replies reach
 * the fake Teams Connector over HTTP, as in production; each call returns what it accepted.
 */
export class TeamsConversation {
  readonly id: string;

  constructor(
    private readonly botUrl: string,
    private readonly teams: FakeTeams,
    readonly scope: TeamsScope,
    readonly user: TeamsUser = teamsUser('Alex Kim'),
    id?: string,
  ) {
    this.id = id ?? defaultConversationId(scope);
  }

  async send(activity: Record<string, unknown>): Promise<Delivered[]> {
    const before = this.teams.to(this.id).length;
    const response = await fetch(`${this.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channelId: 'msteams',
        serviceUrl: this.teams.serviceUrl,
        id: `${Date.now()}${Math.floor(Math.random() * 1000)}`,
        timestamp: new Date().toISOString(),
        localTimestamp: new Date().toISOString(),
        locale: 'de-DE',
        from: this.user,
        recipient: TEAMS_BOT,
        conversation: this.conversation(),
        channelData: this.channelData(),
        ...activity,
      }),
    });
    if (response.status !== 200) throw new Error(`POST /api/messages → ${response.status}: ${await response.text()}`);
    return this.teams.to(this.id).slice(before);
  }

  /** What a person types; outside personal chats Teams delivers it only with the bot mentioned. */
  say(text: string): Promise<Delivered[]> {
    const clientInfo = { type: 'clientInfo', locale: 'de-DE', country: 'DE', platform: 'Web', timezone: 'Europe/Berlin' };
    if (this.scope.type === 'personal') return this.send({ type: 'message', text, textFormat: 'plain', entities: [clientInfo] });
    const mention = `<at>${TEAMS_BOT.name}</at>`;
    return this.send({
      type: 'message',
      text: `${mention} ${text}`,
      textFormat: 'plain',
      entities: [{ type: 'mention', text: mention, mentioned: TEAMS_BOT }, clientInfo],
    });
  }

  /** A card button (messageBack): its text comes with no mention, even in a channel. */
  click(title: string): Promise<Delivered[]> {
    return this.send({ type: 'message', text: title, value: { choice: title } });
  }

  /** A suggested action (personal chats): Teams posts its value as the person's message. */
  tap(title: string): Promise<Delivered[]> {
    return this.send({ type: 'message', text: title });
  }

  membersAdded(members: { id: string; name?: string }[]): Promise<Delivered[]> {
    const eventType = this.scope.type === 'channel' ? 'teamMemberAdded' : undefined;
    return this.send({ type: 'conversationUpdate', membersAdded: members, channelData: { ...this.channelData(), eventType } });
  }

  conversation(): Record<string, unknown> {
    const base = { id: this.id, conversationType: this.scope.type, tenantId: TENANT_ID };
    return this.scope.type === 'personal' ? base : { ...base, isGroup: true };
  }

  channelData(): Record<string, unknown> {
    const tenant = { id: TENANT_ID };
    if (this.scope.type !== 'channel') return { tenant };
    return { tenant, team: { id: this.scope.teamId, name: 'Conference crew' }, channel: { id: this.scope.channelId, name: 'Help desk' } };
  }
}

function defaultConversationId(scope: TeamsScope): string {
  const token = randomUUID().replace(/-/g, '');
  if (scope.type === 'personal') return `a:1${token}`;
  if (scope.type === 'groupChat') return `19:${token}@thread.v2`;
  return `${scope.channelId};messageid=${Date.now()}`;
}

/** Texts of what a turn delivered. */
export function said(delivered: Delivered[]): string[] {
  return delivered.filter((d) => d.activity.type === 'message').map((d) => d.activity.text ?? '');
}
