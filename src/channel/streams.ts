import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger';
import type { Notifier } from '../store';
import type { ChannelActivity } from './activities';
import type { ActivityLog } from './activityLog';
import { bearerToken } from '../bearer';
import { hashToken } from './tokens';

/** Close codes a Direct Line client reconnects after (DirectLineJS fetches a new `streamUrl` on any close). */
export const STREAM_CLOSE = {
  /** The server is restarting or draining: connect again, to this or another instance. */
  restart: 1012,
  /** The token the stream was opened with has expired: reconnect with the refreshed one. */
  tokenExpired: 1008,
  /** The client reads too slowly to keep up. */
  tooSlow: 1013,
} as const;

const TOPIC = 'channel_activity';
const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/;
/** Largest set read from the log at once; a backlog goes out as several sets. */
const PAGE_SIZE = 100;
/** A client that leaves this much unread is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** What goes through the store's notifier: which conversation has news, and a typing activity (never stored). */
interface Announcement {
  from: string;
  conversationId: string;
  typing?: ChannelActivity;
}

interface OpenStream {
  conversationId: string;
  socket: WebSocket;
  watermark: number;
  pumping: boolean;
  again: boolean;
  alive: boolean;
  expiry: NodeJS.Timeout;
}

export interface ActivityStreamsDeps {
  log: Logger;
  activityLog: ActivityLog;
  notifier: Notifier;
  /** How often idle streams are pinged (and dead ones dropped); 30 s by default. */
  heartbeatMs?: number;
}

/**
 * Direct Line's WebSocket streams (`GET …/conversations/:id/stream`): each open stream is sent
 * `{activities, watermark}` sets as the conversation's activities are written, typing included.
 * Writes are announced on the store's notifier, so a stream held by one instance hears of an
 * activity written by another (PostgreSQL LISTEN/NOTIFY); the activities themselves are read
 * from the store, from the stream's own watermark, so none is skipped or sent twice.
 */
