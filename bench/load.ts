import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { Script } from './scripts';

/**
 * Simulated people over loopback HTTP: each runs whole conversations one turn after another
 * against `POST /api/messages` with `deliveryMode: "expectReplies"`, so every reply comes back in
 * the response and is checked against the script.
 */
export interface LoadOptions {
  conversations: number;
  /** People in flight at once (and HTTP connections). */
  concurrency: number;
  /** No turn starts after this; the run's figures cover the turns that were answered. */
  maxMs: number;
  /** Prefix of the conversation ids, so runs never share state. */
  runId?: string;
}

export interface RunResult {
  conversations: number;
  turns: number;
  errors: number;
  /** The first few errors, for the report. */
  errorSamples: string[];
  elapsedMs: number;
  /** Latency of every turn, milliseconds. */
  latenciesMs: number[];
}

interface ReplyActivity {
  type?: string;
  text?: string;
  channelData?: { adviceId?: unknown };
}

/** The replies of one turn as lines `adviceId|text`, what the scripts' expectations match. */
export function replyLines(activities: readonly ReplyActivity[]): string {
  return activities
    .filter((a) => a.type === 'message')
    .map((a) => `${typeof a.channelData?.adviceId === 'string' ? a.channelData.adviceId : ''}|${a.text ?? ''}`)
    .join('\n');
}

/**
 * Drives one server, or several behind an imaginary non-sticky load balancer: with more than
 * one URL, a conversation's turns go round the instances, so every turn may land elsewhere.
 */
export class LoadClient {
  private readonly pools: Pool[];
  constructor(urls: string | readonly string[], connections: number) {
    const list = typeof urls === 'string' ? [urls] : urls;
    const perInstance = Math.max(1, Math.ceil(connections / list.length));
    this.pools = list.map((url) => new Pool(url, { connections: perInstance, pipelining: 1, keepAliveTimeout: 60_000 }));
  }

  async run(scripts: readonly Script[], options: LoadOptions): Promise<RunResult> {
    const runId = options.runId ?? randomUUID().slice(0, 8);
    const result: RunResult = { conversations: 0, turns: 0, errors: 0, errorSamples: [], elapsedMs: 0, latenciesMs: [] };
    const fail = (message: string) => {
      result.errors++;
      if (result.errorSamples.length < 5) result.errorSamples.push(message);
    };
    const started = performance.now();
    let next = 0;
    const person = async () => {
      while (next < options.conversations && performance.now() - started < options.maxMs) {
        const index = next++;
        const script = scripts[index % scripts.length];
        if (script) await this.converse(script, `${runId}-${index}`, result, fail, () => performance.now() - started >= options.maxMs);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, person));
    result.elapsedMs = performance.now() - started;
    return result;
  }

  /** One whole conversation; a failed turn ends it, since what follows would not match either. */
  private async converse(script: Script, conversationId: string, result: RunResult, fail: (message: string) => void, timeIsUp: () => boolean): Promise<void> {
    const userId = `person-${conversationId}`;
    for (const [i, turn] of script.turns.entries()) {
      // A conversation cut short by the run's time limit is not an error; its answered turns count.
      if (timeIsUp()) return;
      const activity = turn.say === undefined
        ? { type: 'conversationUpdate', membersAdded: [{ id: userId, name: 'Alex' }] }
        : { type: 'message', text: turn.say };
      const body = JSON.stringify({
        channelId: 'test',
        serviceUrl: 'http://127.0.0.1:9/unused',
        deliveryMode: 'expectReplies',
        conversation: { id: conversationId },
        from: { id: userId, name: 'Alex' },
        recipient: { id: 'tech-support-bot', name: 'Technical Support' },
        id: randomUUID(),
        timestamp: new Date().toISOString(),
        ...activity,
      });
      const sent = performance.now();
      try {
        const pool = this.pools[(i + conversationIndex(conversationId)) % this.pools.length] ?? this.pools[0]!;
        const response = await pool.request({ path: '/api/messages', method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await response.body.text();
        result.latenciesMs.push(performance.now() - sent);
        result.turns++;
        if (response.statusCode !== 200) return fail(`${script.name}, turn ${i}: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
        const parsed: unknown = JSON.parse(text);
        const activities = isReplies(parsed) ? parsed.activities : [];
        const lines = replyLines(activities);
        if (!turn.expect.test(lines)) return fail(`${script.name}, turn ${i} (${JSON.stringify(turn.say ?? 'join')}): expected ${turn.expect}, got ${JSON.stringify(lines.slice(0, 200))}`);
      } catch (error) {
        return fail(`${script.name}, turn ${i}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    result.conversations++;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close()));
  }
}

/** Spreads conversations' first turns over the instances too ("r1-abc-17" → 17). */
function conversationIndex(conversationId: string): number {
  return Number(/(\d+)$/.exec(conversationId)?.[1] ?? 0);
}

function isReplies(value: unknown): value is { activities: ReplyActivity[] } {
  return typeof value === 'object' && value !== null && 'activities' in value && Array.isArray(value.activities);
}
