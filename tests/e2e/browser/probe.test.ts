import { describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { texts as botTexts } from '../../../dialogs/texts';
import { ACCEPT_PROMPTS, FAKE_DEVICES, browserSuite, type RunningTestBot } from '../../helpers/browser';
import { STAFF, STAFF_TOKENS, StaffClient, asList, eventually } from '../../helpers/staff';
import { writeWav } from '../../helpers/wav';
import { botBubbles, channelLog, openChat, shown, waitForActivity, type LoggedActivity, type PageConversation } from '../../helpers/webChatPage';

interface ProbeValue {
  version?: number;
  check?: { id: string };
  inIframe?: boolean;
  permissionsPolicy?: Record<string, boolean>;
  getUserMedia?: { ok?: boolean; errorName?: string };
  audio?: { level: string; peakDb?: number; clipping?: boolean };
  video?: { frames: string; width?: number; height?: number };
  devices?: Record<string, unknown>;
}

/** Picks what to check in the page's panel, clicks the button and returns the `diagnostics` event that reached the bot. */
async function runCheck(where: Page | Frame, bot: RunningTestBot, chat: PageConversation, media: string): Promise<LoggedActivity> {
  const before = (await channelLog(bot, chat)).length;
  await where.locator('#probe-media').selectOption(media);
  await where.getByRole('button', { name: 'Check my camera and microphone' }).click();
  return waitForActivity(bot, chat, (a, i) => i >= before && a.type === 'event' && a.name === 'diagnostics');
}

describe('the deeper probe and Check again, in Chromium with fake devices', () => {
  const suite = browserSuite({ LOG_LEVEL: 'info', STAFF_TOKENS });

  it('a blocked camera, then the permission granted: Check again confirms the fix and finishes', async () => {
    const browser = await suite.launch({ args: FAKE_DEVICES });
    const { page } = browser;
    await browser.setMediaPermission(suite.bot.url, 'camera', 'denied');
    const { chat } = await openChat(browser, suite.bot);

    const probe = await runCheck(page, suite.bot, chat, 'camera');
    expect(probe.value).toMatchObject({ version: 2, getUserMedia: { ok: false, errorName: 'NotAllowedError' } });
    // Not live: the first step is the site's permission, with Check again beside the outcomes.
    await page.locator('.webchat__suggested-action').filter({ hasText: 'No, later' }).click();
    await waitForActivity(suite.bot, chat, (a) => a.channelData?.adviceId === 'browser-site-permissions');
    const checkAgain = page.locator('.webchat__suggested-action').filter({ hasText: 'Check again' });
    await checkAgain.waitFor();
    await browser.screenshot('probe-check-again-offered');

    // The person follows the step: the site may now use the camera.
    await browser.setMediaPermission(suite.bot.url, 'camera', 'granted');
    await checkAgain.click();
    const run = await waitForActivity(suite.bot, chat, (a) => a.type === 'event' && a.name === 'probe/run');
    const check = await waitForActivity(suite.bot, chat, (a) => a.name === 'diagnostics' && (a.value as ProbeValue).check?.id === (run.value as { id: string }).id);
    expect(check.value).toMatchObject({ getUserMedia: { ok: true }, video: { frames: 'ok', width: expect.any(Number), height: expect.any(Number) } });
    await botBubbles(page).filter({ hasText: shown(botTexts.check.fixed('camera')) }).waitFor();
    await browser.screenshot('probe-check-again-confirmed');

    // Finished: the record says so, with the verified outcome.
    await page.getByRole('textbox').first().fill('diagnostics');
    await page.getByRole('textbox').first().press('Enter');
    const card = await waitForActivity(suite.bot, chat, (a) => (a.attachments ?? []).some((x) => x.name === 'diagnostics.json'));
    const record = card.attachments?.find((x) => x.name === 'diagnostics.json')?.content;
    expect(record).toMatchObject({
      resolution: 'fixed',
      steps: [{ adviceId: 'browser-site-permissions', outcome: 'verified-fixed' }],
      checks: [{ requestedBy: 'person', verdict: 'verified-fixed' }],
    });
  });

  it('a silent microphone is found silent; a tone is found ok', async () => {
    const silent = writeWav('silence', { seconds: 5 });
    const tone = writeWav('tone', { seconds: 5, toneHz: 440, amplitude: 0.5 });
    const readings: ProbeValue[] = [];
    for (const file of [silent, tone]) {
      const browser = await suite.launch({ args: [...FAKE_DEVICES, ...ACCEPT_PROMPTS, `--use-file-for-fake-audio-capture=${file}`] });
      const { chat } = await openChat(browser, suite.bot);
      const probe = await runCheck(browser.page, suite.bot, chat, 'microphone');
      readings.push(probe.value as ProbeValue);
      const said = await waitForActivity(suite.bot, chat, (a) => a.from.role === 'bot' && /^Thanks for running the check/.test(a.text ?? ''));
      expect(said.text).toMatch(file === silent ? /picked up no sound at all/ : /picks up sound/);
      await browser.screenshot(file === silent ? 'probe-microphone-silent' : 'probe-microphone-tone');
      await browser.close();
    }
    expect(readings[0]).toMatchObject({ getUserMedia: { ok: true }, audio: { level: 'silent', clipping: false } });
    expect(readings[1]).toMatchObject({ getUserMedia: { ok: true }, audio: { level: 'ok', clipping: false } });
    expect(readings[1]?.audio?.peakDb).toBeGreaterThan(-10);
    // Labels never leave the browser: only counts and whether labels are visible.
    expect(JSON.stringify(readings)).not.toMatch(/Fake (Default )?Audio|fake_audio/i);
  });

  it('inside a frame whose permissions policy denies the camera: the probe says so and the first step is to open it on its own', async () => {
    const browser = await suite.launch({ args: [...FAKE_DEVICES, ...ACCEPT_PROMPTS] });
    const embedding = `${suite.bot.url}/__embedding-test`;
    // A same-origin page (the bot's CSP allows framing by itself only) that refuses camera and microphone to its frame.
    await browser.page.route(embedding, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>Portal</title><iframe src="/" allow="camera 'none'; microphone 'none'" style="width:1200px;height:820px;border:0"></iframe>`,
      }),
    );
    const { chat, where } = await openChat(browser, suite.bot, embedding, true);
    const probe = await runCheck(where, suite.bot, chat, 'camera');
    expect(probe.value).toMatchObject({
      inIframe: true,
      permissionsPolicy: { camera: false, microphone: false },
      getUserMedia: { ok: false, errorName: 'NotAllowedError' },
    });
    const said = await waitForActivity(suite.bot, chat, (a) => a.from.role === 'bot' && /^Thanks for running the check/.test(a.text ?? ''));
    expect(said.text).toMatch(/inside another site that does not let it use the camera and microphone/);
    await where.locator('.webchat__suggested-action').filter({ hasText: 'No, later' }).click();
    const step = await waitForActivity(suite.bot, chat, (a) => a.channelData?.adviceId !== undefined && a.channelData.adviceId !== 'iframe-permissions-policy');
    expect(step.channelData?.adviceId).toBe('open-conference-directly');
    const advice = (await channelLog(suite.bot, chat)).flatMap((a) => (a.channelData?.adviceId ? [a.channelData.adviceId] : []));
    expect(advice).toContain('iframe-permissions-policy');
    expect(advice).not.toContain('browser-site-permissions');
    await browser.screenshot('probe-iframe-policy');
  });

  it('staff ask for the check again: the page asks the person first, then sends the reading with its verdict', async () => {
    const browser = await suite.launch({ args: [...FAKE_DEVICES, ...ACCEPT_PROMPTS] });
    const { page } = browser;
    const { chat } = await openChat(browser, suite.bot);
    await runCheck(page, suite.bot, chat, 'microphone');
    await waitForActivity(suite.bot, chat, (a) => a.from.role === 'bot' && /^Thanks for running the check/.test(a.text ?? ''));
    await page.getByRole('textbox').first().fill('can I talk to a person please');
    await page.getByRole('textbox').first().press('Enter');
    const sam = new StaffClient(suite.bot.url, STAFF.sam);
    const escalation = await eventually('the escalation', async () => asList((await sam.get('/api/escalations')).body).find((e) => e.conversationId === chat.conversationId));
    expect((await sam.post(`/api/escalations/${String(escalation.id)}/claim`)).status).toBe(200);
    const asked = await sam.post(`/api/escalations/${String(escalation.id)}/check`);
    expect(asked.status).toBe(202);
    const { checkId } = asked.body as { checkId: string };

    // Nothing runs until the person agrees.
    const request = page.locator('#probe-request');
    await request.waitFor();
    await botBubbles(page).filter({ hasText: shown(botTexts.check.staffAsked('Sam Rivera')) }).waitFor();
    expect((await channelLog(suite.bot, chat)).filter((a) => (a.value as ProbeValue | undefined)?.check?.id === checkId)).toEqual([]);
    await browser.screenshot('probe-staff-asks');
    await page.getByRole('button', { name: 'Run the check' }).click();
    await waitForActivity(suite.bot, chat, (a) => a.name === 'diagnostics' && (a.value as ProbeValue).check?.id === checkId);
    await botBubbles(page).filter({ hasText: shown(botTexts.check.staffDone) }).waitFor();
    const record = await eventually('the verdict', async () => {
      const body = (await sam.get(`/api/conversations/${chat.conversationId}/diagnostics`)).body as { checks?: { id: string; verdict?: string }[] };
      return body.checks?.find((c) => c.id === checkId && c.verdict);
    });
    expect(record).toMatchObject({ requestedBy: 'staff', verdict: 'verified-fixed' });
    // A reload replays the history: the answered request is not offered again.
    await page.reload();
    await botBubbles(page).filter({ hasText: shown(botTexts.check.staffDone) }).waitFor();
    expect(await request.isHidden()).toBe(true);
  });
});
