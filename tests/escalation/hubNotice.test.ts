import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { startTestBot, type RunningTestBot } from '../helpers/server';
import { STAFF_TOKENS } from '../helpers/staff';

/** How long the channel holds the `handoff.initiate` event before answering (a hub's channel under load). */
const HOLD_MS = 400;

describe('the handoff.initiate event on a real channel (replies posted, not returned)', () => {
  let bot: RunningTestBot;
  let channel: FakeChannel;
  beforeAll(async () => {
    channel = await startFakeChannel({ holdMs: (activity) => (activity.name === 'handoff.initiate' ? HOLD_MS : 0) });
    bot = await startTestBot({ STAFF_TOKENS, LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
  });

  it('does not hold up the message that tells the person staff were called, and is posted before the turn ends', async () => {
    // As a channel sends it: the replies go to serviceUrl, the turn's own answer is empty.
    const send = async (activity: Record<string, unknown>) => {
      const response = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          channelId: 'emulator', serviceUrl: channel.serviceUrl, conversation: { id: 'conv-slow-hub' }, from: { id: 'user-alex', name: 'Alex' },
          recipient: { id: 'tech-support-bot' }, id: `activity-${Math.random()}`, timestamp: new Date().toISOString(), ...activity,
        }),
      });
      expect(response.status).toBe(200);
    };
    await send({ type: 'conversationUpdate', membersAdded: [{ id: 'user-alex', name: 'Alex' }] });
    const before = channel.received.length;
    await send({ type: 'message', text: "I'm presenting in 5 minutes and my mic is blocked" });
    const turnEnded = performance.now();

    const posts = channel.received.slice(before);
    const hub = posts.find((p) => p.name === 'handoff.initiate');
    const called = posts.find((p) => p.text?.includes("I've called a member of staff."));
    expect(hub?.answeredAt).toBeDefined();
    expect(called?.arrivedAt).toBeDefined();
    // The person's message reached the channel while the slow channel still held the event…
    expect(called!.arrivedAt).toBeLessThan(hub!.answeredAt!);
    // …and the turn answered only once the event had been taken.
    expect(turnEnded).toBeGreaterThanOrEqual(hub!.answeredAt!);
  });
});
