import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { texts as botTexts, TEXT_LOCALE } from '../../dialogs/texts';
import { escalationTexts } from '../../src/escalation/texts';
import type { RunningBot } from '../../src/main';
import { startFakeTeams, type Delivered, type FakeTeams } from '../helpers/fakeTeams';
import { startTestBot } from '../helpers/server';
import { STAFF, STAFF_TOKENS, StaffClient, asList, eventually, isRecord, openFeed } from '../helpers/staff';
import { said, TEAMS_BOT, TeamsConversation, teamsUser } from '../helpers/teams';

const TEAM = { type: 'channel' as const, teamId: '19:team-general@thread.tacv2', channelId: '19:help-desk@thread.tacv2' };

/**
 * The bot on Microsoft Teams, through a fake Teams Connector that refuses what Teams refuses and
 * counts the buttons a person would see. Turns are posted as Teams posts them (no expectReplies),
 * so every reply, and every staff message, reaches the channel over HTTP.
 */
describe('Microsoft Teams', () => {
  let teams: FakeTeams;
  let bot: RunningBot & { logs: string[] };
  let sam: StaffClient;

  beforeAll(async () => {
    teams = await startFakeTeams();
    bot = await startTestBot({ STAFF_TOKENS });
    sam = new StaffClient(bot.url, STAFF.sam);
  });
  afterAll(async () => {
    await bot?.close();
    await teams?.close();
  });
  // After every test: Teams refused nothing, every button sent was one Teams shows, nothing went
  // wrong, and every reply says the locale it is written in.
  afterEach(() => {
    expect(teams.refused).toEqual([]);
    for (const { activity, offered, shown } of teams.delivered) {
      expect(shown, `buttons Teams hides in ${activity.conversation?.conversationType}: "${activity.text}"`).toEqual(offered);
      expect(activity.text).not.toBe(botTexts.turnError);
      expect(activity.locale).toBe(TEXT_LOCALE);
    }
    expect(bot.logs.filter((line) => line.includes('"level":50'))).toEqual([]);
  });

  /** Answers with a button as a person would: a suggested action is tapped, a card button clicked. */
  function press(person: TeamsConversation, turn: Delivered[], title: string): Promise<Delivered[]> {
    const last = turn.at(-1);
    if (!last?.offered.includes(title)) throw new Error(`no button "${title}" in: ${JSON.stringify(turn.map((d) => d.activity.text))}`);
    return last.activity.suggestedActions ? person.tap(title) : person.click(title);
  }

  it('a personal chat, then a team channel with mentions: a whole diagnosis, diagnostics, an escalation, a staff reply and a close', async () => {
    const alex = teamsUser('Alex Kim');

    // Installed for Alex: one personal welcome.
    const personal = new TeamsConversation(bot.url, teams, { type: 'personal' }, alex);
    expect(said(await personal.membersAdded([TEAMS_BOT]))).toEqual([botTexts.greeting]);

    // A whole diagnosis with buttons: 3 or fewer as suggested actions, more on cards.
    let turn = await personal.say('my camera says permission denied');
    const answers: Record<string, string> = { live: 'No, later', device: 'Windows PC', browser: 'Chrome' };
    let notFixed = 0;
    for (let step = 0; step < 20 && !said(turn).some((t) => t.startsWith('Great, glad it works now')); step++) {
      const last = turn.at(-1);
      const questionId = last?.activity.channelData?.questionId;
      if (last?.offered.includes(botTexts.stepButtons.fixed)) {
        turn = await press(personal, turn, notFixed++ < 1 ? botTexts.stepButtons.notFixed : botTexts.stepButtons.fixed);
      } else if (typeof questionId === 'string') {
        turn = await press(personal, turn, answers[questionId] ?? last?.offered[0] ?? "I don't know");
      } else {
        throw new Error(`stuck at: ${JSON.stringify(said(turn))}`);
      }
    }
    expect(said(turn).some((t) => t.startsWith('Great, glad it works now'))).toBe(true);
    // Every message with buttons took the form its count allows in a personal chat.
    const withButtons = teams.to(personal.id).filter((d) => d.offered.length > 0);
    for (const d of withButtons) expect(d.activity.suggestedActions ? 'suggested' : 'card', d.offered.join(' | ')).toBe(d.offered.length <= 3 ? 'suggested' : 'card');
    expect(withButtons.length).toBeGreaterThan(3);

    // Added to the team: one introduction in the channel; members joining later are not greeted in public.
    const general = new TeamsConversation(bot.url, teams, TEAM, alex, TEAM.channelId);
    expect(said(await general.membersAdded([TEAMS_BOT]))).toEqual([botTexts.teamsIntroduction]);
    expect(said(await general.membersAdded([teamsUser('Jo Park')]))).toEqual([]);

    // A new post in the channel, mentioning the bot: the mention is not part of what it understands.
    const thread = new TeamsConversation(bot.url, teams, TEAM, alex);
    turn = await thread.say("I'm presenting in 5 minutes and my mic is blocked");
    expect(said(turn).some((t) => t.startsWith(`${botTexts.urgentNoted}\n\nI've called a member of staff.`))).toBe(true);
    // No hand-off event (Teams has no hub, and refuses its JSON attachment).
    expect(turn.filter((d) => d.activity.type !== 'message' && d.activity.type !== 'typing')).toEqual([]);
    // In a channel, buttons are on cards (Teams shows no suggested actions there).
    expect(teams.to(thread.id).some((d) => d.activity.suggestedActions)).toBe(false);

    // diagnostics: the Adaptive Card alone (then the pending question again).
    const diagnostics = (await thread.say('diagnostics')).find((d) => d.activity.text === botTexts.diagnosticsIntro);
    expect(diagnostics?.activity.attachments?.map((a) => a.contentType)).toEqual(['application/vnd.microsoft.card.adaptive']);
    expect(said(await thread.say('status')).join(' ')).toContain(botTexts.status.waiting(1));

    // Staff take it; what they say reaches the thread proactively, with the stored reference.
    const feed = await openFeed(`${bot.url}/api/staff/events?token=${STAFF.sam}`);
    try {
      const escalation = await eventually('the escalation', async () => asList((await sam.get('/api/escalations?status=waiting')).body).find((e) => e.conversationId === thread.id));
      const id = String(escalation.id);
      expect(escalation).toMatchObject({ channelId: 'msteams', userName: 'Alex Kim' });
      expect((await sam.post(`/api/escalations/${id}/claim`)).status).toBe(200);
      await eventually('staff joined, in the thread', () => said(teams.to(thread.id)).includes(escalationTexts.staffJoined('Sam Rivera')));
      expect((await sam.post(`/api/escalations/${id}/messages`, { text: 'Hi Alex, open the lock icon in the address bar.' })).status).toBe(201);
      await eventually('the staff reply, in the thread', () => said(teams.to(thread.id)).includes(escalationTexts.staffMessage('Sam Rivera', 'Hi Alex, open the lock icon in the address bar.')));

      // Alex answers with a mention; staff read it without the mention, and the bot stays quiet.
      expect(said(await thread.say('found it, microphone was blocked'))).toEqual([]);
      await eventually('Alex’s words on the feed', () => feed.events.find((e) => e.event === 'message' && e.data.from === 'person' && e.data.text === 'found it, microphone was blocked'));
      expect(said(await thread.say('status')).join(' ')).toContain(botTexts.status.withStaff('Sam Rivera'));

      // Closed: "Is your problem solved now?" with Yes / No on a card; Alex clicks Yes.
      expect((await sam.post(`/api/escalations/${id}/close`)).status).toBe(200);
      const closing = await eventually('the solved question, in the thread', () => teams.to(thread.id).find((d) => d.activity.text === escalationTexts.staffClosed('Sam Rivera')));
      expect(closing.activity.attachments?.map((a) => a.contentType)).toEqual(['application/vnd.microsoft.card.hero']);
      expect(closing.shown).toEqual([escalationTexts.solvedButtons.yes, escalationTexts.solvedButtons.no]);
      expect(said(await thread.click(escalationTexts.solvedButtons.yes))).toEqual([`${botTexts.solvedYes}\n\n${botTexts.feedback.question}`]);
      expect((await sam.get(`/api/escalations/${id}`)).body).toMatchObject({ status: 'closed', solved: 'yes' });
      const transcript = asList((await sam.get(`/api/conversations/${encodeURIComponent(thread.id)}/transcript`)).body);
      expect(transcript.some((e) => isRecord(e.activity) && e.activity.text === escalationTexts.staffMessage('Sam Rivera', 'Hi Alex, open the lock icon in the address bar.'))).toBe(true);
    } finally {
      feed.close();
    }
  });

  it.each([
    ['groupChat', { type: 'groupChat' as const }],
    ['channel', TEAM],
  ])('in a %s, commands after the mention are understood', async (_name, scope) => {
    const chat = new TeamsConversation(bot.url, teams, scope);
    expect(said(await chat.say('help'))).toEqual([botTexts.help]);
    expect(said(await chat.say('status'))).toEqual([botTexts.status.nothingYet]);
    const asked = await chat.say('my microphone is not working');
    expect(asked.at(-1)?.activity.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.hero');
    expect(said(await chat.say('restart'))).toEqual([botTexts.restarted]);
  });

  it('mentions of others, and mention entities that are not well formed, are not taken for the bot’s', async () => {
    const chat = new TeamsConversation(bot.url, teams, { type: 'groupChat' });
    const jo = teamsUser('Jo Park');
    const mentions = [
      { type: 'mention', text: `<at>${TEAMS_BOT.name}</at>`, mentioned: TEAMS_BOT },
      { type: 'mention', text: '<at>Jo Park</at>', mentioned: { id: jo.id, name: jo.name } },
      { type: 'mention', mentioned: TEAMS_BOT },
      { type: 'mention', text: '<at>nobody</at>' },
      { type: 'mention', text: 5, mentioned: 'bot' },
    ];
    expect(said(await chat.send({ type: 'message', text: `<at>${TEAMS_BOT.name}</at> help`, entities: mentions }))).toEqual([botTexts.help]);
    // Someone else mentioned: the bot's own mention goes, the other stays part of what was said.
    const other = await chat.send({ type: 'message', text: `<at>Jo Park</at> status`, entities: mentions.slice(1) });
    expect(said(other)).not.toEqual([botTexts.status.nothingYet]);
  });

  it('in a group chat, the bot introduces itself once when added and greets nobody who joins later', async () => {
    const chat = new TeamsConversation(bot.url, teams, { type: 'groupChat' });
    expect(said(await chat.membersAdded([TEAMS_BOT, teamsUser('Jo Park')]))).toEqual([botTexts.teamsIntroduction]);
    expect(said(await chat.membersAdded([teamsUser('Sky Lin')]))).toEqual([]);
  });

  it('in a personal chat, suggested actions carry at most 3 buttons; more go on a card', async () => {
    const chat = new TeamsConversation(bot.url, teams, { type: 'personal' });
    await chat.say('my camera does not work');
    const device = await chat.tap('No, later');
    const last = device.at(-1);
    expect(last?.activity.suggestedActions).toBeUndefined();
    expect(last?.offered.length).toBeGreaterThan(3);
    expect(last?.activity.attachments?.every((a) => a.contentType === 'application/vnd.microsoft.card.hero')).toBe(true);
  });
});
