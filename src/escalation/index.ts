import type { Middleware } from 'botbuilder';
import type { Router } from 'express';
import type { Config } from '../config';
import type { DiagnosticsRecord, Diagnosis, Facts } from '../diagnosis';
import type { Logger } from '../logger';
import type { StoreCounts } from '../metrics';
import type { Store } from '../store';
import { StaffFeed } from './feed';
import { StaffPresence } from './presence';
import { AdapterMessenger, type ContinuingAdapter, type ProactiveMessenger, type Reprompter } from './proactive';
import { EscalationRepository } from './escalationRepository';
import { SupportRecordRepository } from './supportRecordRepository';
import { TranscriptRepository } from './transcriptRepository';
import { staffRoutes } from './routes';
import type { StaffHandoff } from '../../dialogs';
import type { TurnGate } from '../bot';
import { NoStaffFallback } from './noStaffFallback';
import { PersonNotices } from './notices';
import { RelayGate } from './relayGate';
import { StaffDesk, type EscalationObserver, type StaffCheckRequester } from './staffDesk';
import { EscalationHandoff } from './staffHandoff';
import { TimeoutPoller } from './timeoutPoller';
import { TranscriptMiddleware } from './transcript';
import { StaffWebhook, type WebhookObserver } from './webhook';

export { StaffDesk, type StaffCheckRequester } from './staffDesk';
export { EscalationRepository, type Escalation, type EscalationStatus } from './escalationRepository';
export { SupportRecordRepository, type SupportRecord } from './supportRecordRepository';
export { TranscriptRepository, type TranscriptEntry } from './transcriptRepository';
export { AdapterMessenger, type ProactiveMessenger, type Reprompter } from './proactive';
export { StaffFeed, type EscalationSummary, type StaffEvent } from './feed';
export { StaffWebhook, webhookBody, consoleLink, type WebhookFormat, type WebhookObserver } from './webhook';
export type { EscalationObserver } from './staffDesk';
export {
  idParam as staffIdParam, messageBody as staffMessageBody, statusQuery as staffStatusQuery, noteBody as staffNoteBody, transferBody as staffTransferBody,
  dismissBody as staffDismissBody, adviceBody as staffAdviceBody, adviceQuery as staffAdviceQuery, supportRecordQuery, supportRecordStatusBody,
  reportQueryFields,
} from './routes';
export { TranscriptMiddleware, TranscriptWriter } from './transcript';

export interface EscalationDeps {
  config: Pick<Config, 'STAFF_TOKENS' | 'STAFF_WEBHOOK_URL' | 'ESCALATION_TIMEOUT_S' | 'MicrosoftAppId'> & Partial<Pick<Config, 'ESCALATION_WHEN_NOBODY_ONLINE'>> & Partial<Pick<Config, 'STAFF_WEBHOOK_FORMAT' | 'PUBLIC_URL'>>;
  log: Logger;
  store: Pick<Store, 'db' | 'notifier' | 'rateLimits'>;
  /** The bot's adapter: proactive sends continue conversations through it. */
  adapter: ContinuingAdapter;
  readDiagnostics?: (channelId: string, conversationId: string) => Promise<DiagnosticsRecord | undefined>;
  /** The bot's side of "staff ask for the check again". */
  requestCheck?: StaffCheckRequester;
  /** The bot's diagnoser (for the rule trace); the default rule set otherwise. */
  diagnose?: (facts: Facts) => Promise<Diagnosis>;
  /** Replaces proactive sends through the adapter (tests, other hosts). */
  messenger?: ProactiveMessenger;
  /** How often waiting escalations are checked for the timeout; about a second by default. */
  pollIntervalMs?: number;
  webhookBackoffMs?: readonly number[];
  /** Metrics: staff response times and webhook results. */
  observer?: EscalationObserver & { webhook: WebhookObserver };
}

