import { performance } from 'node:perf_hooks';
import { TestAdapter } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffRequestOutcome } from '../../dialogs/handoff';
import { createRecord } from '../../src/diagnosis';
import { EscalationRepository, StaffFeed, SupportRecordRepository, TranscriptRepository } from '../../src/escalation';
import { EscalationHandoff } from '../../src/escalation/staffHandoff';
import { startTurnEndWrites } from '../../src/bot/turnEndWrites';
import { LocalNotifier } from '../../src/store/notifications';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { memoryLogger, startTestBot, type RunningTestBot } from '../helpers/server';
import { STAFF_TOKENS } from '../helpers/staff';
import { sqliteBackend, type TestStore } from '../helpers/stores';

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

describe('the staff feed told of what a turn changed', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await sqliteBackend.open();
  });
  afterAll(() => store?.dispose());

  /** The person's side of escalation, on a feed whose every publish is held until `release` (the listening connection of a busy database). */
  function handoffOnSlowFeed() {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const published: string[] = [];
    const notifier = new LocalNotifier();
    const slowNotifier = Object.assign(Object.create(notifier) as LocalNotifier, {
      publish: async (topic: string, payload: string) => {
        await held;
        published.push((JSON.parse(payload) as { type: string }).type);
        return notifier.publish(topic, payload);
      },
    });
    const { log } = memoryLogger();
    const db = store.store.db;
    const handoff = new EscalationHandoff({
      escalations: new EscalationRepository(db), supportRecords: new SupportRecordRepository(db), transcripts: new TranscriptRepository(db),
      feed: new StaffFeed(slowNotifier, log), log, now: () => new Date(), timeoutS: 180, presence: { online: () => ['Sam Rivera'] },
    });
    return { handoff, published, release };
  }
  const settledWithin = async (promise: Promise<unknown>, ms: number) => Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

  it('a new escalation is told while the person is: staff calls answer before the feed took the event, which the turn then waits for', async () => {
    const { handoff, published, release } = handoffOnSlowFeed();
    const outcomes: StaffRequestOutcome[] = [];
    await new TestAdapter(async (context) => {
      outcomes.push(await handoff.requestStaff(context, { reason: 'urgent', record: createRecord() }));
    }).send('my session is live and my mic is blocked').startTest();
    const [outcome] = outcomes;
    if (outcome?.status !== 'requested') throw new Error(`staff not called: ${JSON.stringify(outcome)}`);
    expect(outcome.position).toBe(1);
    // Answered with the feed still holding the event…
    expect(published).toEqual([]);
    expect(await settledWithin(outcome.announced ?? Promise.resolve(), 20)).toBe(false);
    // …which the turn's wait ends once the feed has it.
    release();
    await outcome.announced;
    expect(published).toEqual(['escalation.created']);
  });

  it('a support record filed is on the feed by the end of the turn, not before the person is told', async () => {
    const { handoff, published, release } = handoffOnSlowFeed();
    let endOfTurn: Promise<unknown> | undefined;
    await new TestAdapter(async (context) => {
      const filed = await handoff.fileSupportRecord(context, { reason: 'steps-exhausted', record: createRecord() });
      expect(filed.status).toBe('filed');
      await context.sendActivity('I have filed a support record.');
      // What the bot does as its turn ends: the state save alongside what the turn registered.
      endOfTurn = Promise.all(startTurnEndWrites(context));
    }).send("didn't help").assertReply('I have filed a support record.').startTest();
    expect(published).toEqual([]);
    expect(await settledWithin(endOfTurn ?? Promise.resolve(), 20)).toBe(false);
    release();
    await endOfTurn;
    expect(published).toEqual(['support-record.created']);
  });
});
