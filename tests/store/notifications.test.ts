import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client } from 'pg';
import { openStore, type Store } from '../../src/store';
import { PostgresNotifier } from '../../src/store/notifications';
import { announceSkip, backends, postgresBackend, TEST_DATABASE_URL, type TestStore } from '../helpers/stores';

async function eventually<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const backend of backends) {
  announceSkip(backend, 'notifications');

  describe.skipIf(!backend.available)(`notifications on ${backend.name}`, () => {
    let t: TestStore | undefined;
    let second: Store | undefined;
    afterEach(async () => {
      await second?.close();
      await t?.dispose();
      second = undefined;
    });

    it('delivers a published payload to subscribers of the topic only, until they unsubscribe', async () => {
      t = await backend.open();
      const got: string[] = [];
      const other: string[] = [];
      const stop = t.store.notifier.subscribe('escalations', (p) => got.push(p));
      t.store.notifier.subscribe('channel', (p) => other.push(p));
      // LISTEN is asynchronous on PostgreSQL: publish until the subscription is live.
      await eventually(async () => {
        await t?.store.notifier.publish('escalations', 'esc-1');
        return got.length > 0 ? got : undefined;
      });
      stop();
      const heardBefore = got.length;
      await t.store.notifier.publish('escalations', 'esc-2');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(new Set(got)).toEqual(new Set(['esc-1']));
      expect(got.length).toBeLessThanOrEqual(heardBefore + 1); // at most one 'esc-1' still in flight, never 'esc-2'
      expect(other).toEqual([]);
    });

    it.skipIf(backend.name === 'sqlite')('listens to topics subscribed at once one command at a time, and hears each', async () => {
      // pg runs a query sent to a busy client after the one in flight, with a deprecation warning (an error from pg 9).
      const busy = new Set<unknown>();
      let overlapped = 0;
      const query = Client.prototype.query;
      function watched(this: Client, ...args: unknown[]): unknown {
        if (busy.has(this)) overlapped++;
        busy.add(this);
        const result: unknown = Reflect.apply(query, this, args);
        if (result instanceof Promise) return result.finally(() => busy.delete(this));
        busy.delete(this);
        return result;
      }
      Client.prototype.query = watched as typeof query;
      try {
        t = await backend.open();
        const heard: string[] = [];
        for (const topic of ['escalations', 'channel', 'presence']) t.store.notifier.subscribe(topic, (p) => heard.push(`${topic}:${p}`));
        await eventually(async () => {
          for (const topic of ['escalations', 'channel', 'presence']) await t?.store.notifier.publish(topic, 'hello');
          return ['escalations', 'channel', 'presence'].every((topic) => heard.includes(`${topic}:hello`)) ? heard : undefined;
        });
        expect(overlapped).toBe(0);
      } finally {
        Client.prototype.query = query;
      }
    });

    it.skipIf(backend.name === 'sqlite')('reaches another instance on the same database', async () => {
      t = await backend.open();
      second = await openStore(t.options);
      const heard: string[] = [];
      second.notifier.subscribe('escalations', (p) => heard.push(p));
      const received = await eventually(async () => {
        await t?.store.notifier.publish('escalations', 'from-instance-a');
        return heard.length > 0 ? heard : undefined;
      });
      expect(received[0]).toBe('from-instance-a');
    });
  });
}

describe.skipIf(!TEST_DATABASE_URL)('notifications published together on PostgreSQL', () => {
  const notifyStatements = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.filter(([query]) => /pg_notify/.test(typeof query === 'string' ? query : String((query as { text?: string }).text))).length;

  it('go in one statement, in the order published; a repeated one follows in a statement of its own', async () => {
    const t = await postgresBackend.open();
    const schema = t.options.schema ?? 'public';
    // Two instances: one publishes, the other listens.
    const publisher = new PostgresNotifier(t.store.db, TEST_DATABASE_URL, schema);
    const listener = new PostgresNotifier(t.store.db, TEST_DATABASE_URL, schema);
    try {
      const heard: string[] = [];
      const allHeard = new Promise<void>((resolve) => {
        listener.subscribe('feed', (payload) => {
          heard.push(payload);
          if (heard.length === 5) resolve();
        });
      });
      await listener.ready();
      const queries = vi.spyOn(Client.prototype, 'query');
      // PostgreSQL delivers a repeated channel and payload only once per transaction.
      const payloads = ['one', 'two', 'two', 'three', `it's {quoted}, \\ "and" so`];
      await Promise.all(payloads.map((payload) => publisher.publish('feed', payload)));
      await allHeard;
      expect(heard).toEqual(['one', 'two', 'three', `it's {quoted}, \\ "and" so`, 'two']);
      expect(notifyStatements(queries)).toBe(2);
    } finally {
      vi.restoreAllMocks();
      await publisher.close();
      await listener.close();
      await t.dispose();
    }
  });

  it('fail together when the statement fails, and the next ones are sent', async () => {
    const t = await postgresBackend.open();
    const publisher = new PostgresNotifier(t.store.db, TEST_DATABASE_URL, t.options.schema ?? 'public');
    const query = Client.prototype.query;
    let refuse = true;
    function refusing(this: Client, ...args: unknown[]): unknown {
      const [config] = args;
      const text = typeof config === 'string' ? config : String((config as { text?: string }).text);
      if (refuse && /pg_notify/.test(text)) return Promise.reject(new Error('connection lost'));
      return Reflect.apply(query, this, args);
    }
    Client.prototype.query = refusing as typeof query;
    try {
      const results = await Promise.allSettled([publisher.publish('feed', 'a'), publisher.publish('feed', 'b')]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      refuse = false;
      await expect(publisher.publish('feed', 'c')).resolves.toBeUndefined();
    } finally {
      Client.prototype.query = query;
      await publisher.close();
      await t.dispose();
    }
  });
});
