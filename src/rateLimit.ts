/**
 * A fixed-window counter per client address: the web chat's conversation starts (the chat is
 * public, so they must be cheap to refuse) and failed staff sign-ins (so tokens cannot be
 * guessed at speed). The count is per process, which is enough to stop one client; each
 * instance behind a load balancer allows its own share.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
  ) {}

  /** Whether `address` is over the limit in the current window, without counting. */
  isLimited(address: string, now = Date.now()): boolean {
    const window = this.windows.get(address);
    return window !== undefined && now - window.startedAt < this.windowMs && window.count > this.limit;
  }

  /** Counts one event for `address`; returns the seconds to wait when over the limit. */
  take(address: string, now = Date.now()): { allowed: true } | { allowed: false; retryAfterS: number } {
    let window = this.windows.get(address);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (this.windows.size > 10_000) this.prune(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(address, window);
    }
    window.count += 1;
    if (window.count <= this.limit) return { allowed: true };
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000)) };
  }

  private prune(now: number): void {
    for (const [address, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(address);
  }
}
