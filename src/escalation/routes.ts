import path from 'node:path';
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import { firstIssue } from '../validation';
import type { StaffFeed } from './feed';
import type { StaffPresence } from './presence';
import type { StaffDesk } from './staffDesk';
import { idSchema, parseId } from '../ids';
import type { RateLimits } from '../store';
import { STAFF_SIGN_IN_FAILURES_PER_MINUTE, staffAuth, staffName, type StaffCredential } from './staffAuth';
import { DISMISS_REASONS } from './texts';
import { reportCsv } from './reports';

const CONSOLE_DIR = path.join(__dirname, 'console');
/** The console is one HTML page with its script and styles as separate files, so this CSP holds. */
const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const HEARTBEAT_MS = 15_000;

/** Request schemas of the staff API; the API description (`/api/openapi.json`) is generated from them. */
export const statusQuery = z.object({ status: z.enum(['waiting', 'claimed', 'closed', 'timed-out']).optional() });
/** Escalation and conversation ids follow the one id rule; `parseId` checks them. */
export const idParam = idSchema;
export const messageBody = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(4000) });
export const noteBody = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(4000) });
export const transferBody = z.object({ to: z.string().trim().min(1).max(100) });
export const dismissBody = z.object({ reason: z.enum(DISMISS_REASONS) });
export const adviceBody = z.object({ adviceId: z.string().min(1).max(100) });
export const adviceQuery = z.object({ q: z.string().max(200).optional() });
export const supportRecordStatus = z.enum(['open', 'contacted', 'resolved']);
export const supportRecordQuery = z.object({ status: supportRecordStatus.optional(), q: z.string().trim().max(200).optional() });
export const supportRecordStatusBody = z.object({ status: supportRecordStatus });
const DAY_MS = 86_400_000;
/** `from` and `to` as dates or date-times; the last seven days by default; at most a year. */
export const reportQueryFields = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  format: z.enum(['json', 'csv']).optional(),
});
export const reportQuery = reportQueryFields
  .transform((q, ctx) => {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY_MS);
    if (Number.isNaN(to.getTime())) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['to'], message: 'not a date' });
    else if (Number.isNaN(from.getTime())) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['from'], message: 'not a date' });
    else if (from >= to) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['from'], message: 'must be before to' });
    else if (to.getTime() - from.getTime() > 366 * DAY_MS) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['from'], message: 'the window is at most a year' });
    return { from, to, format: q.format ?? 'json' };
  });

function parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = firstIssue(result.error);
  throw new AppError('BAD_REQUEST', `Invalid ${what}${issue.path ? ` at "${issue.path}"` : ''}: ${issue.message}.`);
}

export interface StaffRoutes {
  router: Router;
  /** Ends every open live-feed stream, so the HTTP server can close. */
  closeStreams(): void;
  /** Live-feed streams open now. */
  openStreams(): number;
}

