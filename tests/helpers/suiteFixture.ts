import { afterAll, beforeAll } from 'vitest';

/**
 * Something a suite starts once, before its tests, and closes after them. `start` registers how
 * to close each part as soon as that part is up (so a failed start closes what it opened); parts
 * close in the reverse order. Call it inside the `describe`; the returned reader works inside tests.
 */
export function suiteFixture<T>(what: string, start: (closeLater: (close: () => unknown) => void) => Promise<T>): () => T {
  let value: T | undefined;
  const closers: (() => unknown)[] = [];
  beforeAll(async () => {
    value = await start((close) => closers.unshift(close));
  });
  afterAll(async () => {
    for (const close of closers) await close();
  });
  return () => {
    if (value === undefined) throw new Error(`${what} starts in beforeAll: read it inside a test`);
    return value;
  };
}
