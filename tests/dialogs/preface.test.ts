import { ActivityTypes, TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { prefaceNextMessage, sendPendingPreface } from '../../dialogs/preface';

/** The activities one turn sends, with `logic` run on a message. */
async function turnSends(logic: (context: TurnContext) => Promise<void>): Promise<Partial<Activity>[]> {
  const sent: Partial<Activity>[] = [];
  const adapter = new TestAdapter(async (context) => {
    context.onSendActivities(async (_context, activities, next) => {
      sent.push(...activities);
      return next();
    });
    await logic(context);
  });
  await adapter.send('hello');
  return sent;
}

describe('a preface goes with the turn\'s next message', () => {
  it('is the first paragraph of the next message with text, and of no later one', async () => {
    const sent = await turnSends(async (context) => {
      prefaceNextMessage(context, 'Thanks, noted.');
      await context.sendActivity({ type: ActivityTypes.Event, name: 'handoff.initiate' });
      await context.sendActivity('Which device are you on?');
      await context.sendActivity('Step 1 of 3');
      await sendPendingPreface(context);
    });
    expect(sent.map((a) => a.text ?? a.name)).toEqual(['handoff.initiate', 'Thanks, noted.\n\nWhich device are you on?', 'Step 1 of 3']);
  });

  it('two prefaces of one turn come in the order they were said', async () => {
    const sent = await turnSends(async (context) => {
      prefaceNextMessage(context, 'Thanks, noted.');
      prefaceNextMessage(context, 'Understood, your session is live.');
      await context.sendActivity("I've called a member of staff.");
      await sendPendingPreface(context);
    });
    expect(sent.map((a) => a.text)).toEqual(["Thanks, noted.\n\nUnderstood, your session is live.\n\nI've called a member of staff."]);
  });

  it('is sent alone at the end of the turn when no message follows it', async () => {
    const sent = await turnSends(async (context) => {
      prefaceNextMessage(context, 'OK, I\'ll get you a person.');
      await sendPendingPreface(context);
      await sendPendingPreface(context);
    });
    expect(sent.map((a) => a.text)).toEqual(["OK, I'll get you a person."]);
  });
});
