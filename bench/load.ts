import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { Script, Turn } from './scripts';
import { BENCH_STAFF, STAFF_REPLY, type FakeChannel, type StaffFeed } from './staffDesk';

/**
 * Simulated people over loopback HTTP: each runs whole conversations one turn after another
 * against `POST /api/messages`, and every reply is checked against the script. The replies are
 * posted to the channel's serviceUrl, as Azure's channels, Teams and the Emulator have them
 * (`channel`), or come back in the response (`expectReplies`, a test convenience).
 */
export type Delivery = 'channel' | 'expectReplies';

export interface LoadOptions {
  conversations: number;
  /** People in flight at once (and HTTP connections). */
  concurrency: number;
  /** No turn starts after this; the run's figures cover the turns that were answered. */
  maxMs: number;
  /** Prefix of the conversation ids, so runs never share state. */
  runId?: string;
  /**
   * Only these turns of each script, `[from, to)`: with the same `runId`, a later run goes on
   * with the same conversations (how the benchmark measures turns 30–40 apart from the early ones).
   */
  turns?: readonly [number, number];
  /** Also keep each turn's latency by what was said (or the staff call): `RunResult.latenciesByKind`. */
  byKind?: boolean;
}

/** Who is on the other side of the conversations. */
export interface ClientSides {
  /** How the replies come back; `channel` needs the channel. */
  delivery: Delivery;
  /** The conversations' serviceUrl: it takes proactive sends (staff relays) and, with `channel` delivery, the replies. */
  channel?: FakeChannel;
  /** The staff member's feed, for the urgent scripts' staff turns. */
  feed?: StaffFeed;
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
  /** With `byKind`: the latencies by what the person said ("didn't help"), "join", or the staff call. */
  latenciesByKind?: Map<string, number[]>;
}

export interface ReplyActivity {
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
  constructor(urls: string | readonly string[], connections: number, private readonly sides: ClientSides = { delivery: 'expectReplies' }) {
    if (sides.delivery === 'channel' && !sides.channel) throw new Error('channel delivery needs a channel to post the replies to');
    const list = typeof urls === 'string' ? [urls] : urls;
    const perInstance = Math.max(1, Math.ceil(connections / list.length));
    this.pools = list.map((url) => new Pool(url, { connections: perInstance, pipelining: 1, keepAliveTimeout: 60_000 }));
  }

  async run(scripts: readonly Script[], options: LoadOptions): Promise<RunResult> {
    const runId = options.runId ?? randomUUID().slice(0, 8);
    const result: RunResult = { conversations: 0, turns: 0, errors: 0, errorSamples: [], elapsedMs: 0, latenciesMs: [], ...(options.byKind ? { latenciesByKind: new Map() } : {}) };
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
        if (script) await this.converse(script, `${runId}-${index}`, result, fail, () => performance.now() - started >= options.maxMs, options.turns);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, person));
    result.elapsedMs = performance.now() - started;
    return result;
  }

  /** One whole conversation; a failed turn ends it, since what follows would not match either. */
  private async converse(script: Script, conversationId: string, result: RunResult, fail: (message: string) => void, timeIsUp: () => boolean, turnSlice?: readonly [number, number]): Promise<void> {
    const [from, to] = turnSlice ?? [0, script.turns.length];
    let escalationId: string | undefined;
    for (let i = from; i < Math.min(to, script.turns.length); i++) {
      const turn = script.turns[i];
      // A conversation cut short by the run's time limit is not an error; its answered turns count.
      if (!turn || timeIsUp()) return;
      const pool = this.pools[(i + conversationIndex(conversationId)) % this.pools.length] ?? this.pools[0]!;
      try {
        let request: { path: string; body: string; headers: Record<string, string> };
        const activityId = randomUUID();
        if (turn.staff) {
          escalationId ??= await this.sides.feed?.escalationOf(conversationId);
          if (!escalationId) return fail(`${script.name}, turn ${i}: no escalation on the staff feed`);
          request = staffRequest(turn, escalationId);
        } else {
          request = { path: '/api/messages', body: this.activityBody(turn, conversationId, activityId), headers: { 'content-type': 'application/json' } };
        }
        const sent = performance.now();
        const response = await pool.request({ method: 'POST', ...request });
        const text = await response.body.text();
        const latency = performance.now() - sent;
        result.latenciesMs.push(latency);
        result.turns++;
        if (result.latenciesByKind) {
          const kind = turn.staff ?? turn.say ?? 'join';
          const list = result.latenciesByKind.get(kind);
          if (list) list.push(latency);
          else result.latenciesByKind.set(kind, [latency]);
        }
        const lines = turn.staff ? `${response.statusCode}|${text}` : response.statusCode === 200 ? replyLines(this.repliesTo(activityId, text)) : undefined;
        if (lines === undefined) return fail(`${script.name}, turn ${i}: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
        if (!turn.expect.test(lines)) return fail(`${script.name}, turn ${i} (${JSON.stringify(turn.say ?? turn.staff ?? 'join')}): expected ${turn.expect}, got ${JSON.stringify(lines.slice(0, 200))}`);
      } catch (error) {
        return fail(`${script.name}, turn ${i}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    result.conversations++;
  }

  /**
   * A turn's replies: with `channel` delivery, those posted in reply to its activity (the turn is
   * answered only once its sends are done, so all of them are there by now).
   */
  private repliesTo(activityId: string, responseText: string): ReplyActivity[] {
    if (this.sides.delivery === 'channel') return this.sides.channel?.takeReplies(activityId) ?? [];
    return repliesOf(responseText);
  }

  private activityBody(turn: Turn, conversationId: string, activityId: string): string {
    const userId = `person-${conversationId}`;
    const activity = turn.say === undefined
      ? { type: 'conversationUpdate', membersAdded: [{ id: userId, name: 'Alex' }] }
      : { type: 'message', text: turn.say };
    return JSON.stringify({
      channelId: 'test',
      // Replies (with channel delivery) and staff relays go to the bench's fake channel, when there is one.
      serviceUrl: this.sides.channel?.serviceUrl ?? 'http://127.0.0.1:9/unused',
      ...(this.sides.delivery === 'expectReplies' ? { deliveryMode: 'expectReplies' } : {}),
      conversation: { id: conversationId },
      from: { id: userId, name: 'Alex' },
      recipient: { id: 'tech-support-bot', name: 'Technical Support' },
      id: activityId,
      timestamp: new Date().toISOString(),
      ...activity,
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close()));
  }
}

/** Spreads conversations' first turns over the instances too ("r1-abc-17" → 17). */
function conversationIndex(conversationId: string): number {
  return Number(/(\d+)$/.exec(conversationId)?.[1] ?? 0);
}

/** The staff member's call for a staff turn, with their bearer token. */
function staffRequest(turn: Turn, escalationId: string): { path: string; body: string; headers: Record<string, string> } {
  const headers = { authorization: `Bearer ${BENCH_STAFF.token}`, 'content-type': 'application/json' };
  const base = `/api/escalations/${encodeURIComponent(escalationId)}`;
  if (turn.staff === 'relay') return { path: `${base}/messages`, body: JSON.stringify({ text: STAFF_REPLY }), headers };
  return { path: `${base}/${turn.staff === 'close' ? 'close' : 'claim'}`, body: '{}', headers };
}

function repliesOf(text: string): ReplyActivity[] {
  const parsed: unknown = JSON.parse(text);
  return isReplies(parsed) ? parsed.activities : [];
}

function isReplies(value: unknown): value is { activities: ReplyActivity[] } {
  return typeof value === 'object' && value !== null && 'activities' in value && Array.isArray(value.activities);
}
