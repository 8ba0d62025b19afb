import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../../helpers/browser';
import { startTestBot } from '../../helpers/server';
import { startFakeChannel } from '../../helpers/fakeChannel';
import { ChannelConversation, STAFF, STAFF_TOKENS, StaffClient, asList, eventually } from '../../helpers/staff';
import { botBubbles } from '../../helpers/webChatPage';

type RunningTestBot = Awaited<ReturnType<typeof startTestBot>>;

// SPEC §5 end to end in two browsers: a presenter in Web Chat, a staff member in the console.
describe('the staff console and the web chat together', () => {
  let bot: RunningTestBot;
  let person: TestBrowser | undefined;
  let staff: TestBrowser | undefined;

  beforeAll(async () => {
    // As deployed: with nobody online the bot would file a record at once; the staff member signs in first.
    bot = await startTestBot({ LOG_LEVEL: 'info', STAFF_TOKENS, ESCALATION_WHEN_NOBODY_ONLINE: 'file' });
  });
  afterAll(async () => {
    await person?.close();
    await staff?.close();
    await bot?.close();
  });

  it('staff see the urgent case live, claim it, reply, and the reply shows in the person’s chat', async () => {
    person = await launchBrowser();
    staff = await launchBrowser();

    // The staff member signs in first and watches the queue.
    await staff.page.goto(`${bot.url}/staff`);
    await staff.page.locator('#token').fill(STAFF.sam);
    await staff.page.locator('#sign-in-form button[type=submit], #sign-in-form button').first().click();
    await staff.page.locator('#who-name').filter({ hasText: 'Sam Rivera' }).waitFor();

    // A presenter, minutes before their talk.
    await person.page.goto(`${bot.url}/`);
    await botBubbles(person.page).first().waitFor();
    const input = person.page.getByRole('textbox').first();
    await input.fill("I'm presenting in 5 minutes and nobody can hear me");
    await input.press('Enter');
    await botBubbles(person.page).filter({ hasText: /called a member of staff/ }).waitFor();

    // It appears in the console without a reload; claim and reply.
    const item = staff.page.locator('#waiting-list li').first();
    await item.waitFor();
    await item.click();
    await staff.page.locator('#claim:not([disabled])').click();
    await staff.page.locator('#send:not([disabled])').waitFor();
    await staff.page.locator('#reply').fill('Hi, Sam here: open System Settings, Privacy & Security, Microphone.');
    await staff.page.locator('#send').click();

    await botBubbles(person.page).filter({ hasText: /joined the chat/ }).waitFor();
    await botBubbles(person.page).filter({ hasText: 'open System Settings, Privacy & Security, Microphone' }).waitFor();

    // The person answers; the console shows it live in the transcript.
    await input.fill('found it, switching Chrome on now');
    await input.press('Enter');
    await staff.page.locator('#transcript').filter({ hasText: 'found it, switching Chrome on now' }).waitFor();

    await person.screenshot('staff-relay-person');
    await staff.screenshot('staff-relay-console');
    expect(await botBubbles(person.page).filter({ hasText: 'Sam Rivera' }).count()).toBeGreaterThan(0);
  });

  it('opens the escalation a webhook links to (/staff#escalation=<id>) once signed in', async () => {
    const channel = await startFakeChannel();
    try {
      const caller = new ChannelConversation(bot.url, channel.serviceUrl);
      await caller.say("I'm live now and my camera is black");
      const sam = new StaffClient(bot.url, STAFF.sam);
      const escalation = await eventually('the escalation', async () => asList((await sam.get('/api/escalations')).body).find((e) => e.conversationId === caller.id));
      const id = String(escalation.id);
      const page = (staff ??= await launchBrowser()).page;
      await page.goto(`${bot.url}/staff#escalation=${encodeURIComponent(id)}`);
      // A session from the test above may still be signed in; otherwise sign in now.
      if (await page.locator('#token').isVisible()) {
        await page.locator('#token').fill(STAFF.sam);
        await page.locator('#sign-in-form button').first().click();
      }
      await page.locator('#esc-meta').filter({ hasText: id }).waitFor();
      expect(await page.locator('#escalation-view').isVisible()).toBe(true);
      await staff?.screenshot('staff-console-deep-link');
    } finally {
      await channel.close();
    }
  });
});
