import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/**
 * The slowest turn a person can cause with one long message: a conversation is walked to a
 * support record (where free text and "note:" go into the record), then long adversarial texts
 * are sent, each as a note and as plain text. Reported against a budget, never asserted: the
 * tests check that such turns are answered while `/healthz` keeps answering.
 */
export const LONG_MESSAGE_BUDGET_MS = 250;
const RUNS = ['a', 'a@', 'a.', ' ', '1', '1 ', 'a.b@c.', 'http://a.b/', ' @a.', '+1 (2'];
const LENGTH = 200_000;

export interface LongMessageFigures {
  turns: number;
  slowestMs: number;
  medianMs: number;
  slowestKind: string;
}

export async function measureLongMessages(baseUrl: string): Promise<LongMessageFigures> {
  const conversation = `long-${randomUUID()}`;
  const say = async (text: string) => {
    const response = await fetch(`${baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message', text, channelId: 'bench', deliveryMode: 'expectReplies', serviceUrl: 'http://127.0.0.1:9/unused',
        conversation: { id: conversation }, from: { id: 'person' }, recipient: { id: 'bot' },
      }),
    });
    if (response.status !== 200) throw new Error(`long message turn → ${response.status}`);
    return ((await response.json()) as { activities?: { text?: string; suggestedActions?: { actions: { title?: string }[] } }[] }).activities ?? [];
  };

  let replies = await say('my camera shows a black screen on my windows laptop in chrome');
  for (let turn = 0; turn < 40 && !replies.some((r) => r.text?.includes('support record')); turn++) {
    const buttons = replies.at(-1)?.suggestedActions?.actions.map((a) => a.title ?? '') ?? [];
    replies = await say(buttons.includes("Didn't help") ? "Didn't help" : buttons.includes("I don't know") ? "I don't know" : buttons.at(-1) ?? 'no');
  }
  if (!replies.some((r) => r.text?.includes('support record'))) throw new Error('the long-message conversation did not reach a support record');

  const timings: { kind: string; ms: number }[] = [];
  for (const run of RUNS) {
    const body = run.repeat(Math.ceil(LENGTH / run.length)).slice(0, LENGTH);
    for (const [kind, text] of [[`note of ${JSON.stringify(run)}`, `note: ${body}`], [`text of ${JSON.stringify(run)}`, body]] as const) {
      const t0 = performance.now();
      await say(text);
      timings.push({ kind, ms: performance.now() - t0 });
    }
  }
  const sorted = timings.map((t) => t.ms).sort((a, b) => a - b);
  const slowest = timings.reduce((a, b) => (b.ms > a.ms ? b : a));
  return { turns: timings.length, slowestMs: slowest.ms, medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, slowestKind: slowest.kind };
}

export function longMessageLine(f: LongMessageFigures): string {
  const met = f.slowestMs <= LONG_MESSAGE_BUDGET_MS ? 'met' : 'NOT met';
  return `long messages (${f.turns} turns of 200 000 characters after a support record): slowest ${f.slowestMs.toFixed(0)} ms (${f.slowestKind}), median ${f.medianMs.toFixed(0)} ms (budget ≤ ${LONG_MESSAGE_BUDGET_MS} ms ${met})`;
}
