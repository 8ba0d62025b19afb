import type { Logger } from '../logger';
import type { EscalationSummary } from './feed';
import { webhookTexts } from './texts';

export type WebhookFormat = 'json' | 'teams' | 'slack';

/** What the webhook reports, for metrics: each HTTP call, and each escalation's final result. */
export interface WebhookObserver {
  attempt(): void;
  delivery(result: 'delivered' | 'failed'): void;
}

export interface WebhookOptions {
  url: string;
  log: Logger;
  /** Body shape: plain JSON (default), a Teams Workflows Adaptive Card, or a Slack incoming-webhook message. */
  format?: WebhookFormat;
  /** The service's public address; the message links to the escalation in the staff console there. */
  publicUrl?: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Delays before the retries; three retries by default. A `Retry-After` of up to a minute is honoured instead. */
  backoffMs?: readonly number[];
  observer?: WebhookObserver;
}

const MAX_RETRY_AFTER_MS = 60_000;

/** Where staff open one escalation in the console (the console reads the hash). */
export function consoleLink(publicUrl: string | undefined, escalationId: string): string | undefined {
  return publicUrl ? `${publicUrl}/staff#escalation=${encodeURIComponent(escalationId)}` : undefined;
}

/** The request body for each format. */
export function webhookBody(format: WebhookFormat, escalation: EscalationSummary, link: string | undefined): unknown {
  const text = webhookTexts.summary(escalation);
  switch (format) {
    case 'teams':
      // Teams Workflows ("Post to a channel when a webhook request is received") takes a message with an Adaptive Card.
      return {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: webhookTexts.title(escalation) },
                { type: 'TextBlock', wrap: true, text },
                {
                  type: 'FactSet',
                  facts: webhookTexts.facts(escalation).map(([title, value]) => ({ title, value })),
                },
              ],
              ...(link ? { actions: [{ type: 'Action.OpenUrl', title: webhookTexts.open, url: link }] } : {}),
            },
          },
        ],
      };
    case 'slack':
      return {
        text,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*${webhookTexts.title(escalation)}*\n${text}` } },
          { type: 'section', fields: webhookTexts.facts(escalation).map(([title, value]) => ({ type: 'mrkdwn', text: `*${title}:* ${value}` })) },
          ...(link ? [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: webhookTexts.open }, url: link }] }] : []),
        ],
      };
    case 'json':
      return { text, escalation, ...(link ? { console: link } : {}) };
  }
}

/**
 * Tells an incoming webhook (Teams Workflows, Slack, anything that takes JSON) of each new
 * escalation. Runs in the background: the person's turn never waits for it. Timeouts, network
 * errors, 408, 429 and 5xx are retried with backoff; other answers are final. Each escalation is
 * logged once: at debug when delivered, as one warning with every attempt's outcome when not.
 * `stop()` abandons pending retries at shutdown.
 */
export class StaffWebhook {
  private readonly controller = new AbortController();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: WebhookOptions) {}

  notify(escalation: EscalationSummary): void {
    const body = JSON.stringify(webhookBody(this.options.format ?? 'json', escalation, consoleLink(this.options.publicUrl, escalation.id)));
    const delivery = this.deliver(body, escalation.id).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  private async deliver(body: string, escalationId: string): Promise<void> {
    const backoff = this.options.backoffMs ?? [1000, 3000, 9000];
    const attempts: string[] = [];
    for (let attempt = 0; attempt <= backoff.length; attempt++) {
      if (this.controller.signal.aborted) return;
      let retryAfterMs: number | undefined;
      this.options.observer?.attempt();
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.options.timeoutMs ?? 5000)]),
        });
        // The answer's body is not needed; reading it frees the connection.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.options.observer?.delivery('delivered');
          this.options.log.debug({ escalationId, attempts: attempt + 1 }, 'staff webhook delivered');
          return;
        }
        attempts.push(`HTTP ${response.status}`);
        if (!retryable(response.status)) break;
        retryAfterMs = retryAfter(response.headers.get('retry-after'));
      } catch (error) {
        if (this.controller.signal.aborted) return;
        attempts.push(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error));
      }
      const delay = backoff[attempt];
      if (delay === undefined) break;
      await sleep(retryAfterMs ?? delay, this.controller.signal);
    }
    this.options.observer?.delivery('failed');
    this.options.log.warn({ escalationId, attempts }, 'staff webhook not delivered');
  }

  /** Resolves when every delivery in flight has succeeded or given up. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  stop(): void {
    this.controller.abort();
  }
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `Retry-After` in seconds (dates are rare from webhooks and fall back to the backoff). */
function retryAfter(header: string | null): number | undefined {
  if (!header || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(Number(header) * 1000, MAX_RETRY_AFTER_MS);
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
