import { EventFactory, TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { handoffInitiation } from '../../src/escalation/handoffEvent';

describe('handoff.initiate', () => {
  it("is the event botbuilder's EventFactory builds, field for field, with the process's time zone", () => {
    const adapter = new TestAdapter();
    const incoming: Partial<Activity> = {
      type: 'message', id: 'm-7', text: 'I need a person', channelId: 'directline', serviceUrl: 'https://channel.example/',
      conversation: { id: 'c-1', isGroup: false, conversationType: 'personal', name: 'c-1' }, from: { id: 'u-1', name: 'Alex' }, recipient: { id: 'bot', name: 'Bot' },
    };
    const context = new TurnContext(adapter, incoming);
    const record = { facts: { os: 'windows' } };
    const transcript = { activities: [incoming as Activity] };

    const ours = handoffInitiation(context, record, transcript);
    const theirs = EventFactory.createHandoffInitiation(context, record, transcript);
    const { id, timestamp, ...rest } = ours;
    const { id: theirId, timestamp: theirTimestamp, ...theirRest } = theirs;
    expect(rest).toEqual(theirRest);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(theirId);
    expect(timestamp).toBeInstanceOf(Date);
    expect(theirTimestamp).toBeInstanceOf(Date);
    expect(ours.localTimezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