/** The staff API (SPEC §5.4), its live feed (SSE) and the staff console at `/staff`. */
export function staffRoutes(deps: { desk: StaffDesk; feed: StaffFeed; presence: StaffPresence; staff: readonly StaffCredential[] | undefined; rateLimits: RateLimits }): StaffRoutes {
  const { desk } = deps;
  const router = Router();
  // One count of failed sign-ins for every staff route (and, on PostgreSQL, every instance).
  const failures = deps.rateLimits.create('staff-sign-in-failures', STAFF_SIGN_IN_FAILURES_PER_MINUTE);
  const auth = staffAuth(deps.staff, { failures });
  const streams = new Set<Response>();

  router.get('/api/staff/me', auth, (req, res) => {
    res.json({ name: staffName(req) });
  });

  router.get('/api/escalations', auth, async (req, res) => {
    const { status } = parse(statusQuery, req.query, 'query');
    res.json(await desk.list(status));
  });
  router.get('/api/escalations/:id', auth, async (req, res) => {
    res.json(await desk.get(parseId(req.params.id, 'escalation id')));
  });
  router.post('/api/escalations/:id/claim', auth, async (req, res) => {
    res.json(await desk.claim(parseId(req.params.id, 'escalation id'), staffName(req)));
  });
  router.post('/api/escalations/:id/messages', auth, async (req, res) => {
    const { text } = parse(messageBody, req.body, 'body');
    res.status(201).json(await desk.relayToPerson(parseId(req.params.id, 'escalation id'), staffName(req), text));
  });
  router.post('/api/escalations/:id/check', auth, async (req, res) => {
    res.status(202).json(await desk.requestCheck(parseId(req.params.id, 'escalation id'), staffName(req)));
  });
  router.post('/api/escalations/:id/close', auth, async (req, res) => {
    res.json(await desk.close(parseId(req.params.id, 'escalation id'), staffName(req)));
  });
  router.post('/api/escalations/:id/dismiss', auth, async (req, res) => {
    const { reason } = parse(dismissBody, req.body, 'body');
    res.json(await desk.dismiss(parseId(req.params.id, 'escalation id'), staffName(req), reason));
  });
  router.post('/api/escalations/:id/release', auth, async (req, res) => {
    res.json(await desk.release(parseId(req.params.id, 'escalation id'), staffName(req)));
  });
  router.post('/api/escalations/:id/transfer', auth, async (req, res) => {
    const { to } = parse(transferBody, req.body, 'body');
    res.json(await desk.transfer(parseId(req.params.id, 'escalation id'), staffName(req), to));
  });
  router.post('/api/escalations/:id/reopen', auth, async (req, res) => {
    res.json(await desk.reopen(parseId(req.params.id, 'escalation id'), staffName(req)));
  });
  router.post('/api/escalations/:id/advice', auth, async (req, res) => {
    const { adviceId } = parse(adviceBody, req.body, 'body');
    res.status(201).json(await desk.sendAdvice(parseId(req.params.id, 'escalation id'), staffName(req), adviceId));
  });
  router.post('/api/escalations/:id/notes', auth, async (req, res) => {
    const { text } = parse(noteBody, req.body, 'body');
    res.status(201).json(await desk.addNote('escalation', parseId(req.params.id, 'escalation id'), staffName(req), text));
  });
  router.get('/api/advice', auth, (req, res) => {
    res.json(desk.advice(parse(adviceQuery, req.query, 'query').q));
  });
  router.get('/api/staff/labels', auth, (_req, res) => {
    res.json(desk.labels());
  });
  router.get('/api/staff', auth, (_req, res) => {
    const online = new Set(deps.presence.online());
    res.json((deps.staff ?? []).map((s) => ({ name: s.name, online: online.has(s.name) })));
  });
  router.get('/api/reports', auth, async (req, res) => {
    const { from, to, format } = parse(reportQuery, req.query, 'query');
    const report = await desk.report(from, to);
    if (format === 'csv' || (req.query.format === undefined && req.accepts(['json', 'text/csv']) === 'text/csv')) {
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="support-report-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv"`);
      res.send(reportCsv(report));
      return;
    }
    res.json(report);
  });
  router.get('/api/support-records', auth, async (req, res) => {
    const { status, q } = parse(supportRecordQuery, req.query, 'query');
    res.json(await desk.supportRecords({ status, text: q || undefined }));
  });
  router.get('/api/support-records/:id', auth, async (req, res) => {
    res.json(await desk.supportRecord(parseId(req.params.id, 'support record id')));
  });
  router.post('/api/support-records/:id/status', auth, async (req, res) => {
    const { status } = parse(supportRecordStatusBody, req.body, 'body');
    res.json(await desk.setSupportRecordStatus(parseId(req.params.id, 'support record id'), staffName(req), status));
  });
  router.post('/api/support-records/:id/notes', auth, async (req, res) => {
    const { text } = parse(noteBody, req.body, 'body');
    res.status(201).json(await desk.addNote('support-record', parseId(req.params.id, 'support record id'), staffName(req), text));
  });
  router.get('/api/conversations/:id/diagnostics', auth, async (req, res) => {
    res.json(await desk.diagnostics(parseId(req.params.id, 'conversation id')));
  });
  router.get('/api/conversations/:id/transcript', auth, async (req, res) => {
    res.json(await desk.transcript(parseId(req.params.id, 'conversation id')));
  });

  // The live feed. EventSource cannot set headers, so the token may come as `?token=` here only.
  router.get('/api/staff/events', staffAuth(deps.staff, { allowQueryToken: true, failures }), (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies (nginx) must not buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ name: staffName(req) })}\n\n`);
    const unsubscribe = deps.feed.subscribe((event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    streams.add(res);
    // Signed in means a live feed is open, on this instance or another.
    const leave = deps.presence.join(staffName(req));
    const end = () => {
      leave();
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', end);
    res.on('close', end);
  });

  const consoleHeaders = (res: Response) => {
    res.setHeader('content-security-policy', CONSOLE_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
  };
  router.get('/staff', (_req, res) => {
    consoleHeaders(res);
    res.sendFile(path.join(CONSOLE_DIR, 'console.html'));
  });
  router.use('/staff', express.static(CONSOLE_DIR, { index: false, setHeaders: consoleHeaders }));

  return {
    router,
    closeStreams() {
      for (const res of streams) res.end();
      streams.clear();
    },
    openStreams: () => streams.size,
  };
}
