import { EventEmitter } from 'node:events';
import { sql, type Kysely } from 'kysely';
import { Client } from 'pg';
import type { Database } from './schema';
import { AppError } from '../errors';
import { EventLoopBatches } from '../eventLoopBatches';

/**
 * Live notifications between the parts of the bot — and, on PostgreSQL, between instances:
 * a staff console on instance A hears of an escalation created on B, a person polling A hears
 * of a staff reply sent to B. Payloads are small (ids); readers fetch the rest from the store.
 */
export interface Notifier {
  publish(topic: string, payload: string): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(topic: string, listener: (payload: string) => void): () => void;
  close(): Promise<void>;
}

/** One process (SQLite): an in-memory event bus is all it takes. */
export class LocalNotifier implements Notifier {
  private readonly events = new EventEmitter().setMaxListeners(0);

  async publish(topic: string, payload: string): Promise<void> {
    this.events.emit(topic, payload);
  }

  subscribe(topic: string, listener: (payload: string) => void): () => void {
    this.events.on(topic, listener);
    return () => this.events.off(topic, listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}

const MAX_PAYLOAD = 7900; // PostgreSQL's NOTIFY limit is 8000 bytes

interface Notification {
  channel: string;
  payload: string;
}

/**
 * PostgreSQL LISTEN/NOTIFY: no extra service. One dedicated connection listens (a pooled one
 * cannot: LISTEN belongs to a session) and reconnects with backoff if the server goes away;
 * publishing goes through the pool. Channel names carry the schema, so test runs in separate
 * schemas of one database do not hear each other. Notifications published in the same turn of
 * the event loop go in one statement (an urgent conversation publishes about six), each caller
 * still answered only once its own is sent.
 */
export class PostgresNotifier implements Notifier {
  private readonly events = new EventEmitter().setMaxListeners(0);
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private retryMs = 250;
  /** The listening connection's commands, one at a time: pg queues a second query on a busy client only with a warning (an error from pg 9). */
  private commands: Promise<unknown> = Promise.resolve();
  private readonly outgoing = new EventLoopBatches<Notification>((batch) => this.notify(batch), 100);

  constructor(
    private readonly db: Kysely<Database>,
    private readonly connectionString: string,
    private readonly namespace: string,
  ) {}

  private channel(topic: string): string {
    return `${this.namespace}_${topic}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
  }

  async publish(topic: string, payload: string): Promise<void> {
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new AppError('NOTIFICATION_TOO_LARGE', `notification payload over ${MAX_PAYLOAD} bytes on ${topic}`);
    await this.outgoing.add({ channel: this.channel(topic), payload });
  }

  /**
   * One statement for a batch, in the order published. Within one transaction PostgreSQL delivers
   * a repeated channel and payload only once, so a repeat waits for a statement of its own.
   */
  private async notify(batch: readonly Notification[]): Promise<void> {
    let rest = batch;
    while (rest.length > 0) {
      const seen = new Set<string>();
      const now: Notification[] = [];
      const later: Notification[] = [];
      for (const n of rest) {
        const key = `${n.channel}\u0000${n.payload}`;
        (seen.has(key) ? later : now).push(n);
        seen.add(key);
      }
      // unnest reads the arrays out in order, and pg_notify runs row by row as the rows come.
      await sql`select pg_notify(c, p) from unnest(${now.map((n) => n.channel)}::text[], ${now.map((n) => n.payload)}::text[]) as t(c, p)`.execute(this.db);
      rest = later;
    }
  }

  subscribe(topic: string, listener: (payload: string) => void): () => void {
    const channel = this.channel(topic);
    const first = this.events.listenerCount(channel) === 0;
    this.events.on(channel, listener);
    if (first) void this.listen(channel);
    return () => this.events.off(channel, listener);
  }

  /** Resolves when the listening connection is up and listens to every subscribed topic. */
  async ready(): Promise<void> {
    await this.connect();
  }

  private async listen(channel: string): Promise<void> {
    try {
      await this.connect();
      if (this.client) await this.command(this.client, `LISTEN "${channel}"`);
    } catch {
      // The reconnect below re-issues LISTEN for every channel with listeners.
    }
  }

  private connect(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new Client({ connectionString: this.connectionString });
      client.on('notification', (message) => this.events.emit(message.channel, message.payload ?? ''));
      client.on('error', () => this.lost(client));
      client.on('end', () => this.lost(client));
      try {
        await client.connect();
        for (const channel of this.events.eventNames()) await this.command(client, `LISTEN "${String(channel)}"`);
        this.client = client;
        this.retryMs = 250;
      } catch (error) {
        void client.end().catch(() => {});
        this.scheduleReconnect();
        throw error;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private command(client: Client, text: string): Promise<void> {
    const done = this.commands.then(() => client.query(text));
    this.commands = done.catch(() => undefined);
    return done.then(() => undefined);
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5000);
    setTimeout(() => void this.connect().catch(() => {}), delay).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events.removeAllListeners();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
