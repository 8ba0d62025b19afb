import { randomUUID } from 'node:crypto';

export interface ReplyActivity {
  type: string;
  text?: string;
  name?: string;
  value?: unknown;
  channelData?: { adviceId?: string; questionId?: string; [key: string]: unknown };
  suggestedActions?: { actions: { title?: string; value?: unknown }[] };
  attachments?: { contentType: string; name?: string; content?: unknown }[];
}

/**
 * A person in one conversation talking to `POST /api/messages` with `expectReplies`, so each
 * call returns the bot's replies to that turn, as the Bot Framework protocol defines.
 */
export class Conversation {
  readonly id: string;
  constructor(
    private baseUrl: string,
    readonly userId = `user-${randomUUID().slice(0, 8)}`,
    id?: string,
  ) {
    this.id = id ?? `conv-${randomUUID()}`;
  }

  /** Points the same conversation at another server (e.g. after a restart). */
  moveTo(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  async send(activity: Record<string, unknown>): Promise<ReplyActivity[]> {
    const response = await fetch(`${this.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channelId: 'test',
        serviceUrl: 'http://127.0.0.1:9/unused',
        deliveryMode: 'expectReplies',
        conversation: { id: this.id },
        from: { id: this.userId, name: 'Alex' },
        recipient: { id: 'tech-support-bot', name: 'Technical Support' },
        id: randomUUID(),
        timestamp: new Date().toISOString(),
        ...activity,
      }),
    });
    if (response.status !== 200) throw new Error(`POST /api/messages → ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { activities?: ReplyActivity[] };
    return body.activities ?? [];
  }

  say(text: string): Promise<ReplyActivity[]> {
    return this.send({ type: 'message', text });
  }

  join(): Promise<ReplyActivity[]> {
    return this.send({
      type: 'conversationUpdate',
      membersAdded: [{ id: this.userId, name: 'Alex' }],
    });
  }
}

export function texts(replies: ReplyActivity[]): string[] {
  return replies.filter((r) => r.type === 'message').map((r) => r.text ?? '');
}