export interface EscalationModule {
  /** What the dialogs call: a place in the staff queue, a support record, the queue status. */
  handoff: StaffHandoff;
  /** Runs before the dialogs: relays the person's messages while staff are with them. */
  gate: TurnGate;
  /** What the staff API calls. */
  desk: StaffDesk;
  /** Adapter middleware that logs every activity in and out, turns that throw included. */
  transcript: Middleware;
  /** The staff API, its live feed and the console page. */
  router: Router;
  /** Starts the timeout poller. */
  start(): void;
  /** Ends the staff console's live-feed streams (the console reconnects to another instance). */
  closeStreams(): void;
  /** Live-feed streams open now. */
  openStreams(): number;
  /** Escalation figures from the store, the same on every instance. */
  counts(): Promise<StoreCounts>;
  /** How a pending question is asked again after a queue update or the no-staff notice (the bot's dialogs). */
  repromptWith(reprompter: Reprompter): void;
  /** Stops the poller, ends live-feed streams and abandons webhook retries; waits for work in flight. */
  stop(): Promise<void>;
}

/** Escalation to staff (SPEC §5), built on the store, the bot's adapter and the configuration. */
export function createEscalation(deps: EscalationDeps): EscalationModule {
  const escalations = new EscalationRepository(deps.store.db);
  const supportRecords = new SupportRecordRepository(deps.store.db);
  const transcripts = new TranscriptRepository(deps.store.db);
  const feed = new StaffFeed(deps.store.notifier, deps.log);
  const webhook = deps.config.STAFF_WEBHOOK_URL
    ? new StaffWebhook({
        url: deps.config.STAFF_WEBHOOK_URL,
        format: deps.config.STAFF_WEBHOOK_FORMAT,
        publicUrl: deps.config.PUBLIC_URL,
        log: deps.log,
        backoffMs: deps.webhookBackoffMs,
        observer: deps.observer?.webhook,
      })
    : undefined;
  const adapterMessenger = new AdapterMessenger(deps.adapter, deps.config.MicrosoftAppId);
  const presence = new StaffPresence(deps.store.notifier, deps.log);
  const now = () => new Date();
  const roleDeps = { escalations, feed, log: deps.log, now };
  const messenger = deps.messenger ?? adapterMessenger;
  const notices = new PersonNotices({ escalations, messenger, log: deps.log, now });
  const timeoutS = deps.config.ESCALATION_TIMEOUT_S;
  const handoff = new EscalationHandoff({ ...roleDeps, supportRecords, transcripts, timeoutS, webhook, presence, whenNobodyOnline: deps.config.ESCALATION_WHEN_NOBODY_ONLINE });
  const gate = new RelayGate({ ...roleDeps, notices });
  const desk = new StaffDesk({
    ...roleDeps,
    supportRecords,
    transcripts,
    messenger,
    notices,
    timeoutS,
    readDiagnostics: deps.readDiagnostics,
    observer: deps.observer,
    requestCheck: deps.requestCheck,
    diagnose: deps.diagnose,
    staffNames: deps.config.STAFF_TOKENS?.map((s) => s.name),
  });
  const fallback = new NoStaffFallback({ ...roleDeps, notices });
  const routes = staffRoutes({ desk, feed, presence, staff: deps.config.STAFF_TOKENS, rateLimits: deps.store.rateLimits });
  const poller = new TimeoutPoller(() => fallback.timeOutDue(), deps.log, deps.pollIntervalMs);
  return {
    handoff,
    gate,
    desk,
    transcript: new TranscriptMiddleware(transcripts, deps.log),
    router: routes.router,
    start: () => {
      presence.start();
      poller.start();
    },
    closeStreams: () => routes.closeStreams(),
    openStreams: () => routes.openStreams(),
    counts: async () => {
      const [counts, supportRecordsByReason] = await Promise.all([escalations.counts(), supportRecords.countByReason()]);
      return { ...counts, supportRecordsByReason };
    },
    repromptWith: (reprompter) => {
      adapterMessenger.reprompter = reprompter;
    },
    async stop() {
      routes.closeStreams();
      presence.stop();
      webhook?.stop();
      await poller.stop();
      await notices.settled();
    },
  };
}
