import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { texts as botTexts } from '../../dialogs/texts';
import { MAX_TURN_TEXT } from '../../src/bot/textLimit';
import { spawnBot, type BotProcess } from '../helpers/server';
import { STAFF, STAFF_TOKENS, StaffClient, asList } from '../helpers/staff';
import { tempDir } from '../helpers/stores';
import { Conversation, texts } from '../helpers/talk';

/**
 * One long message must never freeze the bot. The bot runs as its own process, so `/healthz`
 * is answered (or not) by the event loop that runs the turn, as in production.
 */
const ADVERSARIAL: [string, string][] = [
  ['letters', 'a'],
  ['a@', 'a@'],
  ['a.', 'a.'],
  ['spaces', ' '],
  ['digits', '1'],
  ['digits and spaces', '1 '],
  ['e-mail-like', 'a.b@c.'],
  ['url-like', 'http://a.b/'],
  ['handle-like', ' @a.'],
  ['phone-like', '+1 (2'],
];
const LENGTH = 200_000;

describe('long adversarial messages after a support record', () => {
  let bot: BotProcess;
  let person: Conversation;
  let recordId: string;
  let sam: StaffClient;

  /** A new conversation walked to the end of its steps, where the bot files a support record. */
  async function personWithSupportRecord(): Promise<{ person: Conversation; recordId: string }> {
    const person = new Conversation(bot.url);
    let replies = await person.say('my camera shows a black screen on my windows laptop in chrome');
    for (let turn = 0; turn < 40 && !texts(replies).some((t) => t.includes('support record')); turn++) {
      const buttons = replies.at(-1)?.suggestedActions?.actions.map((a) => a.title ?? '') ?? [];
      replies = await person.say(buttons.includes(botTexts.stepButtons.notFixed) ? botTexts.stepButtons.notFixed : buttons.includes("I don't know") ? "I don't know" : buttons.at(-1) ?? 'no');
    }
    const recordId = /\((SR-[A-Z0-9]+)\)/.exec(texts(replies).find((t) => t.includes('support record')) ?? '')?.[1] ?? '';
    expect(recordId).not.toBe('');
    return { person, recordId };
  }

  beforeAll(async () => {
    bot = await spawnBot({ DATA_DIR: tempDir(), STAFF_TOKENS });
    sam = new StaffClient(bot.url, STAFF.sam);
    ({ person, recordId } = await personWithSupportRecord());
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
  });

  /** Runs the request while asking `/healthz` every 100 ms; returns the answer and the slowest health check. */
  async function whileWatchingHealth<T>(request: Promise<T>): Promise<{ answer: T; slowestHealthMs: number }> {
    let done = false;
    let slowestHealthMs = 0;
    const watcher = (async () => {
      while (!done) {
        const t0 = performance.now();
        const health = await fetch(`${bot.url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        expect(health.status).toBe(200);
        slowestHealthMs = Math.max(slowestHealthMs, performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      return { answer: await request, slowestHealthMs };
    } finally {
      done = true;
      await watcher;
    }
  }

  it.each(ADVERSARIAL)('a note of %s (200 000 characters) is answered, and /healthz keeps answering', async (_name, run) => {
    const text = `note: ${run.repeat(Math.ceil(LENGTH / run.length))}`.slice(0, LENGTH);
    const { answer, slowestHealthMs } = await whileWatchingHealth(person.say(text));
    // Before the cap and the linear contact scan, one such turn held the event loop for 27 s.
    expect(slowestHealthMs, 'health checks waited on the turn').toBeLessThan(5_000);
    expect(texts(answer)[0]).toBe(botTexts.textCut(MAX_TURN_TEXT));
    // A note of only spaces says nothing: the conversation answers it; any other goes into the record.
    if (run.trim()) expect(texts(answer).slice(1).join(' ')).toMatch(new RegExp(`support record \\(${recordId}\\)`));
    else expect(texts(answer).slice(1).length).toBeGreaterThan(0);
  }, 60_000);

  it('a long text over the local Direct Line channel is answered, and /healthz keeps answering', async () => {
    const started = (await (await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST' })).json()) as { conversationId: string; token: string };
    const text = 'a@'.repeat(64_000);
    const posted = await whileWatchingHealth(
      fetch(`${bot.url}/v3/directline/conversations/${started.conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', from: { id: 'me' }, text }),
      }),
    );
    expect(posted.answer.status).toBe(200);
    expect(posted.slowestHealthMs).toBeLessThan(5_000);
    const log = (await (await fetch(`${bot.url}/v3/directline/conversations/${started.conversationId}/activities`, { headers: { authorization: `Bearer ${started.token}` } })).json()) as { activities: { from: { role?: string }; text?: string }[] };
    expect(log.activities.filter((a) => a.from.role === 'bot').map((a) => a.text)).toContain(botTexts.textCut(MAX_TURN_TEXT));
  }, 60_000);

  it('the record keeps at most its documented size, and the person is told when a note did not fit', async () => {
    // Its own conversation and record: three notes at the turn limit are more than the record holds.
    const { person, recordId } = await personWithSupportRecord();
    for (let note = 0; note < 3; note++) await person.say(`note: ${'x'.repeat(MAX_TURN_TEXT)}`);
    const record = asList((await sam.get('/api/support-records')).body).find((r) => r.id === recordId);
    expect(typeof record?.description).toBe('string');
    expect(String(record?.description).length).toBeLessThanOrEqual(8000);
    expect(texts(await person.say('note: one more thing'))).toEqual([botTexts.recordFull(recordId)]);
  }, 60_000);
});