export class ActivityStreams {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  private readonly streams = new Map<string, Set<OpenStream>>();
  /** Notifications from this instance are handled at once, and skipped when they come back. */
  private readonly instance = randomBytes(8).toString('hex');
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly deps: ActivityStreamsDeps) {
    this.unsubscribe = deps.notifier.subscribe(TOPIC, (payload) => this.heard(payload));
    this.heartbeat = setInterval(() => this.beat(), deps.heartbeatMs ?? 30_000).unref();
  }

  /** How many streams are open on this instance. */
  get size(): number {
    let count = 0;
    for (const set of this.streams.values()) count += set.size;
    return count;
  }

  /** Tells every stream of the conversation, on any instance, that it has new activities. */
  async announce(conversationId: string): Promise<void> {
    await this.spread({ from: this.instance, conversationId });
  }

  /** Sends a typing activity to the conversation's streams; polling clients never see it (as on Azure). */
  async typing(conversationId: string, activity: ChannelActivity): Promise<void> {
    await this.spread({ from: this.instance, conversationId, typing: activity });
  }

  /**
   * For the HTTP server's `upgrade` event. Answers stream requests (and refuses bad ones with an
   * HTTP status, as a WebSocket client expects); returns false for any other path.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match?.[1]) return false;
    // Shutting down: the client retries, and the load balancer sends it to another instance.
    if (this.closed) {
      refuse(socket, 503, 'Service Unavailable');
      return true;
    }
    void this.open(req, socket, head, decodeURIComponent(match[1]), url).catch((error: unknown) => {
      this.deps.log.warn({ err: error }, 'web chat stream could not open');
      refuse(socket, 503, 'Service Unavailable');
    });
    return true;
  }

  /** Closes every open stream with a code clients reconnect after (a drain, a restart). */
  closeAll(code: number = STREAM_CLOSE.restart, reason = 'server restarting'): void {
    for (const set of this.streams.values()) for (const stream of set) stream.socket.close(code, reason);
  }

  /** Closes every stream and stops listening; for shutdown. */
  close(): void {
    this.closed = true;
    this.closeAll();
    this.unsubscribe();
    clearInterval(this.heartbeat);
  }

  private async open(req: IncomingMessage, socket: Duplex, head: Buffer, conversationId: string, url: URL): Promise<void> {
    const token = url.searchParams.get('t') ?? bearerToken(req.headers.authorization);
    if (!token) return refuse(socket, 401, 'Unauthorized');
    const raw = url.searchParams.get('watermark') ?? '';
    if (!/^(-|\d{0,15})$/.test(raw)) return refuse(socket, 400, 'Bad Request');
    const found = await this.deps.activityLog.findToken(hashToken(token), new Date());
    if (!found || found.conversationId !== conversationId) return refuse(socket, 403, 'Forbidden');

    this.server.handleUpgrade(req, socket, head, (ws) => {
      const stream: OpenStream = {
        conversationId,
        socket: ws,
        watermark: raw === '' || raw === '-' ? 0 : Number(raw),
        pumping: false,
        again: false,
        alive: true,
        expiry: setTimeout(() => ws.close(STREAM_CLOSE.tokenExpired, 'token expired'), Math.max(0, found.expiresAt.getTime() - Date.now())).unref(),
      };
      let set = this.streams.get(conversationId);
      if (!set) this.streams.set(conversationId, (set = new Set()));
      set.add(stream);
      ws.on('pong', () => (stream.alive = true));
      // Clients send empty messages as their own keep-alive; nothing they send is an activity.
      ws.on('message', () => (stream.alive = true));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        clearTimeout(stream.expiry);
        set.delete(stream);
        if (set.size === 0) this.streams.delete(conversationId);
      });
      this.pump(stream);
    });
  }

  private async spread(announcement: Announcement): Promise<void> {
    this.deliver(announcement);
    try {
      await this.deps.notifier.publish(TOPIC, JSON.stringify(announcement));
    } catch (error) {
      // The activity is stored: polling clients get it, and streams elsewhere on their next news.
      this.deps.log.warn({ err: error, conversationId: announcement.conversationId }, 'other instances could not be told of a web chat activity');
    }
  }

  private heard(payload: string): void {
    const announcement = parseAnnouncement(payload);
    if (announcement && announcement.from !== this.instance) this.deliver(announcement);
  }

  private deliver(announcement: Announcement): void {
    const set = this.streams.get(announcement.conversationId);
    if (!set) return;
    for (const stream of set) {
      if (announcement.typing) send(stream, { activities: [announcement.typing] });
      else this.pump(stream);
    }
  }

  /** Sends everything after the stream's watermark; news that comes in meanwhile makes it read again. */
  private pump(stream: OpenStream): void {
    if (stream.pumping) {
      stream.again = true;
      return;
    }
    stream.pumping = true;
    void (async () => {
      try {
        do {
          stream.again = false;
          let page;
          do {
            page = await this.deps.activityLog.after(stream.conversationId, stream.watermark, PAGE_SIZE);
            if (page.length === 0 || stream.socket.readyState !== stream.socket.OPEN) break;
            stream.watermark = page.at(-1)?.seq ?? stream.watermark;
            send(stream, { activities: page.map((entry) => entry.activity), watermark: String(stream.watermark) });
          } while (page.length === PAGE_SIZE);
        } while (stream.again);
      } catch (error) {
        this.deps.log.warn({ err: error, conversationId: stream.conversationId }, 'web chat stream could not read the conversation');
        // The client reconnects from its watermark and reads what it missed.
        stream.socket.close(STREAM_CLOSE.restart, 'try again');
      } finally {
        stream.pumping = false;
      }
    })();
  }

  private beat(): void {
    for (const set of this.streams.values()) {
      for (const stream of set) {
        if (!stream.alive) {
          stream.socket.terminate();
          continue;
        }
        stream.alive = false;
        stream.socket.ping();
      }
    }
  }
}

function send(stream: OpenStream, set: { activities: ChannelActivity[]; watermark?: string }): void {
  if (stream.socket.readyState !== stream.socket.OPEN) return;
  if (stream.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    stream.socket.close(STREAM_CLOSE.tooSlow, 'reading too slowly');
    return;
  }
  stream.socket.send(JSON.stringify(set));
}

/** Refuses an upgrade with a plain HTTP answer, as a WebSocket client expects. */
function refuse(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function parseAnnouncement(payload: string): Announcement | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null || !('from' in value) || !('conversationId' in value)) return undefined;
    const { from, conversationId } = value;
    if (typeof from !== 'string' || typeof conversationId !== 'string') return undefined;
    const typing = 'typing' in value && isActivity(value.typing) ? value.typing : undefined;
    return { from, conversationId, typing };
  } catch {
    return undefined;
  }
}

function isActivity(value: unknown): value is ChannelActivity {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'type' in value && typeof value.type === 'string';
}
