import type { Kysely } from 'kysely';
import type { Database } from '../store';
import type { StepOutcomeNote } from './transcriptRepository';
import { secondsBetween } from '../timestamps';

/** What did not help, on which platform: where the guide most needs work. */
export interface NotHelpedRow {
  os: string | null;
  browser: string | null;
  adviceId: string;
  count: number;
}

export interface PlatformRow {
  os: string | null;
  browser: string | null;
  /** Conversations that answered at least one step on this platform. */
  conversations: number;
  fixedByBot: number;
}

/** The support desk's figures for a time window (SPEC: self-service rate, escalations, waits, satisfaction). */
export interface Report {
  from: string;
  to: string;
  /** Conversations with a problem: they answered a step, called staff or got a support record. */
  conversations: number;
  /** Conversations where a step the bot offered fixed it (as the person said; not verified). */
  fixedByBot: number;
  fixedByStaffAdvice: number;
  selfServiceRate: number | null;
  escalations: number;
  escalationRate: number | null;
  supportRecords: number;
  claimed: number;
  medianClaimS: number | null;
  medianFirstReplyS: number | null;
  /** The person's answer to "Is your problem solved now?" after staff closed the chat. */
  solved: { yes: number; no: number };
  /** Answers to "How did we do?", after a fix by the bot and after staff closed the chat. */
  satisfaction: Record<'bot' | 'staff', { good: number; ok: number; poor: number }>;
  notHelped: NotHelpedRow[];
  platforms: PlatformRow[];
}

const MAX_ROWS = 20_000;

