import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { texts as botTexts } from '../../../dialogs/texts';
import { escalationTexts } from '../../../src/escalation/texts';
import { ACCEPT_PROMPTS, FAKE_DEVICES, browserSuite, type RunningTestBot, type TestBrowser } from '../../helpers/browser';
import { asList, eventually, STAFF, STAFF_TOKENS, StaffClient } from '../../helpers/staff';
import { botBubbles, shown as shownQuotes, userBubbles } from '../../helpers/webChatPage';

const suggested = (page: Page) => page.locator('.webchat__suggested-action');
/** Web Chat renders markdown with typographic quotes and drops the asterisks of bold text. */
const shown = (text: string) => shownQuotes(text.replace(/\*\*/g, ''));

interface Opened {
  conversationId: string;
  /** Console lines of the page, Web Chat's warnings included. */
  console: string[];
  /** What arrived over the page's WebSocket streams. */
  frames: string[];
}

/** Opens the page (optionally with a query) and waits for the greeting. */
async function openChat(browser: TestBrowser, bot: RunningTestBot, query = ''): Promise<Opened> {
  const { page } = browser;
  const opened: Opened = { conversationId: '', console: [], frames: [] };
  page.on('console', (message) => opened.console.push(message.text()));
  page.on('websocket', (socket) => socket.on('framereceived', (frame) => opened.frames.push(String(frame.payload))));
  const started = page.waitForResponse((r) => r.url() === `${bot.url}/v3/directline/conversations` && r.request().method() === 'POST');
  await page.goto(`${bot.url}/${query}`);
  opened.conversationId = ((await (await started).json()) as { conversationId: string }).conversationId;
  await botBubbles(page).filter({ hasText: shown(botTexts.greeting) }).first().waitFor();
  return opened;
}

async function say(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox').first();
  await input.fill(text);
  await input.press('Enter');
  await userBubbles(page).filter({ hasText: text }).last().waitFor();
}

/** The text of the last bot bubble, once it shows what is expected. */
async function lastBotBubble(page: Page, expected: RegExp): Promise<string> {
  const last = botBubbles(page).last();
  await expect.poll(async () => (await last.innerText()).replace(/\s+/g, ' '), { timeout: 15_000 }).toMatch(expected);
  return last.innerText();
}

