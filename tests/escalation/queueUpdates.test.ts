import { describe, expect, it } from 'vitest';
import type { Escalation } from '../../src/escalation/escalationRepository';
import { PersonNotices } from '../../src/escalation/notices';
import { escalationTexts } from '../../src/escalation/texts';
import { memoryLogger } from '../helpers/server';

/** People waiting, created a minute apart from 12:00, as the queue lists them. */
function escalation(n: number): Escalation {
  const at = new Date(Date.UTC(2026, 11, 7, 12, n)).toISOString();
  return { id: `esc-${n}`, conversationId: `conv-${n}`, createdAt: at, status: 'waiting', reference: { conversation: { id: `conv-${n}` } } } as Escalation;
}

/** PersonNotices over a queue the test changes, recording what each conversation was told. */
function notices(start: Escalation[], now = new Date(Date.UTC(2026, 11, 7, 13))) {
  let queue = start;
  const told: { conversation: string; text: string; reprompt: boolean }[] = [];
  const notices = new PersonNotices({
    escalations: { queue: async () => queue },
    messenger: {
      send: async (reference, activities, options) => {
        for (const a of activities) told.push({ conversation: String(reference.conversation?.id), text: String(a.text), reprompt: options?.reprompt === true });
      },
    },
    log: memoryLogger().log,
    now: () => now,
    updateMs: 60_000,
  });
  return {
    notices,
    told,
    leave(e: Escalation) {
      queue = queue.filter((x) => x.id !== e.id);
      notices.queueMoved(e);
    },
    join(e: Escalation) {
      queue = [...queue, e];
    },
  };
}

describe('queue updates', () => {
  it('a burst of claims tells each person behind their latest place once, with the pending question after it', async () => {
    const [a, b, c, d] = [1, 2, 3, 4].map(escalation);
    const q = notices([a!, b!, c!, d!]);
    q.leave(a!);
    q.leave(b!);
    expect(q.told).toEqual([]);
    await q.notices.settled();
    expect(q.told).toEqual([
      { conversation: 'conv-3', text: escalationTexts.queuePosition(1), reprompt: true },
      { conversation: 'conv-4', text: escalationTexts.queuePosition(2), reprompt: true },
    ]);
  });

  it('tells only those who were behind the one who left, and nobody the place they were already told', async () => {
    const [a, b, c] = [1, 2, 3].map(escalation);
    const q = notices([a!, b!, c!]);
    q.leave(b!);
    await q.notices.settled();
    expect(q.told.map((t) => t.conversation)).toEqual(['conv-3']);
    // The same move reported twice (two instances, a retry) says nothing new.
    q.notices.queueMoved(b!);
    await q.notices.settled();
    expect(q.told.map((t) => t.conversation)).toEqual(['conv-3']);
  });

  it('a move while an update is being sent is told in the next update, which shutdown waits for too', async () => {
    const [a, b, c, d] = [1, 2, 3, 4].map(escalation);
    const q = notices([a!, b!, c!, d!]);
    q.leave(a!);
    const first = q.notices.settled();
    // The first update is reading the queue: the second claim lands now.
    q.leave(b!);
    await first;
    expect(q.told.map((t) => `${t.conversation}: ${t.text}`)).toEqual([
      `conv-2: ${escalationTexts.queuePosition(1)}`,
      `conv-3: ${escalationTexts.queuePosition(2)}`,
      `conv-4: ${escalationTexts.queuePosition(3)}`,
      `conv-3: ${escalationTexts.queuePosition(1)}`,
      `conv-4: ${escalationTexts.queuePosition(2)}`,
    ]);
  });

  it('someone who asked after the move was told their place when they asked, and is not told it again', async () => {
    const [a, b] = [1, 2].map(escalation);
    const late = { ...escalation(90), createdAt: new Date(Date.UTC(2026, 11, 7, 14)).toISOString() };
    const q = notices([a!, b!]);
    q.leave(a!);
    q.join(late);
    await q.notices.settled();
    expect(q.told.map((t) => t.conversation)).toEqual(['conv-2']);
  });
});
