import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one process (SPEC-free, for operators). Counts that must agree across
 * instances (escalations by state, claims, support records, solved answers) are read from the
 * store when scraped, so every instance reports the same figure; the rest are this process's
 * own counters, which Prometheus sums across instances. Recording is a label lookup and an
 * increment: nothing on a turn waits for it.
 */

export type TurnResult = 'ok' | 'error' | 'rejected';
export type StepOutcome = 'fixed' | 'not-fixed' | 'already-tried' | 'verified-fixed' | 'verified-not-fixed';
export type WebhookResult = 'delivered' | 'failed';

/** What the store says about escalation, read once per scrape. */
export interface StoreCounts {
  escalationsByStatus: Record<string, number>;
  /** Escalations a contact-centre hub reported on, by its last state. */
  escalationsByHubState: Record<string, number>;
  escalationsCreated: number;
  claims: number;
  supportRecordsByReason: Record<string, number>;
  /** Answers to "is it solved?" after staff closed an escalation (`yes` is a verified fix). */
  solvedAnswers: Record<string, number>;
}

export interface MetricsSources {
  /** Rule-engine figures of the diagnoser (cumulative). */
  diagnoser?: () => { engineRuns: number; memoHits: number };
  /** The store's escalation counts; a failure is reported as `techsupport_store_up 0`. */
  storeCounts?: () => Promise<StoreCounts>;
}

const TURN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
const STAFF_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Channel ids come from activities; past this many distinct ones, the rest count as `other`. */
const MAX_CHANNELS = 20;
const CHANNEL = /^[a-z0-9][a-z0-9._-]{0,31}$/i;

