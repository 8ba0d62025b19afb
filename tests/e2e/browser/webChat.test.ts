import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { texts as botTexts } from '../../../dialogs/texts';
import { ACCEPT_PROMPTS, FAKE_DEVICES, browserSuite, type RunningTestBot } from '../../helpers/browser';
import { botBubbles, channelLog, openChat, shown, userBubbles, waitForActivity, type PageConversation } from '../../helpers/webChatPage';

/** SPEC §6: the keys a `diagnostics` value may have (maxTouchPoints tells an iPad from a Mac), and version 2's additions. */
const PROBE_KEYS = [
  'userAgent', 'userAgentData', 'maxTouchPoints', 'secureContext', 'inIframe', 'permissions', 'devices', 'getUserMedia',
  'version', 'permissionsPolicy', 'audio', 'video', 'display', 'staleDevice', 'check',
];

const adviceIds = async (bot: RunningTestBot, chat: PageConversation) =>
  (await channelLog(bot, chat)).flatMap((a) => (a.from.role === 'bot' && a.channelData?.adviceId ? [a.channelData.adviceId] : []));

describe('the web chat page in Chromium', () => {
  const suite = browserSuite({ LOG_LEVEL: 'info' });

  it('greets on connect, takes a typed answer and a button, and shows the replies', async () => {
    const browser = await suite.launch();
    const { page } = browser;
    const { chat } = await openChat(browser, suite.bot);

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

    const log = await channelLog(suite.bot, chat);
    expect(log.filter((a) => a.type === 'event' && a.name === 'webchat/join')).toHaveLength(1);
    expect(log.some((a) => a.from.role === 'user' && a.text === 'my camera says permission denied')).toBe(true);
  });

  it('probe with the camera blocked for the site: the event reaches the bot with SPEC §6 values', async () => {
    const browser = await suite.launch({ args: FAKE_DEVICES });
    const { page } = browser;
    await browser.setMediaPermission(suite.bot.url, 'camera', 'denied');
    const { chat } = await openChat(browser, suite.bot);

    await page.getByRole('button', { name: 'Check my camera and microphone' }).click();
    await page.locator('#probe-status').filter({ hasText: 'Done' }).waitFor();

    const probe = await waitForActivity(suite.bot, chat, (a) => a.type === 'event' && a.name === 'diagnostics');
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
    const answer = await waitForActivity(suite.bot, chat, (a) => a.from.role === 'bot' && a.replyToId === probe.id);
    expect(answer.type).toBe('message');

    // The bot may ask what it still needs (e.g. whether the session is live); answer "not now"
    // by button until it gives its first step, which must be the site's permission settings.
    for (let round = 0; round < 4 && !(await adviceIds(suite.bot, chat)).length; round += 1) {
      const notNow = page.locator('.webchat__suggested-action').filter({ hasText: /^(No|I don.t know)/ }).first();
      const label = (await notNow.innerText()).trim();
      const before = (await channelLog(suite.bot, chat)).length;
      await notNow.click();
      await userBubbles(page).filter({ hasText: label }).last().waitFor();
      await waitForActivity(suite.bot, chat, (a, index) => index >= before && a.from.role === 'bot');
    }
    expect(await adviceIds(suite.bot, chat)).toContain('browser-site-permissions');
    await showsAllReplies(suite.bot, chat, page);
    await browser.screenshot('web-chat-probe-denied');
  });

  it('probe with the camera allowed: the event reports a working camera', async () => {
    const browser = await suite.launch({ args: [...FAKE_DEVICES, ...ACCEPT_PROMPTS] });
    const { page } = browser;
    await browser.setMediaPermission(suite.bot.url, 'camera', 'granted');
    await browser.setMediaPermission(suite.bot.url, 'microphone', 'granted');
    const { chat } = await openChat(browser, suite.bot);

    await page.getByRole('button', { name: 'Check my camera and microphone' }).click();
    await page.locator('#probe-status').filter({ hasText: 'Done' }).waitFor();
    const probe = await waitForActivity(suite.bot, chat, (a) => a.type === 'event' && a.name === 'diagnostics');
    expect(probe.value).toMatchObject({
      permissions: { camera: 'granted', microphone: 'granted' },
      devices: { camera: expect.any(Number), microphone: expect.any(Number), labelsVisible: true },
      getUserMedia: { requested: ['camera', 'microphone'], ok: true },
    });
    const answer = await waitForActivity(suite.bot, chat, (a) => a.from.role === 'bot' && a.replyToId === probe.id);
    expect(answer.text).toMatch(/started fine/);
    await showsAllReplies(suite.bot, chat, page);
    await browser.screenshot('web-chat-probe-granted');
  });

  it('rejoins the same conversation after a reload, with its history and no second greeting', async () => {
    const browser = await suite.launch();
    const { page } = browser;
    const { chat } = await openChat(browser, suite.bot);
    let started = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url() === `${suite.bot.url}/v3/directline/conversations`) started += 1;
    });
    await page.reload();
    await botBubbles(page).filter({ hasText: shown(botTexts.greeting) }).first().waitFor();
    // The page sends webchat/join again on connect; the bot greets once per conversation.
    await waitForActivity(suite.bot, chat, (a, index, log) => a.name === 'webchat/join' && log.slice(0, index).some((earlier) => earlier.name === 'webchat/join'));
    expect(started).toBe(0);
    const greetings = (await channelLog(suite.bot, chat)).filter((a) => a.from.role === 'bot' && a.text === botTexts.greeting);
    expect(greetings).toHaveLength(1);
  });

  it('fits a phone screen', async () => {
    const browser = await suite.launch({ viewport: { width: 390, height: 844 } });
    await openChat(browser, suite.bot);
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
