import { describe, expect, it } from 'vitest';
import { botForSuite } from '../helpers/server';

// Web-chat tokens expire (an hour after issue); an expired one opens nothing.
describe('local channel token expiry', () => {
  const suite = botForSuite();

  it('refuses a token after it expires, for reading, posting and refreshing', async () => {
    const started = (await (await fetch(`${suite.bot.url}/v3/directline/conversations`, { method: 'POST' })).json()) as { conversationId: string; token: string };
    const headers = { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' };
    const read = () => fetch(`${suite.bot.url}/v3/directline/conversations/${started.conversationId}/activities`, { headers });
    expect((await read()).status).toBe(200);

    // An hour later, as far as the store is concerned.
    await suite.bot.store.db.updateTable('channel_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('conversation_id', '=', started.conversationId).execute();

    expect((await read()).status).toBe(403);
    const post = await fetch(`${suite.bot.url}/v3/directline/conversations/${started.conversationId}/activities`, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text: 'hi', from: { id: 'x' } }) });
    expect(post.status).toBe(403);
    expect((await fetch(`${suite.bot.url}/v3/directline/tokens/refresh`, { method: 'POST', headers })).status).toBe(403);
  });
});
