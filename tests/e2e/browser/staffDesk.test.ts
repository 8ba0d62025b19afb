import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { texts as botTexts } from '../../../dialogs/texts';
import { createRecord, getAdvice, mergeFacts } from '../../../src/diagnosis';
import { SupportRecordRepository } from '../../../src/escalation';
import { escalationTexts } from '../../../src/escalation/texts';
import { launchBrowser, type TestBrowser } from '../../helpers/browser';
import { startFakeChannel, type FakeChannel } from '../../helpers/fakeChannel';
import { startTestBot } from '../../helpers/server';
import { ChannelConversation, STAFF, STAFF_TOKENS, StaffClient, asList, eventually, isRecord } from '../../helpers/staff';

/** Evaluated in the page (this project's TypeScript has no DOM types). */
const NO_HORIZONTAL_SCROLL = 'document.documentElement.scrollWidth <= document.documentElement.clientWidth';

type RunningTestBot = Awaited<ReturnType<typeof startTestBot>>;

const UA = {
  windowsChrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  windowsEdge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  macFirefox: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
};
const PLATFORMS = Object.values(UA);
const PROBLEMS = [
  { text: "I'm presenting in 5 minutes and my microphone says permission denied", media: 'microphone', error: 'NotAllowedError' },
  { text: "I'm presenting in 5 minutes and nobody can see my camera", media: 'camera', error: 'NotReadableError' },
  { text: 'I want to talk to a person, my microphone is not found', media: 'microphone', error: 'NotFoundError' },
];
const NAMES = [
  'Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Frances Allen', 'Tim Berners-Lee', 'Radia Perlman',
  'Ken Thompson', 'Margaret Hamilton', 'Dennis Ritchie', 'Hedy Lamarr', 'Linus Torvalds', 'Shafi Goldwasser', 'Leslie Lamport', 'Anita Borg', 'John McCarthy', 'Jean Sammet',
];

