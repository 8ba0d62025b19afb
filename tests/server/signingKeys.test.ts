import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeKey, signJwt, startJwksServer, type JwksServer } from '../helpers/jwks';
import { startTestBot } from '../helpers/server';

const APP_ID = '00000000-1111-2222-3333-666666666666';
const SERVICE_URL = 'https://smba.example.test/';
const key = makeKey('metadata-key');

function signed(): string {
  const now = Math.floor(Date.now() / 1000);
  return `Bearer ${signJwt(key, { iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: SERVICE_URL, nbf: now - 60, iat: now - 60, exp: now + 3600 })}`;
}

async function post(bot: { url: string }): Promise<number> {
  const response = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: signed() },
    body: JSON.stringify({ type: 'message', text: 'hi', channelId: 'msteams', serviceUrl: SERVICE_URL, deliveryMode: 'expectReplies', conversation: { id: `keys-${randomUUID()}` }, from: { id: 'u1' }, recipient: { id: APP_ID } }),
  });
  await response.body?.cancel();
  return response.status;
}

describe("the channel's signing keys (OpenID metadata)", () => {
  describe('when the metadata cannot be fetched', () => {
    let jwks: JwksServer;
    let bot: Awaited<ReturnType<typeof startTestBot>>;
    beforeAll(async () => {
      jwks = await startJwksServer([key], { failing: true });
      bot = await startTestBot({ MicrosoftAppId: APP_ID, BotOpenIdMetadata: jwks.metadataUrl });
    });
    afterAll(async () => {
      await bot?.close();
      await jwks?.close();
    });

    it('answers 401, says so once in the log naming the URL, and does not look the keys up again on every request', async () => {
      const statuses = [];
      for (let i = 0; i < 10; i += 1) statuses.push(await post(bot));
      statuses.push(...(await Promise.all(Array.from({ length: 10 }, () => post(bot)))));
      expect(statuses.every((s) => s === 401)).toBe(true);
      expect(jwks.hits).toBe(1);
      const said = bot.logs.filter((line) => line.includes("cannot fetch the channel's OpenID metadata"));
      expect(said).toHaveLength(1);
      expect(JSON.parse(said[0] ?? '{}')).toMatchObject({ level: 50, url: jwks.metadataUrl, reason: expect.stringContaining('503') });
    });
  });

  describe('when the metadata answers', () => {
    let jwks: JwksServer;
    let bot: Awaited<ReturnType<typeof startTestBot>>;
    beforeAll(async () => {
      jwks = await startJwksServer([key]);
      bot = await startTestBot({ MicrosoftAppId: APP_ID, BotOpenIdMetadata: jwks.metadataUrl });
    });
    afterAll(async () => {
      await bot?.close();
      await jwks?.close();
    });

    it('fetches the keys once and serves every request from the cache, concurrent ones included', async () => {
      const statuses = await Promise.all(Array.from({ length: 10 }, () => post(bot)));
      for (let i = 0; i < 5; i += 1) statuses.push(await post(bot));
      expect(statuses.every((s) => s === 200)).toBe(true);
      // The metadata document and the key set: one lookup.
      expect(jwks.hits).toBe(2);
      expect(bot.logs.some((line) => line.includes("cannot fetch the channel's OpenID metadata"))).toBe(false);
    });
  });
});
