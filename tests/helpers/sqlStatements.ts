import SqliteDatabase from 'better-sqlite3';
import { vi } from 'vitest';

/**
 * What `body` gave, and the SQL that better-sqlite3 ran meanwhile (any connection of the process):
 * each statement's source, in order.
 */
export async function sqliteStatementsDuring<T>(body: () => Promise<T>): Promise<{ result: T; sources: string[] }> {
  const statement = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1')) as { all: () => unknown; run: () => unknown; get: () => unknown };
  const spies = (['all', 'run', 'get'] as const).map((name) => vi.spyOn(statement, name));
  try {
    const result = await body();
    return { result, sources: spies.flatMap((spy) => spy.mock.contexts.map((context) => String((context as { source: string }).source))) };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
