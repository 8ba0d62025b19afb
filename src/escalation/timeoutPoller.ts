import type { Logger } from '../logger';

/**
 * The no-staff timer. Not a setTimeout per escalation (lost on restart, fired by every
 * instance): each escalation has a due time in the store, and every instance polls for due ones
 * about once a second; the timeout itself is a compare-and-set, so it fires exactly once.
 */
export class TimeoutPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly tick: () => Promise<unknown>,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A slow tick (a slow proactive send) is never overlapped by the next one.
      this.running ??= this.tick()
        .then(() => undefined, (error: unknown) => this.log.error({ err: error }, 'escalation timeout poll failed'))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops polling and waits for a tick in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
