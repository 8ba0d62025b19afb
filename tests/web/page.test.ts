import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot } from '../helpers/server';

/** The page and its files over HTTP; what it does in a browser is in tests/e2e/browser. */
describe('the web chat page is served by the bot', () => {
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('serves / as HTML that loads only same-origin scripts, none inline', async () => {
    const response = await fetch(`${bot.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => /src="([^"]+)"/.exec(m[1] ?? '')?.[1])).toEqual(['/assets/webchat.js', '/assets/probe.js', '/assets/page.js']);
    expect(scripts.every((m) => (m[2] ?? '').trim() === '')).toBe(true);
    expect(html).toContain('Check my camera and microphone');
  });

  it.each([
    ['/assets/webchat.js', /javascript/],
    ['/assets/page.js', /javascript/],
    ['/assets/probe.js', /javascript/],
    ['/assets/page.css', /css/],
  ])('serves %s', async (path, type) => {
    const response = await fetch(`${bot.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('answers 404 in JSON for a file it does not have', async () => {
    const response = await fetch(`${bot.url}/assets/nothing.js`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'NOT_FOUND' });
  });
});