describe('the web chat in real time (Chromium)', () => {
  // Typing at the start of every turn (TYPING_DELAY_MS 0), to see it reach the page over the stream.
  const suite = browserSuite({ LOG_LEVEL: 'info', STAFF_TOKENS, TYPING_DELAY_MS: '0' });

  it('streams over a WebSocket: the reply and the typing before it come over the stream', async () => {
    const browser = await suite.launch();
    const { page } = browser;
    const chat = await openChat(browser, suite.bot);
    expect(await page.evaluate('document.documentElement.dataset.transport')).toBe('websocket');

    let polled = 0;
    page.on('request', (r) => {
      if (r.method() === 'GET' && /\/activities(\?|$)/.test(r.url())) polled += 1;
    });
    await say(page, 'my camera says permission denied');
    await lastBotBubble(page, /\S/);
    await expect.poll(() => chat.frames.some((f) => f.includes('"type":"typing"'))).toBe(true);
    expect(polled).toBe(0);
    expect(chat.frames.some((f) => f.includes('my camera says permission denied'))).toBe(true);
    await browser.screenshot('web-chat-websocket');
  });

  it('falls back to polling when WebSockets cannot get through, and still works', async () => {
    const browser = await suite.launch();
    const { page } = browser;
    // As a proxy that refuses upgrades would: every WebSocket closes before it opens.
    await page.routeWebSocket(/\/stream/, (socket) => socket.close({ code: 1006 }).catch(() => socket.close()));
    await openChat(browser, suite.bot);
    expect(await page.evaluate('document.documentElement.dataset.transport')).toBe('polling');
    await say(page, 'my microphone is not working');
    await lastBotBubble(page, /\S/);
  });

  it('polls when asked to (?transport=polling), as before', async () => {
    const browser = await suite.launch();
    const { page } = browser;
    const chat = await openChat(browser, suite.bot, '?transport=polling');
    expect(await page.evaluate('document.documentElement.dataset.transport')).toBe('polling');
    await say(page, 'screen sharing fails');
    await lastBotBubble(page, /\S/);
    expect(chat.frames).toEqual([]);
  });

  it('shows a staff reply at once, as from the staff member, with no Web Chat timeout in the console', async () => {
    const browser = await suite.launch();
    const { page } = browser;
    const chat = await openChat(browser, suite.bot);
    await say(page, 'I want to talk to a person');
    await lastBotBubble(page, /\S/);

    const sam = new StaffClient(suite.bot.url, STAFF.sam);
    const escalation = await eventually('the escalation', async () => asList((await sam.get('/api/escalations?status=waiting')).body).find((e) => e.conversationId === chat.conversationId));
    expect((await sam.post(`/api/escalations/${String(escalation.id)}/claim`)).status).toBeLessThan(300);
    await botBubbles(page).filter({ hasText: shown(escalationTexts.staffJoined('Sam Rivera')) }).waitFor();
    expect((await sam.post(`/api/escalations/${String(escalation.id)}/messages`, { text: 'Hi, I am looking at your setup now.' })).status).toBeLessThan(300);

    const staffRow = page.locator('.webchat__stacked-layout').filter({ hasText: 'Hi, I am looking at your setup now.' });
    await staffRow.waitFor();
    // The staff member's own initials and name; no "Sam Rivera:" in front of the text, no bot avatar.
    await expect.poll(() => staffRow.locator('.staff-avatar').innerText()).toBe('SR');
    expect(await staffRow.locator('.staff-status__name').innerText()).toContain('Sam Rivera');
    expect(await staffRow.locator('.webchat__bubble').innerText()).not.toContain('Sam Rivera:');
    // The bot's own notices stay the bot's.
    const notice = page.locator('.webchat__stacked-layout').filter({ hasText: shown(escalationTexts.staffJoined('Sam Rivera')) });
    expect(await notice.locator('.staff-avatar').count()).toBe(0);
    await browser.screenshot('web-chat-staff-reply');

    // Web Chat waits 5 s for an activity a replyToId names and then logs this: never here.
    await page.waitForTimeout(5500);
    expect(chat.console.filter((line) => /timed out while waiting for activity/i.test(line))).toEqual([]);
    await sam.post(`/api/escalations/${String(escalation.id)}/close`);
  });

  it('asks the pending question again after an interjection, with its buttons', async () => {
    const browser = await suite.launch();
    const { page } = browser;
    await openChat(browser, suite.bot);
    await say(page, 'my camera says it is in use by another program');
    // The greeting ends with a question too: wait for the answer to this message, not the greeting.
    const question = await lastBotBubble(page, /^(?!Hi, I).*\?/s);
    const buttons = await suggested(page).allInnerTexts();
    expect(buttons.length).toBeGreaterThan(1);

    await say(page, 'status');
    // The status first (until it shows, the last bubble is still the question asked before)…
    await botBubbles(page).filter({ hasText: /We're working on|We’re working on/ }).first().waitFor();
    // …then the question asked again, without the one-line summary of what was understood, which comes only the first time.
    await lastBotBubble(page, shown(question.trim().replace(/\s+/g, ' ').replace(/^Got it: [^.]*\.\s+/, '')));
    expect(await botBubbles(page).filter({ hasText: /We're working on|We’re working on/ }).count()).toBe(1);
    expect(await botBubbles(page).filter({ hasText: shown(question.trim().replace(/\s+/g, ' ').replace(/^Got it: [^.]*\.\s+/, '')) }).count()).toBe(2);
    expect(await suggested(page).allInnerTexts()).toEqual(buttons);
  });

  it('offers diagnostics.json as a file to download', async () => {
    const browser = await suite.launch();
    const { page } = browser;
    await openChat(browser, suite.bot);
    await say(page, 'windows chrome, the microphone is blocked');
    await lastBotBubble(page, /\S/);
    await say(page, 'diagnostics');
    const link = page.getByRole('link', { name: /diagnostics\.json/ }).last();
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('diagnostics.json');
    const saved = await download.path();
    const record = JSON.parse(fs.readFileSync(saved, 'utf8')) as { facts: Record<string, unknown> };
    expect(record.facts).toMatchObject({ os: 'windows', browser: 'chrome', media: ['microphone'] });
    await browser.screenshot('web-chat-diagnostics-file');
  });

  it('"Run a quick check" in the chat runs the page probe, and the bot answers with what it found', async () => {
    const browser = await suite.launch({ args: [...FAKE_DEVICES, ...ACCEPT_PROMPTS] });
    const { page } = browser;
    await browser.setMediaPermission(suite.bot.url, 'camera', 'granted');
    await openChat(browser, suite.bot);
    await say(page, 'my camera is not working');
    const check = suggested(page).filter({ hasText: botTexts.runCheck });
    await check.waitFor();
    await check.click();
    await botBubbles(page).filter({ hasText: /Thanks for running the check/ }).waitFor();
    // The button started the probe; it was not sent to the bot as a message of its own.
    expect(await userBubbles(page).filter({ hasText: botTexts.runCheck }).count()).toBe(0);
    await expect.poll(() => page.locator('#probe-status').innerText()).toMatch(/^Done/);
  });

  it('greets a second Web Chat embed that never sends webchat/join (conversationUpdate), once', async () => {
    // The embed page is served by the test, not from loopback, so Chromium's local-network checks would block its stream.
    const browser = await suite.launch({ args: ['--disable-features=LocalNetworkAccessChecks'] });
    const { page } = browser;
    // Another page on the site embedding Web Chat with its defaults: no join event, a WebSocket.
    await page.route(`${suite.bot.url}/embed.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html><body><div id="chat" style="height:600px"></div><script src="/assets/webchat.js"></script><script>
          fetch('/v3/directline/conversations', { method: 'POST' }).then(r => r.json()).then(c => {
            window.WebChat.renderWebChat({ directLine: window.WebChat.createDirectLine({ domain: location.origin + '/v3/directline', token: c.token }) }, document.getElementById('chat'));
          });
        </script></body></html>`,
      }),
    );
    await page.goto(`${suite.bot.url}/embed.html`);
    await botBubbles(page).filter({ hasText: shown(botTexts.greeting) }).first().waitFor();
    await page.waitForTimeout(1000);
    expect(await botBubbles(page).filter({ hasText: shown(botTexts.greeting) }).count()).toBe(1);
    await browser.screenshot('web-chat-second-embed');
  });

  it('at phone size: the check is above the chat, folded, and nothing is wider than the screen', async () => {
    const browser = await suite.launch({ viewport: { width: 390, height: 844 } });
    const { page } = browser;
    await openChat(browser, suite.bot);
    const probe = await page.locator('.probe').boundingBox();
    const chatBox = await page.locator('.chat').boundingBox();
    expect(probe && chatBox && probe.y < chatBox.y).toBe(true);
    expect(probe && probe.y + probe.height).toBeLessThan(844);
    expect(await page.locator('#probe-details').getAttribute('open')).toBeNull();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await say(page, 'my camera is not working');
    await suggested(page).filter({ hasText: botTexts.runCheck }).waitFor();
    await browser.screenshot('web-chat-phone-check');
  });
});
