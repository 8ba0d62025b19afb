import { readEventBlocks } from '../../bench/staffDesk';
import { Conversation, type ReplyActivity } from './talk';

export const STAFF = { sam: 'sam-token-0123456789abcdef', kim: 'kim-token-0123456789abcdef' };
export const STAFF_TOKENS = `Sam Rivera:${STAFF.sam},Kim Lee:${STAFF.kim}`;

export interface StaffResponse {
  status: number;
  body: unknown;
}

/** A staff member calling the staff API with their bearer token (or none). */
export class StaffClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
    /** Extra headers on every request (e.g. `x-forwarded-for`, to stand for another address). */
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<StaffResponse> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    return { status: response.status, body: parsed };
  }

  get(path: string): Promise<StaffResponse> {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown): Promise<StaffResponse> {
    return this.request('POST', path, body);
  }
}

export interface FeedEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads the SSE feed with fetch (as EventSource would), collecting events until closed. */
export async function openFeed(url: string): Promise<{ events: FeedEvent[]; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  if (response.status !== 200 || !response.body) throw new Error(`feed answered ${response.status}`);
  const events: FeedEvent[] = [];
  void readEventBlocks(response.body, (block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    const parsed: unknown = data ? JSON.parse(data) : undefined;
    if (event && isRecord(parsed)) events.push({ event, data: parsed });
  });
  return { events, close: () => controller.abort() };
}

/** Polls until `check` returns a value (not undefined/false), or fails after the deadline with `what`. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, deadlineMs = 10_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A person whose channel is the fake channel server, so the bot's proactive sends are captured. */
export class ChannelConversation extends Conversation {
  constructor(
    baseUrl: string,
    private readonly serviceUrl: string,
    userId?: string,
    id?: string,
  ) {
    super(baseUrl, userId, id);
  }

  override send(activity: Record<string, unknown>): Promise<ReplyActivity[]> {
    return super.send({ serviceUrl: this.serviceUrl, ...activity });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asList(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error(`expected a JSON array, got ${JSON.stringify(value)}`);
  return value.filter(isRecord);
}