export class Metrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'result'>;
  private readonly turnSeconds: Histogram<'channel'>;
  private readonly stepOutcomes: Counter<'outcome'>;
  private readonly timeToClaim: Histogram;
  private readonly timeToFirstReply: Histogram;
  private readonly webhook: Counter<'result'>;
  private readonly webhookAttempts: Counter;
  private readonly storeErrors: Counter;
  private readonly querySeconds: Histogram;
  /** Label children kept per channel and result: `labels()` would hash the names on every turn. */
  private readonly turnChildren = new Map<string, { count: Counter.Internal; seconds: Histogram.Internal<'channel'> }>();
  private readonly channels = new Set<string>();
  private readonly streamSources = new Map<string, () => number>();

  constructor(sources: MetricsSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.turns = new Counter({ name: 'techsupport_turns_total', help: 'Turns by channel and result (ok; error: the bot threw and apologised; rejected: bad activity or token).', labelNames: ['channel', 'result'], registers });
    this.turnSeconds = new Histogram({ name: 'techsupport_turn_duration_seconds', help: 'Time from a turn\'s activity arriving to its answer.', labelNames: ['channel'], buckets: TURN_BUCKETS, registers });
    this.stepOutcomes = new Counter({ name: 'techsupport_step_outcomes_total', help: 'Answers to a step: fixed ("That fixed it"), not-fixed ("Didn\'t help"), already-tried, and verified-fixed / verified-not-fixed from "Check again".', labelNames: ['outcome'], registers });
    this.timeToClaim = new Histogram({ name: 'techsupport_escalation_time_to_claim_seconds', help: 'From an escalation\'s creation to its claim by staff.', buckets: STAFF_BUCKETS, registers });
    this.timeToFirstReply = new Histogram({ name: 'techsupport_escalation_time_to_first_staff_reply_seconds', help: 'From an escalation\'s creation to the first staff message the person received.', buckets: STAFF_BUCKETS, registers });
    this.webhook = new Counter({ name: 'techsupport_staff_webhook_deliveries_total', help: 'Staff webhook notifications by result (failed: every retry failed), one per escalation.', labelNames: ['result'], registers });
    this.webhookAttempts = new Counter({ name: 'techsupport_staff_webhook_attempts_total', help: 'HTTP calls made to the staff webhook, retries included.', registers });
    this.storeErrors = new Counter({ name: 'techsupport_store_errors_total', help: 'Store queries that failed.', registers });
    this.querySeconds = new Histogram({ name: 'techsupport_store_query_duration_seconds', help: 'Store query latency.', buckets: QUERY_BUCKETS, registers });
    // Known label values start at zero, so a rate() sees their first increment.
    for (const outcome of ['fixed', 'not-fixed', 'already-tried', 'verified-fixed', 'verified-not-fixed'] satisfies StepOutcome[]) this.stepOutcomes.inc({ outcome }, 0);
    for (const result of ['delivered', 'failed'] satisfies WebhookResult[]) this.webhook.inc({ result }, 0);

    const streams = this.streamSources;
    new Gauge({
      name: 'techsupport_streams_open',
      help: 'Open long-lived streams by kind (staff console live feeds, Direct Line streams).',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const [kind, count] of streams) this.set({ kind }, count());
      },
    });

    const diagnoser = sources.diagnoser;
    if (diagnoser) {
      new Counter({ name: 'techsupport_rule_evaluations_total', help: 'Runs of the rules engine (diagnoses the memo could not answer).', registers, collect() { this.reset(); this.inc(diagnoser().engineRuns); } });
      new Counter({ name: 'techsupport_rule_memo_hits_total', help: 'Diagnoses answered from the memo without running the rules.', registers, collect() { this.reset(); this.inc(diagnoser().memoHits); } });
    }
    if (sources.storeCounts) this.addStoreCounts(sources.storeCounts);
  }

  /** A finished turn. */
  turn(channelId: string | undefined, result: TurnResult, seconds: number): void {
    const channel = this.channelLabel(channelId);
    const key = `${channel}\n${result}`;
    let child = this.turnChildren.get(key);
    if (!child) {
      child = { count: this.turns.labels(channel, result), seconds: this.turnSeconds.labels(channel) };
      this.turnChildren.set(key, child);
    }
    child.count.inc();
    child.seconds.observe(seconds);
  }

  stepOutcome(outcome: StepOutcome): void {
    this.stepOutcomes.labels(outcome).inc();
  }

  claimed(secondsWaiting: number): void {
    this.timeToClaim.observe(Math.max(0, secondsWaiting));
  }

  firstStaffReply(secondsSinceCreated: number): void {
    this.timeToFirstReply.observe(Math.max(0, secondsSinceCreated));
  }

  webhookAttempt(): void {
    this.webhookAttempts.inc();
  }

  webhookDelivery(result: WebhookResult): void {
    this.webhook.labels(result).inc();
  }

  query(seconds: number, failed: boolean): void {
    this.querySeconds.observe(seconds);
    if (failed) this.storeErrors.inc();
  }

  /** Counts open streams of one kind at each scrape (the staff feed, Direct Line streams). */
  countStreams(kind: string, count: () => number): void {
    this.streamSources.set(kind, count);
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private channelLabel(channelId: string | undefined): string {
    if (!channelId || !CHANNEL.test(channelId)) return 'other';
    if (this.channels.has(channelId)) return channelId;
    if (this.channels.size >= MAX_CHANNELS) return 'other';
    this.channels.add(channelId);
    return channelId;
  }

  /** Adds the metrics read from the store at each scrape (once; the store comes after the metrics in the composition). */
  addStoreCounts(read: () => Promise<StoreCounts>): void {
    const registers = [this.registry];
    // One read of the store per scrape, shared by the metrics below (each collects on its own).
    let pending: { at: number; counts: Promise<StoreCounts | undefined> } | undefined;
    const counts = (): Promise<StoreCounts | undefined> => {
      const now = Date.now();
      if (!pending || now - pending.at > 1000) pending = { at: now, counts: read().catch(() => undefined) };
      return pending.counts;
    };
    const byLabel = (metric: Gauge<string> | Counter<string>, label: string, values: Record<string, number>) => {
      metric.reset();
      for (const [value, n] of Object.entries(values)) {
        if (metric instanceof Gauge) metric.set({ [label]: value }, n);
        else metric.inc({ [label]: value }, n);
      }
    };
    /** At each scrape: the store's figure by one label, or its one total, once the store answered. */
    const labelled = (label: string, values: (c: StoreCounts) => Record<string, number>) => async function collect(this: Gauge<string> | Counter<string>) {
      const c = await counts();
      if (c) byLabel(this, label, values(c));
    };
    const total = (value: (c: StoreCounts) => number) => async function collect(this: Counter) {
      const c = await counts();
      if (c) { this.reset(); this.inc(value(c)); }
    };
    new Gauge({ name: 'techsupport_store_up', help: 'Whether the store answered the last scrape\'s queries (1) or not (0).', registers, async collect() { this.set((await counts()) ? 1 : 0); } });
    new Gauge({
      name: 'techsupport_escalations', help: 'Escalations now in each state (waiting, claimed, closed, timed-out), from the store.', labelNames: ['state'], registers,
      collect: labelled('state', (c) => ({ waiting: 0, claimed: 0, closed: 0, 'timed-out': 0, ...c.escalationsByStatus })),
    });
    new Gauge({
      name: 'techsupport_escalations_with_hub', help: 'Escalations a contact-centre hub reported on, by its last handoff.status state, from the store.', labelNames: ['hub_state'], registers,
      collect: labelled('hub_state', (c) => c.escalationsByHubState),
    });
    new Counter({ name: 'techsupport_escalations_created_total', help: 'Escalations to staff ever created, from the store.', registers, collect: total((c) => c.escalationsCreated) });
    new Counter({ name: 'techsupport_escalation_claims_total', help: 'Escalations ever claimed by staff, from the store.', registers, collect: total((c) => c.claims) });
    new Counter({
      name: 'techsupport_support_records_total', help: 'Support records ever filed, by reason, from the store.', labelNames: ['reason'], registers,
      collect: labelled('reason', (c) => c.supportRecordsByReason),
    });
    new Counter({
      name: 'techsupport_escalations_solved_total', help: 'Answers to "is it solved?" after staff closed an escalation (yes: a verified fix; no; no-answer), from the store.', labelNames: ['answer'], registers,
      collect: labelled('answer', (c) => c.solvedAnswers),
    });
  }
}
