import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type { Pool, PoolClient } from 'pg';

/**
 * Distinct statements one process names at most. The store's statements are a few dozen; lists of
 * keys (`in ($1, …, $n)`) add one per length. Past the limit a new text runs unnamed, as before.
 */
export const NAMED_STATEMENT_LIMIT = 256;

/** Statements worth keeping: the store's reads and writes, never a transaction command or DDL. */
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Kysely's PostgreSQL driver sends every query unnamed, so the server parses and plans each one
 * again, looking up the size of every table and index it touches (an `lseek` each) on every call.
 * The same few statements run on every turn: as named statements each connection parses one once
 * and the server keeps its plan, as SQLite's prepared statements are kept (`reusingStatements`).
 *
 * A named statement can go stale: a migration that changes the columns of a `select *` (PostgreSQL
 * answers "cached plan must not change result type"), or a pooler that lost it ("prepared
 * statement … does not exist"). Its text then gets a new name, and outside a transaction the
 * query is run again at once, unnamed; inside one the transaction has failed and the error is the
 * caller's, as any other.
 */
export function namingStatements(pool: Pool, limit = NAMED_STATEMENT_LIMIT): PostgresPool {
  const names = new StatementNames(limit);
  const clients = new WeakMap<PoolClient, NamingClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let naming = clients.get(client);
      if (!naming) {
        naming = new NamingClient(client, names);
        clients.set(client, naming);
      }
      return naming;
    },
    end: () => pool.end(),
  };
}

/** The name of each statement text, shared by the pool's connections (each parses a name once). */
class StatementNames {
  private readonly byText = new Map<string, string>();
  private issued = 0;

  constructor(private readonly limit: number) {}

  nameOf(text: string): string | undefined {
    const known = this.byText.get(text);
    if (known !== undefined || this.byText.size >= this.limit) return known;
    const name = `tsb_${++this.issued}`;
    this.byText.set(text, name);
    return name;
  }

  /** The server's statement under this text's name is gone or stale: a new name next time. */
  forget(text: string): void {
    this.byText.delete(text);
  }
}

class NamingClient implements PostgresPoolClient {
  private inTransaction = false;

  constructor(
    private readonly client: PoolClient,
    private readonly names: StatementNames,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters: ReadonlyArray<unknown> = []): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') return this.client.query(sqlOrCursor as never);
    return this.run<R>(sqlOrCursor, [...parameters]);
  }

  release(destroy?: boolean): void {
    this.inTransaction = false;
    this.client.release(destroy);
  }

  private async run<R>(text: string, values: unknown[]): Promise<PostgresQueryResult<R>> {
    if (/^\s*(begin|start transaction)\b/i.test(text)) this.inTransaction = true;
    else if (/^\s*(commit|rollback)\b/i.test(text)) this.inTransaction = false;
    const name = values.length > 0 && DATA_STATEMENT.test(text) ? this.names.nameOf(text) : undefined;
    if (name === undefined) return resultOf<R>(await this.client.query(text, values));
    try {
      return resultOf<R>(await this.client.query({ name, text, values }));
    } catch (error) {
      if (!isStale(error)) throw error;
      this.names.forget(text);
      if (this.inTransaction) throw error;
      return resultOf<R>(await this.client.query(text, values));
    }
  }
}

function resultOf<R>(result: { command: string; rowCount: number | null; rows: unknown[] }): PostgresQueryResult<R> {
  return { command: result.command as PostgresQueryResult<R>['command'], rowCount: result.rowCount ?? 0, rows: result.rows as R[] };
}

/** "cached plan must not change result type" (a changed table under `select *`) or a statement the server no longer has. */
function isStale(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  return code === '26000' || (code === '0A000' && routine === 'RevalidateCachedQuery');
}
