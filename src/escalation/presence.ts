import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { Notifier } from '../store';

const TOPIC = 'staff_presence';
/** How often an instance repeats who is connected to it, and how long another instance believes it. */
const HEARTBEAT_MS = 15_000;
const TTL_MS = 40_000;

interface Announcement {
  instance: string;
  names: string[];
  /** A starting instance asks the others to announce at once rather than at their next heartbeat. */
  hello?: boolean;
}

/**
 * Who is signed in to the staff console, from its live-feed connections, across instances: each
 * instance announces the names connected to it when they change and every 15 s; an instance
 * that stops announcing (stopped, crashed) is forgotten after 40 s.
 */
export class StaffPresence {
  private readonly local = new Map<string, number>();
  private readonly remote = new Map<string, { names: string[]; until: number }>();
  private readonly instance = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly notifier: Notifier,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.timer) return;
    this.unsubscribe = this.notifier.subscribe(TOPIC, (payload) => this.hear(payload));
    this.timer = setInterval(() => void this.announce(), HEARTBEAT_MS);
    this.timer.unref();
    void this.announce(true);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** A live-feed connection of `name` opened; the returned function closes it. */
  join(name: string): () => void {
    this.local.set(name, (this.local.get(name) ?? 0) + 1);
    void this.announce();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const count = (this.local.get(name) ?? 1) - 1;
      if (count > 0) this.local.set(name, count);
      else this.local.delete(name);
      void this.announce();
    };
  }

  /** Names of staff connected to any instance, sorted. */
  online(): string[] {
    const names = new Set(this.local.keys());
    const now = this.now();
    for (const [instance, seen] of this.remote) {
      if (seen.until < now) this.remote.delete(instance);
      else for (const name of seen.names) names.add(name);
    }
    return [...names].sort();
  }

  private async announce(hello = false): Promise<void> {
    const announcement: Announcement = { instance: this.instance, names: [...this.local.keys()], ...(hello ? { hello } : {}) };
    try {
      await this.notifier.publish(TOPIC, JSON.stringify(announcement));
    } catch (error) {
      this.log.warn({ err: error }, 'staff presence not announced');
    }
  }

  private hear(payload: string): void {
    const value: unknown = safeParse(payload);
    if (!isAnnouncement(value) || value.instance === this.instance) return;
    this.remote.set(value.instance, { names: value.names.slice(0, 1000), until: this.now() + TTL_MS });
    if (value.hello) void this.announce();
  }
}

function safeParse(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

function isAnnouncement(value: unknown): value is Announcement {
  return (
    typeof value === 'object' && value !== null && 'instance' in value && typeof value.instance === 'string' &&
    'names' in value && Array.isArray(value.names) && value.names.every((n: unknown) => typeof n === 'string')
  );
}
