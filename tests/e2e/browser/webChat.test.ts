import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { texts as botTexts } from '../../../dialogs/texts';
import { ACCEPT_PROMPTS, FAKE_DEVICES, launchBrowser, type TestBrowser } from '../../helpers/browser';
import { startTestBot } from '../../helpers/server';

type RunningTestBot = Awaited<ReturnType<typeof startTestBot>>;

interface LoggedActivity {
  id: string;
  type: string;
  name?: string;
  text?: string;
  value?: unknown;
  replyToId?: string;
  from: { role?: string };
  channelData?: { adviceId?: string };
}

/** SPEC §6: the keys a `diagnostics` value may have (maxTouchPoints tells an iPad from a Mac), and version 2's additions. */
const PROBE_KEYS = [
  'userAgent', 'userAgentData', 'maxTouchPoints', 'secureContext', 'inIframe', 'permissions', 'devices', 'getUserMedia',
  'version', 'permissionsPolicy', 'audio', 'video', 'display', 'staleDevice', 'check',
];

interface PageConversation {
  conversationId: string;
  token: string;
}

/** The page's conversation, read back through the channel with the page's own token. */
async function channelLog(bot: RunningTestBot, chat: PageConversation): Promise<LoggedActivity[]> {
  const response = await fetch(`${bot.url}/v3/directline/conversations/${chat.conversationId}/activities`, { headers: { authorization: `Bearer ${chat.token}` } });
  return ((await response.json()) as { activities: LoggedActivity[] }).activities;
}

const adviceIds = async (bot: RunningTestBot, chat: PageConversation) =>
  (await channelLog(bot, chat)).flatMap((a) => (a.from.role === 'bot' && a.channelData?.adviceId ? [a.channelData.adviceId] : []));

const botBubbles = (page: Page) => page.locator('.webchat__stacked-layout:not(.webchat__stacked-layout--from-user) .webchat__bubble');
const userBubbles = (page: Page) => page.locator('.webchat__stacked-layout--from-user .webchat__bubble');

