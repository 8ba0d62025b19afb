import type { Logger } from '../logger';
import type { EscalationSummary } from './feed';

export interface WebhookOptions {
  url: string;
  log: Logger;
  /** Per attempt. */
  timeoutMs?: number;
  /** Delays before the retries; three retries by default. */
  backoffMs?: readonly number[];
}

/**
 * Tells an incoming webhook (Teams, Slack, anything that takes JSON) of each new escalation.
 * Runs in the background: the person's turn never waits for it. Failures are logged and retried
 * with backoff; `stop()` abandons pending retries at shutdown.
 */
export class StaffWebhook {
  private readonly controller = new AbortController();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: WebhookOptions) {}

  notify(escalation: EscalationSummary, consoleUrl?: string): void {
    const body = JSON.stringify({
      text: `New escalation ${escalation.id} (${escalation.reason})${escalation.userName ? ` from ${escalation.userName}` : ''}, position ${escalation.position ?? '?'} in the queue.`,
      escalation,
      ...(consoleUrl ? { console: consoleUrl } : {}),
    });
    const delivery = this.deliver(body, escalation.id).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  private async deliver(body: string, escalationId: string): Promise<void> {
    const backoff = this.options.backoffMs ?? [1000, 3000, 9000];
    for (let attempt = 0; attempt <= backoff.length; attempt++) {
      if (this.controller.signal.aborted) return;
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.options.timeoutMs ?? 5000)]),
        });
        if (response.ok) return;
        this.options.log.warn({ escalationId, status: response.status, attempt: attempt + 1 }, 'staff webhook answered with an error');
      } catch (error) {
        if (this.controller.signal.aborted) return;
        this.options.log.warn({ escalationId, err: error, attempt: attempt + 1 }, 'staff webhook failed');
      }
      const delay = backoff[attempt];
      if (delay === undefined) break;
      await sleep(delay, this.controller.signal);
    }
    this.options.log.error({ escalationId }, 'staff webhook gave up');
  }

  /** Resolves when every delivery in flight has succeeded or given up. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  stop(): void {
    this.controller.abort();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
