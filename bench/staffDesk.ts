import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplyActivity } from './load';

/**
 * The other side of the conversations: a channel's Connector half that takes the bot's replies
 * and its proactive sends (staff joined, staff messages, the "is it solved?" question), and a
 * simulated member of staff signed in to the live feed, who learns of each new escalation from it
 * as the staff console does, then claims, replies and closes through the staff API.
 */
export const BENCH_STAFF = { name: 'Robin Bench', token: 'bench-staff-token-0123456789' };
export const BENCH_STAFF_TOKENS = `${BENCH_STAFF.name}:${BENCH_STAFF.token}`;
/** What the simulated staff member writes to the person. */
export const STAFF_REPLY = 'Hi, this is the support team. Click the padlock left of the address bar and allow the microphone.';

export interface FakeChannel {
  serviceUrl: string;
  /** Activities the bot has posted here so far: replies, and what it sent outside a turn. */
  received(): number;
  /**
   * Takes the replies to one activity (posted to `…/activities/<its id>`), in the order they came.
   * Sends outside a turn carry no replyToId, so they are counted but never taken as a turn's replies.
   */
  takeReplies(activityId: string): ReplyActivity[];
  close(): Promise<void>;
}

/**
 * A channel's Connector half (`POST /v3/conversations/:id/activities[/:replyToId]`), as Azure's
 * channels and the Emulator are: it takes the bot's replies when they are posted rather than
 * returned (`npm run bench -- --delivery channel`), and its proactive sends.
 */
export async function startFakeChannel(): Promise<FakeChannel> {
  let received = 0;
  let next = 0;
  const replies = new Map<string, ReplyActivity[]>();
  const server = http.createServer((req, res) => {
    const replyTo = req.method === 'POST' ? /^\/v3\/conversations\/[^/]+\/activities(?:\/([^/?]+))?/.exec(req.url ?? '') : null;
    const chunks: Buffer[] = [];
    // Only a reply's body is read: the rest is counted.
    if (replyTo?.[1]) req.on('data', (chunk: Buffer) => chunks.push(chunk));
    else req.resume();
    req.on('end', () => {
      if (replyTo) received++;
      const replyToId = replyTo?.[1] && decodeURIComponent(replyTo[1]);
      if (replyToId) {
        const list = replies.get(replyToId) ?? [];
        list.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReplyActivity);
        replies.set(replyToId, list);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `bench-${++next}` }));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}`,
    received: () => received,
    takeReplies(activityId) {
      const list = replies.get(activityId) ?? [];
      replies.delete(activityId);
      return list;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The staff member's live feed: signed in (so escalations queue rather than file), new escalations by conversation. */
export class StaffFeed {
  private readonly controllers: AbortController[] = [];
  private readonly known = new Map<string, string>();
  private readonly waiting = new Map<string, (id: string) => void>();

  /** Opens the feed on each instance (an escalation appears on every instance's feed; the first tells). */
  static async open(urls: readonly string[]): Promise<StaffFeed> {
    const feed = new StaffFeed();
    await Promise.all(urls.map((url) => feed.listen(url)));
    return feed;
  }

  private async listen(url: string): Promise<void> {
    const controller = new AbortController();
    this.controllers.push(controller);
    const response = await fetch(`${url}/api/staff/events`, { signal: controller.signal, headers: { accept: 'text/event-stream', authorization: `Bearer ${BENCH_STAFF.token}` } });
    if (response.status !== 200 || !response.body) throw new Error(`staff feed at ${url} answered ${response.status}`);
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    void readEventBlocks(response.body, (block) => {
      if (block.includes('event: ready')) ready();
      if (block.includes('event: escalation.created')) this.created(block);
    });
    await isReady;
  }

  private created(block: string): void {
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (!data) return;
    const parsed: unknown = JSON.parse(data);
    const escalation = typeof parsed === 'object' && parsed !== null && 'escalation' in parsed ? parsed.escalation : undefined;
    if (typeof escalation !== 'object' || escalation === null || !('id' in escalation) || !('conversationId' in escalation)) return;
    const id = String(escalation.id);
    const conversationId = String(escalation.conversationId);
    const waiter = this.waiting.get(conversationId);
    if (waiter) {
      this.waiting.delete(conversationId);
      waiter(id);
    } else this.known.set(conversationId, id);
  }

  /** The escalation of a conversation, once the feed has shown it (or undefined after `timeoutMs`). */
  escalationOf(conversationId: string, timeoutMs = 10_000): Promise<string | undefined> {
    const id = this.known.get(conversationId);
    if (id !== undefined) {
      this.known.delete(conversationId);
      return Promise.resolve(id);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(conversationId);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(conversationId, (found) => {
        clearTimeout(timer);
        resolve(found);
      });
    });
  }

  close(): void {
    for (const c of this.controllers) c.abort();
  }
}

/** Hands each event of a server-sent event stream (its text up to the blank line) to `onBlock`, until the stream ends or is aborted. */
export async function readEventBlocks(body: ReadableStream<Uint8Array>, onBlock: (block: string) => void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        onBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch {
    // aborted
  }
}
