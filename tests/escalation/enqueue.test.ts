import type { ConversationReference } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { createRecord } from '../../src/diagnosis';
import { EscalationRepository } from '../../src/escalation';
import { announceSkip, backends, storePerTest } from '../helpers/stores';

const referenceOf = (conversationId: string) =>
  ({ conversation: { id: conversationId }, channelId: 'test', serviceUrl: 'http://127.0.0.1:9', bot: { id: 'bot', name: 'Technical Support' }, user: { id: 'user', name: 'Alex' } }) as ConversationReference;

for (const backend of backends) {
  announceSkip(backend, 'an escalation enqueued');

  describe.skipIf(!backend.available)(`an escalation enqueued on ${backend.name}`, () => {
    const t = storePerTest(backend);

    it('comes with its place in the queue, counted in the same statement as position() counts it', async () => {
      const escalations = new EscalationRepository(t.store.db);
      const start = Date.parse('2026-12-08T10:00:00Z');
      const enqueue = (n: number) =>
        escalations.enqueue({ reference: referenceOf(`conv-${n}`), userName: null, reason: 'urgent', diagnostics: createRecord(), transcript: [], now: new Date(start + n * 1000), timeoutS: 180 });
      const first = await enqueue(1);
      const second = await enqueue(2);
      expect([first.position, second.position]).toEqual([1, 2]);
      // Someone left the queue ahead (claimed): not counted.
      await escalations.claim(first.escalation.id, 'Sam Rivera', new Date(start + 5000));
      const third = await enqueue(3);
      expect(third.position).toBe(2);
      const fourth = await enqueue(4);
      expect(fourth.position).toBe(3);
      // The same count as position() makes afterwards (second moved up when first was claimed).
      expect(await Promise.all([second, third, fourth].map(({ escalation }) => escalations.position(escalation)))).toEqual([1, 2, 3]);
    });
  });
}
