import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';
import { describe, expect, it, vi } from 'vitest';
import { TypingIndicator } from '../../src/bot/typing';
import { memoryLogger } from '../helpers/server';

/**
 * A live channel as the middleware sees it: what the bot sends is recorded in order ("typing" or
 * the text), and an indicator's send can be held on its way (a slow channel).
 */
class RecordingChannel extends BotAdapter {
  readonly sent: string[] = [];
  typingStarted = 0;
  holdTyping?: Promise<void>;
  refuseTyping = false;

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    for (const activity of activities) {
      if (activity.type === ActivityTypes.Typing) {
        this.typingStarted += 1;
        await this.holdTyping;
        if (this.refuseTyping) throw new Error('415 typing is not supported here');
      }
      this.sent.push(activity.type === ActivityTypes.Typing ? 'typing' : (activity.text ?? ''));
    }
    return activities.map((_, i) => ({ id: String(i) }));
  }

  updateActivity(): Promise<void> {
    throw new Error('not used');
  }
  deleteActivity(): Promise<void> {
    throw new Error('not used');
  }
  continueConversation(_reference: Partial<ConversationReference>, _logic: (context: TurnContext) => Promise<void>): Promise<void> {
    throw new Error('not used');
  }

  turn(logic: (context: TurnContext) => Promise<void>, activity: Partial<Activity> = { type: ActivityTypes.Message, text: 'my camera is black' }): Promise<void> {
    const context = new TurnContext(this, { channelId: 'emulator', conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: '' }, from: { id: 'p', name: 'Pat' }, recipient: { id: 'bot', name: 'Bot' }, serviceUrl: 'http://127.0.0.1:9', ...activity });
    return this.runMiddleware(context, logic);
  }
}

function channelWith(delayMs: number, renewMs = 40): RecordingChannel {
  const channel = new RecordingChannel();
  channel.use(new TypingIndicator(memoryLogger().log, { delayMs, renewMs }));
  return channel;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the typing indicator', () => {
  it('sends a quick answer alone: no round trip to the channel before it', async () => {
    const channel = channelWith(30);
    await channel.turn(async (context) => {
      await context.sendActivity('Step 1 of 6: close other apps');
    });
    await settle(100);
    expect(channel.sent).toEqual(['Step 1 of 6: close other apps']);
  });

  it('shows the bot typing once a turn has been silent for the delay, renews it while the silence lasts, and stops when the turn ends', async () => {
    const channel = channelWith(30, 40);
    await channel.turn(async (context) => {
      await vi.waitFor(() => expect(channel.sent).toEqual(['typing', 'typing']), { timeout: 5000 });
      await context.sendActivity('Here is what I found');
    });
    await settle(150);
    expect(channel.sent).toEqual(['typing', 'typing', 'Here is what I found']);
  });

  it('counts the silence again from each answer, so an indicator never follows an answer at once', async () => {
    const channel = channelWith(60, 1000);
    await channel.turn(async (context) => {
      await context.sendActivity('First, a question');
      await vi.waitFor(() => expect(channel.sent).toContain('typing'), { timeout: 5000 });
      await context.sendActivity('Then the answer');
    });
    expect(channel.sent).toEqual(['First, a question', 'typing', 'Then the answer']);
  });

  it('holds an answer until an indicator already on its way has reached the channel', async () => {
    const channel = channelWith(20);
    let release = () => {};
    channel.holdTyping = new Promise((resolve) => (release = resolve));
    await channel.turn(async (context) => {
      await vi.waitFor(() => expect(channel.typingStarted).toBe(1), { timeout: 5000 });
      const answered = context.sendActivity('The answer');
      await settle(50);
      expect(channel.sent).toEqual([]);
      release();
      await answered;
    });
    expect(channel.sent).toEqual(['typing', 'The answer']);
  });

  it('ends the turn only once an indicator on its way has gone, so it never runs on a finished turn, even when it fails', async () => {
    const channel = channelWith(20);
    let release = () => {};
    channel.holdTyping = new Promise((resolve) => (release = resolve));
    channel.refuseTyping = false;
    let ended = false;
    const turn = channel
      .turn(async () => {
        await vi.waitFor(() => expect(channel.typingStarted).toBe(1), { timeout: 5000 });
      })
      .then(() => (ended = true));
    await settle(50);
    expect(ended).toBe(false);
    // The channel then refuses it: logged, and the turn ends (a revoked context read here crashed the process).
    channel.refuseTyping = true;
    release();
    await turn;
    expect(ended).toBe(true);
  });

  it('with a delay of 0, shows it at the start of every turn, before anything else', async () => {
    const channel = channelWith(0, 10_000);
    await channel.turn(async (context) => {
      await context.sendActivity('The answer');
    });
    expect(channel.sent).toEqual(['typing', 'The answer']);
  });

  it('still answers on a channel that refuses typing', async () => {
    const channel = channelWith(20);
    channel.refuseTyping = true;
    await channel.turn(async (context) => {
      await vi.waitFor(() => expect(channel.typingStarted).toBeGreaterThan(0), { timeout: 5000 });
      await context.sendActivity('The answer');
    });
    expect(channel.sent).toEqual(['The answer']);
  });

  it('shows nothing for turns that answer nobody, or whose replies come back in the response', async () => {
    const channel = channelWith(20);
    const inResponse: string[] = [];
    const slowTurn = async (context: TurnContext) => {
      await settle(80);
      await context.sendActivity('Hello');
      // expectReplies: what the turn sends is kept for the response instead of sent.
      inResponse.push(...context.bufferedReplyActivities.map((a) => a.type ?? ''));
    };
    await channel.turn(slowTurn, { type: ActivityTypes.ConversationUpdate });
    await channel.turn(slowTurn, { type: ActivityTypes.Message, text: 'hi', deliveryMode: 'expectReplies' });
    expect(channel.sent).toEqual(['Hello']);
    expect(inResponse).toEqual(['message']);
  });
});
