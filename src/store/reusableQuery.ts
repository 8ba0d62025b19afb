import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

const SLOT = '\u0000slot:';

/**
 * A query built and compiled once, then run with new values. Kysely builds and compiles a query
 * on every call, which showed in the turn profile for the few statements every turn runs; their
 * SQL never changes, only the values. The query is built with named slots in place of values,
 * and the compiled parameter list is mapped back to the names once.
 */
export class ReusableQuery<Slot extends string, Row = unknown> {
  private readonly compiled: CompiledQuery<Row>;
  private readonly order: Slot[];

  constructor(build: (slot: (name: Slot) => string) => Compilable<Row>) {
    this.compiled = build((name) => `${SLOT}${name}`).compile();
    this.order = this.compiled.parameters.map((parameter) => {
      if (typeof parameter !== 'string' || !parameter.startsWith(SLOT)) throw new Error(`A reusable query takes values only through slots: ${this.compiled.sql}`);
      return parameter.slice(SLOT.length) as Slot;
    });
  }

  execute<DB>(db: Kysely<DB>, values: Record<Slot, unknown>): Promise<QueryResult<Row>> {
    return db.executeQuery({ ...this.compiled, parameters: this.order.map((name) => values[name]) });
  }
}