// Issue 17 end to end: a support desk runs a conference from the console, twenty people at once.
describe('the staff desk in the browser, twenty people waiting', () => {
  let bot: RunningTestBot;
  let channel: FakeChannel;
  let staff: TestBrowser | undefined;
  let sam: StaffClient;
  const people: { conversation: ChannelConversation; name: string; problem: (typeof PROBLEMS)[number] }[] = [];

  beforeAll(async () => {
    channel = await startFakeChannel();
    bot = await startTestBot({ STAFF_TOKENS, ESCALATION_TIMEOUT_S: '3600' });
    sam = new StaffClient(bot.url, STAFF.sam);
  });
  afterAll(async () => {
    await staff?.close();
    await bot?.close();
    await channel?.close();
  });

  async function escalate(i: number, name = NAMES[i % NAMES.length] ?? 'Someone'): Promise<(typeof people)[number]> {
    const conversation = new ChannelConversation(bot.url, channel.serviceUrl, `user-desk-${i}-${Math.random().toString(36).slice(2, 8)}`);
    const from = { id: conversation.userId, name };
    const problem = PROBLEMS[i % PROBLEMS.length] ?? PROBLEMS[0];
    if (!problem) throw new Error('no problem');
    // The page's check runs first (platform from the user agent), then the person writes.
    await conversation.send({
      type: 'event', name: 'diagnostics', from,
      value: { userAgent: PLATFORMS[i % PLATFORMS.length], secureContext: true, getUserMedia: { requested: [problem.media], ok: false, errorName: problem.error, errorMessage: 'Permission denied' } },
    });
    await conversation.send({ type: 'message', text: problem.text, from });
    const person = { conversation, name, problem };
    people.push(person);
    return person;
  }
  const say = (person: (typeof people)[number], text: string) => person.conversation.send({ type: 'message', text, from: { id: person.conversation.userId, name: person.name } });
  const item = (page: Page, name: string) => page.locator('.queue li', { hasText: name });
  async function escalationOf(person: (typeof people)[number]): Promise<Record<string, unknown>> {
    return eventually(`the escalation of ${person.name}`, async () => asList((await sam.get('/api/escalations')).body).find((e) => e.conversationId === person.conversation.id));
  }

  it('reads the queue at a glance, alerts on a new urgent case, and works it: advice, transfer, release, dismiss, a support record', async () => {
    for (let i = 0; i < 20; i++) await escalate(i);

    staff = await launchBrowser({ viewport: { width: 1280, height: 900 } });
    const page = staff.page;
    await page.goto(`${bot.url}/staff`);
    await page.locator('#token').fill(STAFF.sam);
    await page.locator('#sign-in-form button').click();
    await page.locator('#who-name').filter({ hasText: 'Sam Rivera' }).waitFor();
    await expect.poll(() => page.locator('#waiting-list li').count()).toBe(20);

    // At a glance: names, urgency, platform and problem in words, the check, the last message; no raw ids.
    const ada = item(page, 'Ada Lovelace');
    await expect.poll(() => ada.innerText()).toContain('presenter · live session · urgent');
    const adaText = await ada.innerText();
    expect(adaText).toContain('Windows 10 · Chrome 131');
    expect(adaText).toContain('microphone · permission denied');
    expect(adaText).toContain('check ran: permission denied');
    expect(adaText).toContain(PROBLEMS[0]?.text);
    const queueText = await page.locator('#queue-panel').innerText();
    for (const person of people) expect(queueText).not.toContain(person.conversation.id);
    expect(queueText).not.toContain('Someone');
    expect(await item(page, 'Grace Hopper').innerText()).toContain('Windows 10 · Edge 131 · camera · device busy or blocked by the system');
    expect(await item(page, 'Alan Turing').innerText()).toContain('macOS · Safari 17 · microphone');

    // Sorted by urgency, then wait: every presenter before everyone who only asked for a person.
    const ranks = await Promise.all((await page.locator('#waiting-list li .urgency').all()).map(async (n) => Number(/rank-(\d)/.exec((await n.getAttribute('class')) ?? '')?.[1])));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ranks[0]).toBe(0);
    // Fits at 1280 px: no horizontal scrolling, each waiting time on one line.
    expect(await page.evaluate(NO_HORIZONTAL_SCROLL)).toBe(true);
    expect(await page.evaluate("(() => { const p = document.querySelector('.sidebar'); return p.scrollWidth <= p.clientWidth; })()")).toBe(true);
    const waitHeights = await Promise.all((await page.locator('#waiting-list .wait').all()).map(async (n) => (await n.boundingBox())?.height ?? 0));
    expect(Math.max(...waitHeights)).toBeLessThan(24);
    await staff.screenshot('staff-desk-queue-1280');

    // A new urgent case: the tab title counts it, and the count can be turned off.
    expect(await page.title()).toBe('Staff console · Technical Support');
    const late = await escalate(21, 'Late Presenter');
    await expect.poll(() => page.title()).toBe('(1) Staff console · Technical Support');
    await expect.poll(() => item(page, 'Late Presenter').getAttribute('class')).toContain('unread');
    await page.locator('#alerts summary').click();
    await page.locator('#alert-title').uncheck();
    expect(await page.title()).toBe('Staff console · Technical Support');
    await page.locator('#alert-title').check();
    await page.locator('#alerts summary').click();

    // Claim Ada, send a canned advice as a step; her answer is recorded as its outcome.
    const adaPerson = people.find((p) => p.name === 'Ada Lovelace');
    if (!adaPerson) throw new Error('Ada is missing');
    await ada.click();
    await page.locator('#esc-title').filter({ hasText: 'Ada Lovelace' }).waitFor();
    await page.locator('#claim').click();
    await page.locator('#esc-status').filter({ hasText: 'with Sam Rivera' }).waitFor();
    // Why the bot said what it said, in plain words with the facts' sources.
    const why = page.locator('#diagnostics .trace');
    await why.filter({ hasText: 'Urgent is yes' }).waitFor();
    expect(await why.innerText()).toContain('from their words');
    await page.locator('#mode-advice').click();
    await page.locator('#advice-search').fill('site permissions');
    const title = String(getAdvice('browser-site-permissions')?.title);
    const row = page.locator('#advice-list li[data-advice="browser-site-permissions"]');
    await row.locator('button:not([disabled])').click();
    await eventually('the advice at Ada', () => channel.sentTo(adaPerson.conversation.id).find((a) => isRecord(a.channelData) && a.channelData.adviceId === 'browser-site-permissions'));
    await page.locator('#transcript li.staff', { hasText: title }).waitFor();
    await say(adaPerson, botTexts.stepButtons.fixed);
    await page.locator('#diagnostics li.outcome-fixed', { hasText: title }).waitFor();
    expect(await page.locator('#diagnostics').innerText()).toContain(`${title}: ${botTexts.stepButtons.fixed}`);
    // Markdown in the transcript is rendered, not shown raw.
    expect(await page.locator('#transcript strong', { hasText: title }).count()).toBeGreaterThan(0);
    expect(await page.locator('#transcript').innerText()).not.toContain(`**${title}**`);
    // Technical events stay behind the toggle.
    expect(await page.locator('#transcript li.event').first().isVisible()).toBe(false);
    await page.locator('#show-events').check();
    expect(await page.locator('#transcript li.event').first().isVisible()).toBe(true);
    await page.locator('#show-events').uncheck();
    // An internal note, which Ada never sees.
    await page.locator('#mode-note').click();
    await page.locator('#note').fill('Keynote speaker, **priority**.');
    await page.locator('#add-note').click();
    await page.locator('#transcript li.note', { hasText: 'Keynote speaker, priority.' }).waitFor();
    expect(channel.sentTo(adaPerson.conversation.id).some((a) => a.text?.includes('Keynote speaker'))).toBe(false);
    await staff.screenshot('staff-desk-conversation-1280');

    // Transfer Ada to Kim: she is told who.
    await page.locator('#transfer-to').selectOption('Kim Lee');
    await page.locator('#transfer').click();
    await page.locator('#esc-status').filter({ hasText: 'with Kim Lee' }).waitFor();
    await eventually('Ada told of the transfer', () => channel.sentTo(adaPerson.conversation.id).some((a) => a.text === escalationTexts.transferred('Sam Rivera', 'Kim Lee')));
    expect((await escalationOf(adaPerson)).claimedBy).toBe('Kim Lee');

    // Release: the late presenter goes back to the queue.
    await item(page, 'Late Presenter').click();
    await page.locator('#esc-title').filter({ hasText: 'Late Presenter' }).waitFor();
    await page.locator('#claim').click();
    await page.locator('#release:visible').click();
    await page.locator('#esc-status').filter({ hasText: 'number' }).waitFor();
    expect((await escalationOf(late)).status).toBe('waiting');
    await eventually('the late presenter told', () => channel.sentTo(late.conversation.id).some((a) => a.text?.includes('back in the queue')));

    // Dismiss an unclaimed one as a duplicate: no "ended the chat" for someone nobody spoke to.
    const dup = people.find((p) => p.name === 'Alan Turing');
    if (!dup) throw new Error('Alan is missing');
    await item(page, 'Alan Turing').click();
    await page.locator('#esc-title').filter({ hasText: 'Alan Turing' }).waitFor();
    expect(await page.locator('#close').isVisible()).toBe(false);
    await page.locator('#dismiss-reason').selectOption('duplicate');
    await page.locator('#dismiss').click();
    await page.locator('#ended-list li', { hasText: 'Alan Turing' }).waitFor();
    await eventually('Alan told', () => channel.sentTo(dup.conversation.id).some((a) => a.text === escalationTexts.dismissed.duplicate));
    expect(channel.sentTo(dup.conversation.id).some((a) => a.text?.includes('ended the chat'))).toBe(false);
    // 21 asked; Ada is with Kim, Alan dismissed.
    await expect.poll(() => page.locator('#waiting-list li').count()).toBe(19);

    // A support record worked to resolved.
    const records = new SupportRecordRepository(bot.store.db);
    const diagnostics = createRecord();
    mergeFacts(diagnostics, { os: 'macos', osVersion: '14.4', browser: 'safari', browserVersion: '17.4', media: ['camera'] }, 'user-agent');
    diagnostics.steps.push({ adviceId: 'browser-site-permissions', outcome: 'not-fixed', at: new Date().toISOString() });
    const filed = await records.insert({
      conversationId: people[5]?.conversation.id ?? 'c', channelId: 'test', reason: 'steps-exhausted', diagnostics, contact: 'barbara@example.org', description: 'Camera stays black in the **Green Room**', followUp: 'skipped', now: new Date(),
    });
    await page.locator('#tab-records').click();
    await page.locator('#records-search').fill('green room');
    const recordItem = page.locator('#records-list li', { hasText: 'barbara@example.org' });
    await recordItem.click();
    await page.locator('#rec-title').filter({ hasText: filed.id }).waitFor();
    const fields = await page.locator('#rec-fields').innerText();
    expect(fields).toContain(`${title}: ${botTexts.stepButtons.notFixed}`);
    expect(fields).toContain('macOS 14.4 · Safari 17');
    // Tried steps shown once, by title.
    expect((await page.locator('#record-view').innerText()).split(title).length - 1).toBe(1);
    await page.locator('#rec-contacted').click();
    await page.locator('#rec-title').filter({ hasText: 'contacted' }).waitFor();
    await page.locator('#rec-note').fill('Emailed Barbara the camera checklist.');
    await page.locator('#rec-note-form button').click();
    await page.locator('#rec-notes li', { hasText: 'Emailed Barbara' }).waitFor();
    await page.locator('#rec-resolved').click();
    await page.locator('#rec-title').filter({ hasText: 'resolved' }).waitFor();
    expect((await sam.get(`/api/support-records/${filed.id}`)).body).toMatchObject({ status: 'resolved', statusBy: 'Sam Rivera', notes: [{ text: 'Emailed Barbara the camera checklist.' }] });
    await staff.screenshot('staff-desk-record-1280');

    // The reports page shows what is stored: 21 escalated, one fix by advice staff sent (Ada's).
    await page.locator('#tab-reports').click();
    await page.locator('#report-figures .figure').first().waitFor();
    const stored = (await sam.get(`/api/reports?from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`)).body;
    expect(stored).toMatchObject({ conversations: 21, escalations: 21, fixedByStaffAdvice: 1, supportRecords: 1 });
    const figures = await page.locator('#report-figures').innerText();
    expect(figures).toMatch(/Conversations with a problem\s+21/);
    expect(figures).toMatch(/Escalated to staff\s+21 \(100 %\)/);
    expect(figures).toMatch(/Fixed by advice staff sent\s+1/);
    expect(figures).toMatch(/Support records filed\s+1/);
    await staff.screenshot('staff-desk-reports-1280');

    // The same queue at 1920 px.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.locator('#tab-queue').click();
    await item(page, 'Grace Hopper').click();
    await page.locator('#esc-title').filter({ hasText: 'Grace Hopper' }).waitFor();
    expect(await page.evaluate(NO_HORIZONTAL_SCROLL)).toBe(true);
    await staff.screenshot('staff-desk-queue-1920');
  });
});
