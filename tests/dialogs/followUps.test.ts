import { describe, expect, it } from 'vitest';
import type { DetailsAdded, SatisfactionRating, SolvedAnswer, StaffRequestOutcome, StaffRequestState, SupportRecordState } from '../../dialogs/handoff';
import { texts as botTexts } from '../../dialogs/texts';
import { dialogHarness, FakeHandoff } from '../helpers/dialogs';

const said = (replies: { text?: string }[]) => replies.map((r) => r.text ?? '');

/** A hand-off whose latest staff request and support record a test sets, recording what the conversation tells it. */
class FollowUpHandoff extends FakeHandoff {
  request?: StaffRequestState;
  supportRecord?: SupportRecordState;
  added: DetailsAdded = 'all';
  readonly solved: [string, SolvedAnswer][] = [];
  readonly ratings: SatisfactionRating[] = [];
  readonly details: { description?: string; contact?: string }[] = [];
  readonly followUpsEnded: string[] = [];
  constructor(private readonly staff: 'online' | 'nobody' = 'online') {
    super();
  }
  override async requestStaff(context: unknown, request: Parameters<FakeHandoff['requestStaff']>[1]): Promise<StaffRequestOutcome> {
    const outcome = await super.requestStaff(context, request);
    return this.staff === 'nobody' ? { status: 'no-staff-online', supportRecordId: `SR-${this.staffRequests.length}` } : outcome;
  }
  override latestStaffRequest = async () => this.request;
  override recordSolved = async (_context: unknown, escalationId: string, answer: SolvedAnswer) => {
    this.solved.push([escalationId, answer]);
    return true;
  };
  override recordSatisfaction = async (_context: unknown, answer: { rating: SatisfactionRating }) => {
    this.ratings.push(answer.rating);
  };
  override latestSupportRecord = async () => this.supportRecord;
  override addSupportDetails = async (_context: unknown, _id: string, details: { description?: string; contact?: string }) => {
    this.details.push(details);
    return this.added;
  };
  override endSupportFollowUp = async (_context: unknown, id: string) => {
    this.followUpsEnded.push(id);
  };
}

/** Every step refused until the steps run out and the bot files a support record (SR-1) and asks for details. */
async function walkUntilFiled(h: ReturnType<typeof dialogHarness>): Promise<void> {
  let replies = await h.say('it says no microphone found on my windows laptop in chrome, not live');
  for (let turn = 0; turn < 12 && !said(replies).includes(botTexts.supportRecordFiled('SR-1')); turn++) replies = await h.say("didn't help");
  expect(said(replies)).toContain(botTexts.supportRecordFiled('SR-1'));
  expect((await h.record()).detailsAsked).toBe('SR-1');
}

describe('answers to what was asked outside the dialog steps', () => {
  it('"is it solved?" after staff ended the chat: yes closes the problem and asks how we did; a rating is recorded', async () => {
    const handoff = new FollowUpHandoff();
    const h = dialogHarness(handoff);
    await h.say('I need a human');
    handoff.request = { id: 'esc-1', status: 'closed', solvedAsked: true };

    expect(said(await h.say('Yes'))).toEqual([`${botTexts.solvedYes}\n\n${botTexts.feedback.question}`]);
    expect(handoff.solved).toEqual([['esc-1', 'yes']]);
    expect(await h.record()).toMatchObject({ resolution: 'fixed', feedback: { after: 'staff', escalationId: 'esc-1' } });

    handoff.request = { id: 'esc-1', status: 'closed', solvedAsked: false };
    expect(said(await h.say(botTexts.feedback.buttons.good))).toEqual([botTexts.feedback.thanks]);
    expect(handoff.ratings).toEqual(['good']);
    expect((await h.record()).feedback).toBeUndefined();
  });

  it('anything but yes or no lets "is it solved?" lapse and goes on to the dialogs', async () => {
    const handoff = new FollowUpHandoff();
    const h = dialogHarness(handoff);
    await h.say('I need a human');
    handoff.request = { id: 'esc-1', status: 'closed', solvedAsked: true };
    const replies = await h.say('help');
    expect(said(replies)).toContain(botTexts.help);
    expect(handoff.solved).toEqual([['esc-1', 'no-answer']]);
  });

  it('"human" after staff ended the chat calls them again', async () => {
    const handoff = new FollowUpHandoff();
    const h = dialogHarness(handoff);
    await h.say('I need a human');
    handoff.request = { id: 'esc-1', status: 'closed', solvedAsked: false };
    expect(said(await h.say('human'))).toEqual([botTexts.staffCalled(2)]);
    expect(handoff.staffRequests.map((r) => r.reason)).toEqual(['human-requested', 'human-requested']);
  });

  it('after a support record is filed, the next free text goes into it, with a contact handle found in it; later text does not', async () => {
    const handoff = new FollowUpHandoff();
    const h = dialogHarness(handoff);
    await walkUntilFiled(h);
    expect(said(await h.say('It worked yesterday. Reach me at pat@example.com'))).toEqual([botTexts.detailsAdded('SR-1')]);
    expect(handoff.details).toEqual([{ description: 'It worked yesterday. Reach me at pat@example.com', contact: 'pat@example.com' }]);
    expect(said(await h.say('it also fails in another browser'))).not.toContain(botTexts.detailsAdded('SR-1'));
    expect(handoff.details).toHaveLength(1);

    // "note:" and "contact:" reach the latest record at any time; a full record says so.
    handoff.supportRecord = { id: 'SR-1', followUpAsked: false };
    handoff.added = 'none';
    expect(said(await h.say('contact: @pat'))).toEqual([botTexts.recordFull('SR-1')]);
    expect(handoff.details.at(-1)).toEqual({ description: undefined, contact: '@pat' });
  });

  it('"no thanks" to "anything to add?" adds nothing and ends the question; a goodbye is not a note', async () => {
    const handoff = new FollowUpHandoff();
    const h = dialogHarness(handoff);
    await walkUntilFiled(h);
    expect(said(await h.say('thanks, bye'))).not.toContain(botTexts.detailsAdded('SR-1'));
    expect(said(await h.say('no thanks'))).toEqual([botTexts.nothingAdded('SR-1')]);
    expect(handoff.followUpsEnded).toEqual(['SR-1']);
    expect(said(await h.say('it started after an update'))).not.toContain(botTexts.detailsAdded('SR-1'));
    expect(handoff.details).toEqual([]);
  });

  it('a support record filed because nobody was online asks for nothing: free text is not taken for details', async () => {
    const handoff = new FollowUpHandoff('nobody');
    const h = dialogHarness(handoff);
    expect(said(await h.say('I need a human'))[0]).toBe(`${botTexts.humanNoted}\n\n${botTexts.noStaffOnline('SR-1')}`);
    handoff.supportRecord = { id: 'SR-1', followUpAsked: false };
    await h.say('my camera is black');
    expect(handoff.details).toEqual([]);
  });

  it('free text for a record the person was never told about is not taken for details', async () => {
    const handoff = new FollowUpHandoff();
    const h = dialogHarness(handoff);
    await h.say('my camera is black');
    handoff.supportRecord = { id: 'SR-9', followUpAsked: true };
    await h.say('on a mac');
    expect(handoff.details).toEqual([]);
  });
});
