import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type RunningTestBot } from '../helpers/server';
import { STAFF_TOKENS } from '../helpers/staff';

/** What reached the channel, and when: a post's arrival and the channel's answer to it. */
interface Post {
  type: string;
  name?: string;
  text?: string;
  arrivedAt: number;
  answeredAt: number;
}

const HOLD_MS = 400;

/** A channel that is slow to take the `handoff.initiate` event (a hub's channel under load) and quick with the rest. */
async function slowHubChannel(): Promise<{ serviceUrl: string; posts: Post[]; close(): Promise<void> }> {
  const posts: Post[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; name?: string; text?: string };
      const post: Post = { type: activity.type, name: activity.name, text: activity.text, arrivedAt: performance.now(), answeredAt: Number.NaN };
      posts.push(post);
      setTimeout(() => {
        post.answeredAt = performance.now();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `posted-${posts.length}` }));
      }, activity.name === 'handoff.initiate' ? HOLD_MS : 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

describe('the handoff.initiate event on a real channel (replies posted, not returned)', () => {
  let bot: RunningTestBot;
  let channel: Awaited<ReturnType<typeof slowHubChannel>>;
  beforeAll(async () => {
    channel = await slowHubChannel();
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
    const before = channel.posts.length;
    await send({ type: 'message', text: "I'm presenting in 5 minutes and my mic is blocked" });
    const turnEnded = performance.now();

    const posts = channel.posts.slice(before);
    const hub = posts.find((p) => p.name === 'handoff.initiate');
    const called = posts.find((p) => p.text?.includes("I've called a member of staff."));
    expect(hub).toBeDefined();
    expect(called).toBeDefined();
    // The person's message reached the channel while the slow channel still held the event…
    expect(called!.arrivedAt).toBeLessThan(hub!.answeredAt);
    // …and the turn answered only once the event had been taken.
    expect(turnEnded).toBeGreaterThanOrEqual(hub!.answeredAt);
  });
});