/** Web Chat renders markdown with typographic quotes, so ' may show as ’. */
const shown = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['’]"));

/** Opens the page and waits for the greeting; returns the conversation the page started. */
async function openChat(browser: TestBrowser, bot: RunningTestBot): Promise<PageConversation> {
  const started = browser.page.waitForResponse((r) => r.url() === `${bot.url}/v3/directline/conversations` && r.request().method() === 'POST');
  await browser.page.goto(`${bot.url}/`);
  const chat = (await (await started).json()) as PageConversation;
  await botBubbles(browser.page).filter({ hasText: shown(botTexts.greeting) }).first().waitFor();
  return chat;
}

describe('the web chat page in Chromium', () => {
  let bot: RunningTestBot;
  let browser: TestBrowser | undefined;

  beforeAll(async () => {
    bot = await startTestBot({ LOG_LEVEL: 'info' });
  });
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('greets on connect, takes a typed answer and a button, and shows the replies', async () => {
    browser = await launchBrowser();
    const { page } = browser;
    const chat = await openChat(browser, bot);

    const input = page.getByRole('textbox').first();
    await input.fill('my camera says permission denied');
    await input.press('Enter');
    await userBubbles(page).filter({ hasText: 'my camera says permission denied' }).waitFor();
    await botBubbles(page).nth(1).waitFor();

    const button = page.locator('.webchat__suggested-action').first();
    if ((await button.count()) > 0) {
      const label = (await button.innerText()).trim();
      const before = await botBubbles(page).count();
      await button.click();
      await userBubbles(page).filter({ hasText: label }).waitFor();
      await botBubbles(page).nth(before).waitFor();
    }
    // Sent, not "Send failed": the channel echoed the message with its clientActivityID.
    expect(await page.getByText(/send failed/i).count()).toBe(0);
    await browser.screenshot('web-chat-conversation');

    const log = await channelLog(bot, chat);
    expect(log.filter((a) => a.type === 'event' && a.name === 'webchat/join')).toHaveLength(1);
    expect(log.some((a) => a.from.role === 'user' && a.text === 'my camera says permission denied')).toBe(true);
  });

  it('probe with the camera blocked for the site: the event reaches the bot with SPEC §6 values', async () => {
    browser = await launchBrowser({ args: FAKE_DEVICES });
    const { page } = browser;
    await browser.setMediaPermission(bot.url, 'camera', 'denied');
    const chat = await openChat(browser, bot);

    await page.getByRole('button', { name: 'Check my camera and microphone' }).click();
    await page.locator('#probe-status').filter({ hasText: 'Done' }).waitFor();

    const probe = await waitForActivity(bot, chat, (a) => a.type === 'event' && a.name === 'diagnostics');
    const value = probe.value as Record<string, unknown>;
    expect(Object.keys(value).every((key) => PROBE_KEYS.includes(key))).toBe(true);
    expect(value).toMatchObject({
      userAgent: expect.stringContaining('Chrome/'),
      secureContext: true,
      inIframe: false,
      permissions: { camera: 'denied' },
      devices: { camera: expect.any(Number), microphone: expect.any(Number), labelsVisible: expect.any(Boolean) },
      getUserMedia: { requested: ['camera', 'microphone'], ok: false, errorName: 'NotAllowedError', errorMessage: expect.any(String) },
    });
    const answer = await waitForActivity(bot, chat, (a) => a.from.role === 'bot' && a.replyToId === probe.id);
    expect(answer.type).toBe('message');

    // The bot may ask what it still needs (e.g. whether the session is live); answer "not now"
    // by button until it gives its first step, which must be the site's permission settings.
    for (let round = 0; round < 4 && !(await adviceIds(bot, chat)).length; round += 1) {
      const notNow = page.locator('.webchat__suggested-action').filter({ hasText: /^(No|I don.t know)/ }).first();
      const label = (await notNow.innerText()).trim();
      const before = (await channelLog(bot, chat)).length;
      await notNow.click();
      await userBubbles(page).filter({ hasText: label }).last().waitFor();
      await waitForActivity(bot, chat, (a, index) => index >= before && a.from.role === 'bot');
    }
    expect(await adviceIds(bot, chat)).toContain('browser-site-permissions');
    await showsAllReplies(bot, chat, page);
    await browser.screenshot('web-chat-probe-denied');
  });

  it('probe with the camera allowed: the event reports a working camera', async () => {
    browser = await launchBrowser({ args: [...FAKE_DEVICES, ...ACCEPT_PROMPTS] });
    const { page } = browser;
    await browser.setMediaPermission(bot.url, 'camera', 'granted');
    await browser.setMediaPermission(bot.url, 'microphone', 'granted');
    const chat = await openChat(browser, bot);

    await page.getByRole('button', { name: 'Check my camera and microphone' }).click();
    await page.locator('#probe-status').filter({ hasText: 'Done' }).waitFor();
    const probe = await waitForActivity(bot, chat, (a) => a.type === 'event' && a.name === 'diagnostics');
    expect(probe.value).toMatchObject({
      permissions: { camera: 'granted', microphone: 'granted' },
      devices: { camera: expect.any(Number), microphone: expect.any(Number), labelsVisible: true },
      getUserMedia: { requested: ['camera', 'microphone'], ok: true },
    });
    const answer = await waitForActivity(bot, chat, (a) => a.from.role === 'bot' && a.replyToId === probe.id);
    expect(answer.text).toMatch(/started fine/);
    await showsAllReplies(bot, chat, page);
    await browser.screenshot('web-chat-probe-granted');
  });

  it('rejoins the same conversation after a reload, with its history and no second greeting', async () => {
    browser = await launchBrowser();
    const { page } = browser;
    const chat = await openChat(browser, bot);
    let started = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url() === `${bot.url}/v3/directline/conversations`) started += 1;
    });
    await page.reload();
    await botBubbles(page).filter({ hasText: shown(botTexts.greeting) }).first().waitFor();
    // The page sends webchat/join again on connect; the bot greets once per conversation.
    await waitForActivity(bot, chat, (a, index, log) => a.name === 'webchat/join' && log.slice(0, index).some((earlier) => earlier.name === 'webchat/join'));
    expect(started).toBe(0);
    const greetings = (await channelLog(bot, chat)).filter((a) => a.from.role === 'bot' && a.text === botTexts.greeting);
    expect(greetings).toHaveLength(1);
  });

  it('fits a phone screen', async () => {
    browser = await launchBrowser({ viewport: { width: 390, height: 844 } });
    await openChat(browser, bot);
    // Nothing wider than the screen: no sideways scrolling on a phone.
    expect(await browser.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await browser.screenshot('web-chat-phone');
  });
});

/** Waits until the page shows (at least) as many bot bubbles as the log has bot messages. */
async function showsAllReplies(bot: RunningTestBot, chat: PageConversation, page: Page): Promise<void> {
  const botMessages = (await channelLog(bot, chat)).filter((a) => a.type === 'message' && a.from.role === 'bot').length;
  await botBubbles(page).nth(botMessages - 1).waitFor();
}

/** Polls the channel's log (as the page does) until an activity matches; the test's timeout bounds it. */
async function waitForActivity(bot: RunningTestBot, chat: PageConversation, match: (a: LoggedActivity, index: number, log: LoggedActivity[]) => boolean): Promise<LoggedActivity> {
  for (;;) {
    const found = (await channelLog(bot, chat)).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