/** Reads the report from escalation's own tables, for `[from, to)`. */
export async function buildReport(db: Kysely<Database>, from: Date, to: Date): Promise<Report> {
  const f = from.toISOString();
  const t = to.toISOString();
  const [outcomeRows, escalations, records, ratings] = await Promise.all([
    db.selectFrom('transcript_activities').select(['conversation_id', 'step_outcome']).where('step_outcome', 'is not', null).where('created_at', '>=', f).where('created_at', '<', t).limit(MAX_ROWS).execute(),
    db.selectFrom('escalations').select(['conversation_id', 'created_at', 'claimed_at', 'first_staff_reply_at', 'solved']).where('created_at', '>=', f).where('created_at', '<', t).limit(MAX_ROWS).execute(),
    db.selectFrom('support_records').select('conversation_id').where('created_at', '>=', f).where('created_at', '<', t).limit(MAX_ROWS).execute(),
    db.selectFrom('satisfaction')
      .select(['after', 'rating', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
      .where('created_at', '>=', f).where('created_at', '<', t)
      .groupBy(['after', 'rating'])
      .execute(),
  ]);
  const outcomes = outcomeRows.flatMap((r) => {
    const note = parseOutcome(r.step_outcome);
    return note ? [{ conversationId: r.conversation_id, ...note }] : [];
  });
  const problems = new Set([...outcomes.map((o) => o.conversationId), ...escalations.map((e) => e.conversation_id), ...records.map((r) => r.conversation_id)]);
  const fixedBy = (by: 'bot' | 'staff') => new Set(outcomes.filter((o) => isFixed(o.outcome) && o.givenBy === by).map((o) => o.conversationId)).size;
  const escalated = new Set(escalations.map((e) => e.conversation_id)).size;
  const platformKey = (o: { os?: string; browser?: string }) => `${o.os ?? ''}|${o.browser ?? ''}`;

  const notHelped = new Map<string, NotHelpedRow>();
  for (const o of outcomes.filter((x) => x.outcome === 'not-fixed' || x.outcome === 'verified-not-fixed')) {
    const key = `${platformKey(o)}|${o.adviceId}`;
    const row = notHelped.get(key) ?? { os: o.os ?? null, browser: o.browser ?? null, adviceId: o.adviceId, count: 0 };
    row.count++;
    notHelped.set(key, row);
  }
  const platforms = new Map<string, { os: string | null; browser: string | null; conversations: Set<string>; fixed: Set<string> }>();
  for (const o of outcomes.filter((x) => x.givenBy === 'bot')) {
    const key = platformKey(o);
    const row = platforms.get(key) ?? { os: o.os ?? null, browser: o.browser ?? null, conversations: new Set<string>(), fixed: new Set<string>() };
    row.conversations.add(o.conversationId);
    if (isFixed(o.outcome)) row.fixed.add(o.conversationId);
    platforms.set(key, row);
  }
  const satisfaction = { bot: { good: 0, ok: 0, poor: 0 }, staff: { good: 0, ok: 0, poor: 0 } };
  for (const r of ratings) satisfaction[r.after][r.rating] = Number(r.n);
  const claimWaits = escalations.flatMap((e) => (e.claimed_at ? [secondsBetween(e.created_at, e.claimed_at)] : []));
  const replyWaits = escalations.flatMap((e) => (e.first_staff_reply_at ? [secondsBetween(e.created_at, e.first_staff_reply_at)] : []));
  const conversations = problems.size;
  const fixedByBot = fixedBy('bot');
  return {
    from: f,
    to: t,
    conversations,
    fixedByBot,
    fixedByStaffAdvice: fixedBy('staff'),
    selfServiceRate: conversations ? fixedByBot / conversations : null,
    escalations: escalated,
    escalationRate: conversations ? escalated / conversations : null,
    supportRecords: records.length,
    claimed: claimWaits.length,
    medianClaimS: median(claimWaits),
    medianFirstReplyS: median(replyWaits),
    solved: { yes: escalations.filter((e) => e.solved === 'yes').length, no: escalations.filter((e) => e.solved === 'no').length },
    satisfaction,
    notHelped: [...notHelped.values()].sort((a, b) => b.count - a.count || a.adviceId.localeCompare(b.adviceId)).slice(0, 100),
    platforms: [...platforms.values()]
      .map((p) => ({ os: p.os, browser: p.browser, conversations: p.conversations.size, fixedByBot: p.fixed.size }))
      .sort((a, b) => b.conversations - a.conversations)
      .slice(0, 100),
  };
}

function parseOutcome(json: string | null): StepOutcomeNote | undefined {
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null) return undefined;
    const adviceId = 'adviceId' in value && typeof value.adviceId === 'string' ? value.adviceId : undefined;
    const outcome = 'outcome' in value ? OUTCOMES.find((known) => known === value.outcome) : undefined;
    const givenBy = 'givenBy' in value && (value.givenBy === 'bot' || value.givenBy === 'staff') ? value.givenBy : undefined;
    if (!adviceId || !outcome || !givenBy) return undefined;
    const os = 'os' in value && typeof value.os === 'string' ? value.os : undefined;
    const browser = 'browser' in value && typeof value.browser === 'string' ? value.browser : undefined;
    return { adviceId, outcome, givenBy, os, browser };
  } catch {
    return undefined;
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return value === undefined ? null : Math.round(value * 10) / 10;
}

/** The report as CSV: one row per figure, then one per platform and per advice that did not help. */
export function reportCsv(report: Report): string {
  const rows: (string | number | null)[][] = [['section', 'os', 'browser', 'item', 'value']];
  const figures: [string, number | null][] = [
    ['conversations', report.conversations], ['fixed by the bot', report.fixedByBot], ['fixed by advice from staff', report.fixedByStaffAdvice],
    ['self-service rate', report.selfServiceRate], ['escalations', report.escalations], ['escalation rate', report.escalationRate],
    ['support records', report.supportRecords], ['claimed', report.claimed], ['median time to claim (s)', report.medianClaimS],
    ['median time to first staff reply (s)', report.medianFirstReplyS], ['solved after staff: yes', report.solved.yes], ['solved after staff: no', report.solved.no],
  ];
  for (const after of ['bot', 'staff'] as const) {
    for (const rating of ['good', 'ok', 'poor'] as const) figures.push([`rated ${rating} after ${after === 'bot' ? 'a fix by the bot' : 'staff'}`, report.satisfaction[after][rating]]);
  }
  for (const [item, value] of figures) rows.push(['figure', '', '', item, value]);
  for (const p of report.platforms) {
    rows.push(['platform', p.os, p.browser, 'conversations', p.conversations], ['platform', p.os, p.browser, 'fixed by the bot', p.fixedByBot]);
  }
  for (const n of report.notHelped) rows.push(['did not help', n.os, n.browser, n.adviceId, n.count]);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // Quoted when needed; a leading =, +, - or @ is defused so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const OUTCOMES = ['fixed', 'not-fixed', 'already-tried', 'verified-fixed', 'verified-not-fixed'] as const;

/** Fixed by a step, whether the person said so or the check confirmed it. */
function isFixed(outcome: string): boolean {
  return outcome === 'fixed' || outcome === 'verified-fixed';
}
