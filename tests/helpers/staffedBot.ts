import type { RunningBot } from '../../src/main';
import { startFakeChannel, type FakeChannel } from './fakeChannel';
import { startTestBot } from './server';
import { STAFF, STAFF_TOKENS, StaffClient, asList, eventually } from './staff';
import type { TestBackend, TestStore } from './stores';
import { suiteFixture } from './suiteFixture';

/** A bot on a fresh store, with two staff members, whose proactive sends the fake channel captures. */
export interface StaffedBot {
  readonly channel: FakeChannel;
  readonly store: TestStore;
  readonly bot: RunningBot;
  /** Sam Rivera and Kim Lee, calling the staff API with their tokens. */
  readonly sam: StaffClient;
  readonly kim: StaffClient;
  /** The texts the bot sent to the conversation through the fake channel. */
  sentText(conversationId: string): string[];
  /** The conversation's escalation, once the staff API lists it. */
  escalationOf(conversationId: string): Promise<Record<string, unknown>>;
}

/**
 * The fixture of a suite about an escalated conversation: started before the suite's tests (call
 * it inside the `describe`), closed after them; its parts are read inside the tests.
 */
export function staffedBot(backend: TestBackend): StaffedBot {
  const started = suiteFixture('the staffed bot', async (closeLater) => {
    const channel = await startFakeChannel();
    closeLater(() => channel.close());
    const store = await backend.open();
    closeLater(() => store.dispose());
    const bot = await startTestBot({ ...store.env, STAFF_TOKENS });
    closeLater(() => bot.close());
    return { channel, store, bot, sam: new StaffClient(bot.url, STAFF.sam), kim: new StaffClient(bot.url, STAFF.kim) };
  });
  return {
    get channel() {
      return started().channel;
    },
    get store() {
      return started().store;
    },
    get bot() {
      return started().bot;
    },
    get sam() {
      return started().sam;
    },
    get kim() {
      return started().kim;
    },
    sentText: (conversationId) => started().channel.sentTo(conversationId).map((a) => a.text ?? ''),
    escalationOf: (conversationId) =>
      eventually(`an escalation for ${conversationId}`, async () => asList((await started().sam.get('/api/escalations')).body).find((e) => e.conversationId === conversationId)),
  };
}
