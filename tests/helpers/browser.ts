import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { botForSuite, REPO_ROOT, type RunningTestBot } from './server';
import { tempDir } from './stores';

/** Debian's Chromium (`apt-get install chromium`); playwright never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results');

const QUIET_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
/** Chromium's built-in test camera and microphone. */
export const FAKE_DEVICES = ['--use-fake-device-for-media-stream'];
/**
 * Answers every permission prompt with "allow". It also overrides a site's "blocked" setting,
 * so tests of a blocked site leave it out (a blocked site never prompts anyway).
 */
export const ACCEPT_PROMPTS = ['--use-fake-ui-for-media-stream'];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Sets a media permission for an origin, as the person would in the site settings. */
  setMediaPermission(origin: string, permission: 'camera' | 'microphone', setting: 'granted' | 'denied' | 'prompt'): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** A fresh Chromium profile (its own user-data directory) with one page. */
export interface LaunchOptions {
  args?: string[];
  viewport?: { width: number; height: number };
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  const userDataDir = tempDir('tsb-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...QUIET_ARGS, ...(options.args ?? [])],
    viewport: options.viewport ?? { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  return {
    context,
    page,
    async setMediaPermission(origin, permission, setting) {
      await cdp.send('Browser.setPermission', { origin, permission: { name: permission }, setting });
    },
    async screenshot(name) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export type { RunningTestBot };

export interface BrowserSuite {
  /** The bot the suite's pages talk to, started with the suite's `env`. */
  readonly bot: RunningTestBot;
  /** A fresh Chromium for this test; closed after it, if the test did not close it. */
  launch(options?: LaunchOptions): Promise<TestBrowser>;
}

/**
 * The fixture of a browser suite: one bot for all its tests, and fresh browsers per test. Call it
 * inside the `describe`; read `bot` inside the tests.
 */
export function browserSuite(env: Record<string, string>): BrowserSuite {
  const served = botForSuite(env);
  const open = new Set<TestBrowser>();
  afterEach(async () => {
    for (const browser of open) await browser.close();
    open.clear();
  });
  return {
    get bot() {
      return served.bot;
    },
    async launch(options) {
      const browser = await launchBrowser(options);
      open.add(browser);
      return {
        ...browser,
        async close() {
          open.delete(browser);
          await browser.close();
        },
      };
    },
  };
}
