import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { makeKey, signJwt, startJwksServer } from '../helpers/jwks';
import { startTestBot } from '../helpers/server';

const APP_ID = '00000000-1111-2222-3333-444444444444';
const SERVICE_URL = 'https://smba.example.test/';

// Channel authentication on: only tokens the Bot Framework would issue get a turn.
describe('POST /api/messages with MicrosoftAppId set', () => {
  const trusted = makeKey('trusted-key');
  const stranger = makeKey('stranger-key');
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let bot: Awaited<ReturnType<typeof startTestBot>>;

  beforeAll(async () => {
    jwks = await startJwksServer([trusted]);
    bot = await startTestBot({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-in-these-tests', BotOpenIdMetadata: jwks.metadataUrl });
  });
  afterAll(async () => {
    await bot.close();
    await jwks.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: SERVICE_URL, nbf: now() - 60, iat: now() - 60, exp: now() + 3600, ...extra,
  });

  async function post(authorization?: string) {
    const conversationId = `auth-${randomUUID()}`;
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({
        type: 'message', text: 'my camera is blocked', channelId: 'msteams', serviceUrl: SERVICE_URL, deliveryMode: 'expectReplies',
        conversation: { id: conversationId }, from: { id: 'u1' }, recipient: { id: APP_ID },
      }),
    });
    // Whether the bot ran shows in the store: a turn saves the conversation's state.
    const rows = await sql<{ n: number }>`select count(*) as n from bot_state where key like ${`%${conversationId}%`}`.execute(bot.store.db);
    return { status: response.status, stateRows: Number(rows.rows[0]?.n ?? 0), body: await response.text() };
  }

  it('runs the bot for a valid token (so the rejections below are about the token)', async () => {
    const result = await post(`Bearer ${signJwt(trusted, claims())}`);
    expect(result.status).toBe(200);
    expect(result.stateRows).toBeGreaterThan(0);
  });

  it.each([
    ['no token', () => undefined],
    ['a malformed token', () => 'Bearer not.a.jwt'],
    ['a non-bearer scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a token signed by a key the bot does not trust', () => `Bearer ${signJwt(stranger, claims())}`],
    ['a trusted kid with a signature from another key', () => `Bearer ${signJwt({ ...stranger, kid: trusted.kid }, claims())}`],
    ['an expired token', () => `Bearer ${signJwt(trusted, claims({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }))}`],
    ['a token for another bot', () => `Bearer ${signJwt(trusted, claims({ aud: 'someone-else' }))}`],
    ['a token from another issuer', () => `Bearer ${signJwt(trusted, claims({ iss: 'https://evil.example' }))}`],
    ['a token for another service URL', () => `Bearer ${signJwt(trusted, claims({ serviceurl: 'https://evil.example/' }))}`],
  ])('answers 401 for %s, and the bot never runs', async (_name, authorization) => {
    const result = await post(authorization());
    expect(result.status).toBe(401);
    expect(result.stateRows).toBe(0);
    expect(result.body).not.toMatch(/at \w+ \(/);
  });

  it.each([
    ['an activity without a conversation', '{"type":"message","text":"hi","serviceUrl":"https://smba.example.test/","from":{"id":"u"},"recipient":{"id":"b"}}'],
    ['an array', '[]'],
    ['text that is not JSON', '{"type":'],
    ['JSON nested 5 000 levels deep', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ])('answers 401 before reading %s when the caller has no credentials', async (_name, body) => {
    for (const authorization of [undefined, `Basic ${Buffer.from('a:b').toString('base64')}`]) {
      const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
      expect(response.status).toBe(401);
      // Nothing about what a valid body looks like.
      expect(await response.json()).toEqual({ error: 'UNAUTHORIZED', message: 'The request is not authorized.' });
    }
  });

  it('authenticates a malformed activity before describing what is wrong with it', async () => {
    const body = JSON.stringify({ type: 'message', text: 'hi', channelId: 'msteams', serviceUrl: SERVICE_URL, from: { id: 'u' }, recipient: { id: APP_ID } });
    const send = (authorization: string) => fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
    const forged = await send(`Bearer ${signJwt(stranger, claims())}`);
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toMatch(/conversation|malformed/);
    const genuine = await send(`Bearer ${signJwt(trusted, claims())}`);
    expect(genuine.status).toBe(400);
    expect(await genuine.json()).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringContaining('"conversation"') });
  });

  it('says at start that channel authentication is on', () => {
    expect(bot.logs.join('\n')).not.toMatch(/channel authentication is off/);
  });
});
