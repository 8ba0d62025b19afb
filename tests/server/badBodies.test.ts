import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { MAX_JSON_DEPTH } from '../../src/server/jsonBody';
import { startTestBot } from '../helpers/server';
import { STAFF, STAFF_TOKENS } from '../helpers/staff';
import { announceSkip, backends, type TestStore } from '../helpers/stores';

/** `{"a":{"a":…}}` nested `levels` deep, built as text (JSON.stringify of it would overflow). */
function nested(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** An activity whose channelData is nested `levels` deep: valid in every field the bot reads. */
function deepActivity(conversationId: string, levels: number): string {
  return `{"type":"message","text":"hello","channelId":"test","deliveryMode":"expectReplies","serviceUrl":"http://127.0.0.1:9/unused",` +
    `"conversation":{"id":"${conversationId}"},"from":{"id":"u1"},"recipient":{"id":"bot"},"channelData":${nested(levels)}}`;
}

for (const backend of backends) {
  announceSkip(backend, 'bad bodies');
  describe.skipIf(!backend.available)(`bad bodies get a 4xx, never a 500 (${backend.name})`, () => {
    let store: TestStore;
    let bot: Awaited<ReturnType<typeof startTestBot>>;
    let dl: { conversationId: string; token: string };

    beforeAll(async () => {
      store = await backend.open();
      bot = await startTestBot({ ...store.env, STAFF_TOKENS });
      dl = (await (await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST' })).json()) as { conversationId: string; token: string };
    });
    afterAll(async () => {
      await bot?.close();
      await store?.dispose();
    });

    const raw = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}, method = 'POST') =>
      fetch(`${bot.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body });

    /** Every route that reads a JSON body, with the credentials it needs to get as far as the body. */
    const bodyRoutes = (): [string, string, Record<string, string>][] => [
      ['POST', '/api/messages', {}],
      ['POST', '/api/diagnose', {}],
      ['POST', '/v3/directline/conversations', {}],
      ['POST', '/v3/directline/tokens/refresh', { authorization: `Bearer ${dl.token}` }],
      ['POST', `/v3/directline/conversations/${dl.conversationId}/activities`, { authorization: `Bearer ${dl.token}` }],
      ['POST', `/v3/conversations/${dl.conversationId}/activities`, {}],
      ['PUT', `/v3/conversations/${dl.conversationId}/activities/${encodeURIComponent(`${dl.conversationId}|0000001`)}`, {}],
      ['POST', '/api/escalations/some-id/messages', { authorization: `Bearer ${STAFF.sam}` }],
    ];

    it(`refuses JSON nested 5 000 levels deep on every route with a 400 (the limit is ${MAX_JSON_DEPTH})`, async () => {
      for (const [method, path, headers] of bodyRoutes()) {
        const response = await raw(path, nested(5000), headers, method);
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        expect(await response.json()).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringContaining('nested') });
      }
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    });

    it('refuses a deeply nested field of an otherwise valid activity, and the next turn is logged in full', async () => {
      const conversationId = `deep-${randomUUID()}`;
      expect((await raw('/api/messages', deepActivity(conversationId, 5000))).status).toBe(400);
      // Just inside the limit (the activity itself and channelData take two levels) is a normal turn.
      const fine = await raw('/api/messages', deepActivity(conversationId, MAX_JSON_DEPTH - 2));
      expect(fine.status).toBe(200);
      const rows = await sql<{ direction: string }>`select direction from transcript_activities where conversation_id = ${conversationId} order by id`.execute(store.store.db);
      expect(rows.rows.map((r) => r.direction)).toEqual(['in', ...Array(rows.rows.length - 1).fill('out')]);
      expect(rows.rows.length).toBeGreaterThan(1);
    });

    it('answers a body that claims gzip but is not with a 400', async () => {
      for (const [method, path, headers] of bodyRoutes()) {
        const response = await raw(path, new TextEncoder().encode('{"type":"message"} but not gzip'), { ...headers, 'content-encoding': 'gzip' }, method);
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
      }
    });

    it('answers an id with a NUL byte, anywhere, with the same 400 on every backend', async () => {
      const nul = encodeURIComponent('a\u0000b');
      const dlAuth = { authorization: `Bearer ${dl.token}` };
      const staffAuth = { authorization: `Bearer ${STAFF.sam}` };
      const calls: [string, string, Record<string, string>, string?][] = [
        ['GET', `/v3/directline/conversations/${nul}`, dlAuth],
        ['GET', `/v3/directline/conversations/${nul}/activities`, dlAuth],
        ['POST', `/v3/directline/conversations/${nul}/activities`, dlAuth, '{"type":"message","text":"hi"}'],
        ['POST', `/v3/conversations/${nul}/activities`, {}, '{"type":"message","text":"hi"}'],
        ['POST', `/v3/conversations/${dl.conversationId}/activities/${nul}`, {}, '{"type":"message","text":"hi"}'],
        ['DELETE', `/v3/conversations/${dl.conversationId}/activities/${nul}`, {}],
        ['GET', `/api/escalations/${nul}`, staffAuth],
        ['POST', `/api/escalations/${nul}/claim`, staffAuth],
        ['GET', `/api/conversations/${nul}/diagnostics`, staffAuth],
        ['GET', `/api/conversations/${nul}/transcript`, staffAuth],
      ];
      for (const [method, path, headers, body] of calls) {
        const response = await fetch(`${bot.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 400 });
        expect(await response.json()).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringMatching(/id must not contain control characters/) });
      }
      const envelope = (patch: Record<string, unknown>) =>
        JSON.stringify({ type: 'message', text: 'hi', channelId: 'test', deliveryMode: 'expectReplies', conversation: { id: `nul-${randomUUID()}` }, from: { id: 'u1' }, recipient: { id: 'bot' }, ...patch });
      for (const patch of [{ conversation: { id: 'a\u0000b' } }, { from: { id: 'a\u0000b' } }, { recipient: { id: 'a\u0000b' } }, { channelId: 'te\u0000st' }]) {
        const response = await raw('/api/messages', envelope(patch));
        expect({ patch, status: response.status }).toEqual({ patch, status: 400 });
      }
      const person = await raw(`/v3/directline/conversations/${dl.conversationId}/activities`, JSON.stringify({ type: 'message', text: 'hi', from: { id: 'a\u0000b' } }), dlAuth);
      expect(person.status).toBe(400);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    });
  });
}
