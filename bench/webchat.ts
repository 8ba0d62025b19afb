import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { readCommandLine } from './options';
import { percentile } from './report';
import { spawnServer, type ServerProcess } from './servers';

/**
 * `npm run bench:webchat`: the web chat page in Chromium against the bot on loopback, over the
 * WebSocket stream and over polling. It prints, for each, the time from pressing send to the
 * bot's first reply on screen, and from a staff reply (staff API) to it on screen: p50 and p95.
 * Times are taken in the page (a key listener and a MutationObserver), so the driver adds nothing.
 * `--root DIR` runs the bot of another checkout (e.g. before a change) with this same harness.
 */

const USAGE = `usage: npm run bench:webchat -- [--samples N] [--staff-samples N] [--root DIR] [--max-run-s N]`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const STAFF_TOKEN = 'bench-staff-token-0123456789abcdef';
/** What the person says, in turn; each has a quick answer and the cycle ends where it began. */
const LINES = ['my camera is not working', 'status', 'help', 'restart'];

interface Options {
  samples: number;
  staffSamples: number;
  root: string;
  maxRunMs: number;
}

function readOptions(): Options {
  const args = readCommandLine(USAGE, { samples: '30', 'staff-samples': '15', root: undefined, 'max-run-s': '240' });
  return {
    samples: args.positive('samples'),
    staffSamples: args.positive('staff-samples'),
    root: path.resolve(args.text('root') ?? path.join(__dirname, '..')),
    maxRunMs: args.positive('max-run-s') * 1000,
  };
}

/** The bot of `root` from its sources, as its own process, on a free port, with a throw-away SQLite store. */
function startBot(root: string, dataDir: string): Promise<ServerProcess> {
  // No staff console is open: queue the escalation for the harness to claim instead of filing a support record.
  const env = { LOG_LEVEL: 'info', DATA_DIR: dataDir, STAFF_TOKENS: `Sam Rivera:${STAFF_TOKEN}`, DATABASE_URL: '', ESCALATION_WHEN_NOBODY_ONLINE: 'queue' };
  return spawnServer('the bot', 'src/main.ts', env, { logFile: path.join(dataDir, 'bot.log'), nodeArgs: ['--import', 'tsx'], cwd: root });
}

/** Stamps, in the page's clock (epoch ms): when Enter went down in the send box, and each new bot bubble. */
const PAGE_PROBE = `(() => {
  const bench = (window.__bench = { sentAt: 0, bubbles: [] });
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter') bench.sentAt = now(); }, true);
  new MutationObserver((mutations) => {
    const at = now();
    for (const m of mutations) for (const node of m.addedNodes) {
      if (!(node instanceof Element)) continue;
      const found = node.matches('.webchat__bubble') ? [node] : [...node.querySelectorAll('.webchat__bubble')];
      for (const bubble of found) {
        if (bubble.closest('.webchat__stacked-layout--from-user')) continue;
        bench.bubbles.push({ at, text: bubble.textContent || '' });
      }
    }
  }).observe(document, { subtree: true, childList: true });
})();`;

/** What PAGE_PROBE keeps in the page. */
interface PageGlobals {
  __bench: { sentAt: number; bubbles: { at: number; text: string }[] };
}

interface Figures {
  transport: string;
  bot: number[];
  staff: number[];
}

