import type { Frame, Page } from 'playwright-core';
import { texts as botTexts } from '../../dialogs/texts';
import type { RunningTestBot, TestBrowser } from './browser';

/** What the web chat page, and the tests, read back of its conversation from the channel. */

/** An activity of the page's conversation as the channel's log returns it. */
export interface LoggedActivity {
  id: string;
  type: string;
  name?: string;
  text?: string;
  value?: unknown;
  replyToId?: string;
  from: { role?: string };
  channelData?: { adviceId?: string };
  attachments?: { name?: string; content?: unknown }[];
}

/** The conversation the page started, with the page's own token. */
export interface PageConversation {
  conversationId: string;
  token: string;
}

/** The page's conversation, read back through the channel with the page's own token. */
export async function channelLog(bot: RunningTestBot, chat: PageConversation): Promise<LoggedActivity[]> {
  const response = await fetch(`${bot.url}/v3/directline/conversations/${chat.conversationId}/activities`, { headers: { authorization: `Bearer ${chat.token}` } });
  return ((await response.json()) as { activities: LoggedActivity[] }).activities;
}

/** Polls the channel's log (as the page does) until an activity matches; the test's timeout bounds it. */
export async function waitForActivity(bot: RunningTestBot, chat: PageConversation, match: (a: LoggedActivity, index: number, log: LoggedActivity[]) => boolean): Promise<LoggedActivity> {
  for (;;) {
    const found = (await channelLog(bot, chat)).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const botBubbles = (where: Page | Frame) => where.locator('.webchat__stacked-layout:not(.webchat__stacked-layout--from-user) .webchat__bubble');
export const userBubbles = (where: Page | Frame) => where.locator('.webchat__stacked-layout--from-user .webchat__bubble');

/** Web Chat renders markdown with typographic quotes, so ' may show as ’. */
export const shown = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['’]"));

/** Opens the page (or a page embedding it) and waits for the greeting inside the chat's frame. */
export async function openChat(browser: TestBrowser, bot: RunningTestBot, url = `${bot.url}/`, inFrame = false): Promise<{ chat: PageConversation; where: Page | Frame }> {
  const started = browser.page.waitForResponse((r) => r.url() === `${bot.url}/v3/directline/conversations` && r.request().method() === 'POST');
  await browser.page.goto(url);
  const chat = (await (await started).json()) as PageConversation;
  const where = inFrame ? browser.page.frames().find((f) => f !== browser.page.mainFrame()) : browser.page;
  if (!where) throw new Error('no chat frame');
  await botBubbles(where).filter({ hasText: shown(botTexts.greeting) }).first().waitFor();
  return { chat, where };
}
