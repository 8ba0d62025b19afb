import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { TOKEN_REFRESHES_PER_MINUTE, TOKENS_KEPT } from '../../src/channel';
import { startTestBot } from '../helpers/server';
import { announceSkip, backends, type TestStore } from '../helpers/stores';

interface Issued {
  conversationId: string;
  token: string;
}

for (const backend of backends) {
  announceSkip(backend, 'token refresh limits');
  describe.skipIf(!backend.available)(`Direct Line token refresh is limited (${backend.name})`, () => {
    let store: TestStore;
    let bot: Awaited<ReturnType<typeof startTestBot>>;
    beforeAll(async () => {
      store = await backend.open();
      bot = await startTestBot(store.env);
    });
    afterAll(async () => {
      await bot?.close();
      await store?.dispose();
    });

    const refresh = (token: string) => fetch(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const validTokens = async (conversationId: string) => {
      const rows = await sql<{ n: number }>`select count(*) as n from channel_tokens where conversation_id = ${conversationId} and expires_at > ${new Date().toISOString()}`.execute(store.store.db);
      return Number(rows.rows[0]?.n);
    };

    it('1 000 refreshes of one conversation: a few succeed, the rest get 429, and only the newest tokens stay valid', async () => {
      const started = (await (await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST' })).json()) as Issued;
      let current = started.token;
      const statuses: number[] = [];
      let retryAfter = 0;
      const read = (token: string) => fetch(`${bot.url}/v3/directline/conversations/${started.conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } });
      // Ten at a time, each batch with a token still valid, as a client hammering the endpoint would.
      for (let batch = 0; batch < 100; batch += 1) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(current)));
        const issued: string[] = [];
        for (const answer of answers) {
          statuses.push(answer.status);
          if (answer.status === 200) issued.push(((await answer.json()) as Issued).token);
          else if (answer.status === 429) retryAfter = Number(answer.headers.get('retry-after'));
          else await answer.body?.cancel();
        }
        // Refreshes running together each retire the oldest tokens: which of theirs stayed depends on the order the store took them in.
        for (const token of issued) {
          const answer = await read(token);
          await answer.body?.cancel();
          if (answer.status === 200) current = token;
        }
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(TOKEN_REFRESHES_PER_MINUTE);
      // The rest are refused: 429, or 403 for a request of the first batch whose token a refresh beside it had already retired.
      expect(statuses.filter((s) => s !== 200 && s !== 429 && s !== 403)).toEqual([]);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(900);
      expect(retryAfter).toBeGreaterThan(0);
      expect(await validTokens(started.conversationId)).toBeLessThanOrEqual(TOKENS_KEPT);

      // The newest token opens the conversation; the first one, retired by the later refreshes, no longer does.
      expect((await read(current)).status).toBe(200);
      expect((await read(started.token)).status).toBe(403);
    });

    it("one conversation's refreshes do not limit another's", async () => {
      const other = (await (await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST' })).json()) as Issued;
      const answer = await refresh(other.token);
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as Issued).conversationId).toBe(other.conversationId);
    });
  });
}