async function measure(url: string, query: string, options: Options, deadline: number): Promise<Figures> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.addInitScript(PAGE_PROBE);
    await page.goto(`${url}/${query}`);
    await waitForBubbles(page, 1);
    const transport = String((await page.evaluate('document.documentElement.dataset.transport')) ?? 'polling (a page without streams)');
    const input = page.getByRole('textbox').first();

    const bot: number[] = [];
    for (let i = 0; i < options.samples + 2 && Date.now() < deadline; i++) {
      const before = await bubbleCount(page);
      await input.fill(LINES[i % LINES.length] ?? 'status');
      await input.press('Enter');
      const latency = await page.waitForFunction(
        (count) => {
          const bench = (globalThis as unknown as PageGlobals).__bench;
          const reply = bench.bubbles.slice(count).find((b) => b.at >= bench.sentAt);
          return reply ? reply.at - bench.sentAt : false;
        },
        before,
        { timeout: 15_000, polling: 10 },
      );
      // The first two warm the page and the bot up.
      if (i >= 2) bot.push(Number(await latency.jsonValue()));
      await settle(page);
    }

    const staff: number[] = [];
    await input.fill('I want to talk to a person');
    await input.press('Enter');
    const escalationId = await claim(url, page);
    for (let i = 0; i < options.staffSamples + 1 && Date.now() < deadline; i++) {
      const text = `Staff reply ${i} ${Math.random().toString(36).slice(2, 8)}`;
      const sentAt = performance.timeOrigin + performance.now();
      const response = await fetch(`${url}/api/escalations/${escalationId}/messages`, { method: 'POST', headers: staffHeaders(), body: JSON.stringify({ text }) });
      if (!response.ok) throw new Error(`the staff reply was refused: ${response.status}`);
      const shownAt = await page.waitForFunction(
        (wanted) => (globalThis as unknown as PageGlobals).__bench.bubbles.find((b) => b.text.includes(wanted))?.at ?? false,
        text,
        { timeout: 20_000, polling: 10 },
      );
      if (i >= 1) staff.push(Number(await shownAt.jsonValue()) - sentAt);
    }
    await fetch(`${url}/api/escalations/${escalationId}/close`, { method: 'POST', headers: staffHeaders(), body: '{}' });
    return { transport, bot, staff };
  } finally {
    await browser.close();
  }
}

const staffHeaders = () => ({ authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' });

async function claim(url: string, page: Page): Promise<string> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const list = (await (await fetch(`${url}/api/escalations?status=waiting`, { headers: staffHeaders() })).json()) as { id: string }[];
    const waiting = list[0];
    if (waiting) {
      const claimed = await fetch(`${url}/api/escalations/${waiting.id}/claim`, { method: 'POST', headers: staffHeaders(), body: '{}' });
      if (!claimed.ok) throw new Error(`the claim was refused: ${claimed.status}`);
      await page.waitForTimeout(500); // the staff-joined notice and what follows it
      return waiting.id;
    }
    await page.waitForTimeout(100);
  }
  throw new Error('no escalation was created');
}

async function bubbleCount(page: Page): Promise<number> {
  return Number(await page.evaluate('window.__bench.bubbles.length'));
}

async function waitForBubbles(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).__bench.bubbles.length >= n, count, { timeout: 20_000 });
}

/** Lets the rest of a turn's replies arrive, so the next sample starts from a quiet chat. */
async function settle(page: Page): Promise<void> {
  let last = -1;
  for (let count = await bubbleCount(page); count !== last; count = await bubbleCount(page)) {
    last = count;
    await page.waitForTimeout(150);
  }
}

const ms = (values: number[], q: number) => (values.length > 0 ? `${Math.round(percentile(values, q))} ms` : 'n/a');

async function main(): Promise<void> {
  const options = readOptions();
  const deadline = Date.now() + options.maxRunMs;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-bench-webchat-'));
  const bot = await startBot(options.root, dataDir);
  try {
    console.log(`web chat in Chromium on loopback (${options.root}); ${options.samples} bot turns and ${options.staffSamples} staff replies per transport`);
    for (const query of ['', '?transport=polling']) {
      const figures = await measure(bot.url, query, options, deadline);
      const label = query ? 'asked to poll' : 'default';
      console.log(`${label.padEnd(14)} transport ${figures.transport.padEnd(10)} bot reply p50 ${ms(figures.bot, 0.5)}, p95 ${ms(figures.bot, 0.95)} (n=${figures.bot.length}) · staff reply p50 ${ms(figures.staff, 0.5)}, p95 ${ms(figures.staff, 0.95)} (n=${figures.staff.length})`);
    }
  } finally {
    await bot.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
