import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { CapturedActivity } from './fakeChannel';

/** What Teams accepts as an attachment from a bot; anything else is answered 400 "Unknown attachment type". */
const TEAMS_ATTACHMENT_TYPES = new Set([
  'application/vnd.microsoft.card.adaptive',
  'application/vnd.microsoft.card.hero',
  'application/vnd.microsoft.card.thumbnail',
  'application/vnd.microsoft.card.o365connector',
  'application/vnd.microsoft.card.signin',
  'application/vnd.microsoft.card.oauth',
  'application/vnd.microsoft.teams.card.file.consent',
  'application/vnd.microsoft.teams.card.file.info',
]);
const SUGGESTED_ACTIONS_SHOWN = 3; // personal chats only
const CARD_BUTTONS_SHOWN = 6;

export interface TeamsActivity extends CapturedActivity {
  locale?: string;
  conversation?: { id: string; conversationType?: string };
  attachments?: { contentType: string; name?: string; content?: unknown }[];
}

export interface Delivered {
  activity: TeamsActivity;
  /** Buttons the bot offered (suggested actions and card buttons). */
  offered: string[];
  /** The buttons Teams shows for that conversation type. */
  shown: string[];
}

export interface Refused {
  conversationId: string;
  status: number;
  reason: string;
  activity: unknown;
}

export interface FakeTeams {
  serviceUrl: string;
  delivered: Delivered[];
  refused: Refused[];
  /** Accepted activities sent to one conversation. */
  to(conversationId: string): Delivered[];
  close(): Promise<void>;
}

/**
 * A Teams channel's Connector half, strict where Teams is: only message and typing activities,
 * only attachment types Teams knows (400 otherwise, as Teams answers `application/json`), and the
 * buttons a person would see counted per conversation type — suggested actions at most 3 and only
 * in personal chats, at most 6 buttons on a card.
 */
export async function startFakeTeams(): Promise<FakeTeams> {
  const delivered: Delivered[] = [];
  const refused: Refused[] = [];
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  const receive: express.RequestHandler = (req, res) => {
    const conversationId = String(req.params.conversationId);
    const body: unknown = req.body;
    const refuse = (reason: string) => {
      refused.push({ conversationId, status: 400, reason, activity: body });
      res.status(400).json({ error: { code: 'BadArgument', message: reason } });
    };
    if (!isActivity(body)) return refuse('Activity is malformed');
    if (body.type !== 'message' && body.type !== 'typing') return refuse(`Unknown activity type ${body.type}`);
    const unknown = (body.attachments ?? []).find((a) => !TEAMS_ATTACHMENT_TYPES.has(a.contentType));
    if (unknown) return refuse('Unknown attachment type');
    const activity: TeamsActivity = { ...body, conversation: { ...body.conversation, id: conversationId } };
    delivered.push({ activity, ...countButtons(activity) });
    res.status(201).json({ id: `1:${randomUUID()}` });
  };
  app.post('/amer/v3/conversations/:conversationId/activities', receive);
  app.post('/amer/v3/conversations/:conversationId/activities/:replyToId', receive);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // Shaped like Teams' own (https://smba.trafficmanager.net/amer/): a path, with a trailing slash.
    serviceUrl: `http://127.0.0.1:${port}/amer/`,
    delivered,
    refused,
    to: (conversationId) => delivered.filter((d) => d.activity.conversation?.id === conversationId),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function countButtons(activity: TeamsActivity): { offered: string[]; shown: string[] } {
  const personal = activity.conversation?.conversationType === 'personal';
  const suggested = (activity.suggestedActions?.actions ?? []).map((a) => a.title ?? '');
  const offered = [...suggested];
  const shown = personal ? suggested.slice(0, SUGGESTED_ACTIONS_SHOWN) : [];
  for (const attachment of activity.attachments ?? []) {
    const buttons = cardButtons(attachment.content);
    offered.push(...buttons);
    shown.push(...buttons.slice(0, CARD_BUTTONS_SHOWN));
  }
  return { offered, shown };
}

function cardButtons(content: unknown): string[] {
  if (typeof content !== 'object' || content === null) return [];
  const list: unknown = 'buttons' in content ? content.buttons : 'actions' in content ? content.actions : undefined;
  if (!Array.isArray(list)) return [];
  return list.map((b: unknown) => (typeof b === 'object' && b !== null && 'title' in b && typeof b.title === 'string' ? b.title : ''));
}

function isActivity(value: unknown): value is TeamsActivity {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}
