import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Pool } from 'pg';

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterS: number };

/** A fixed-window count of events per key (a client address, a conversation). */
export interface RateLimit {
  readonly limit: number;
  /** Counts one event for `key`; says how long to wait when it is over the limit. */
  take(key: string): Promise<RateVerdict>;
  /** Whether `key` went over the limit in the current window, without counting. */
  isLimited(key: string): Promise<boolean>;
}

export interface RateLimits {
  /** A limit of `limit` events per `windowS` seconds; `name` keeps each limit's counts apart. */
  create(name: string, limit: number, windowS?: number): RateLimit;
}

/** The table rate-limiter-flexible keeps its PostgreSQL counts in (created by the migrations). */
export const RATE_LIMIT_TABLE = 'rate_limits';

/**
 * Counts live in PostgreSQL when the store does, so N instances behind a load balancer give one
 * limit, not N; on SQLite (one process) they live in memory. If PostgreSQL fails, each instance
 * falls back to its own count rather than refusing or waving everyone through.
 */
export function rateLimits(pool: Pool | undefined): RateLimits {
  return {
    create(name, limit, windowS = 60) {
      const options = { keyPrefix: name, points: limit, duration: windowS };
      const limiter: RateLimiterAbstract = pool
        ? new RateLimiterPostgres({ ...options, storeClient: pool, storeType: 'pool', tableName: RATE_LIMIT_TABLE, tableCreated: true, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
      return new CountedLimit(limiter, limit);
    },
  };
}

class CountedLimit implements RateLimit {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    readonly limit: number,
  ) {}

  async take(key: string): Promise<RateVerdict> {
    try {
      await this.limiter.consume(key);
      return { allowed: true };
    } catch (refusal) {
      // rate-limiter-flexible rejects with its result when over the limit, with an Error otherwise.
      if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterS: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
      throw refusal;
    }
  }

  async isLimited(key: string): Promise<boolean> {
    const current = await this.limiter.get(key);
    return current !== null && current.consumedPoints > this.limit;
  }
}
