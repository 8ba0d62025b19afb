import path from 'node:path';
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import { requestOf } from '../logger';
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
  /** The desk as one staff request uses it: what it logs carries the request's id. */
  const deskFor = (res: Response): StaffDesk => {
    const request = requestOf(res);
    return request ? desk.withLog(request.log) : desk;
  };
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
    res.json(await deskFor(res).list(status));
  });
  router.get('/api/escalations/:id', auth, async (req, res) => {
    res.json(await deskFor(res).get(parseId(req.params.id, 'escalation id')));
  });
  const withId = { escalations: 'escalation id', 'support-records': 'support record id' } as const;
  /**
   * What a staff member does to one escalation or support record: `POST /api/<collection>/:id/<action>`.
   * The body is read first (a bad body is the 400 even when the id is bad too), then the id; the
   * desk's answer goes out with `status`.
   */
  const action = <B>(collection: keyof typeof withId, name: string, status: 200 | 201 | 202, read: (body: unknown) => B, act: (desk: StaffDesk, id: string, staff: string, body: B) => Promise<unknown>): void => {
    router.post(`/api/${collection}/:id/${name}`, auth, async (req, res) => {
      const body = read(req.body);
      res.status(status).json(await act(deskFor(res), parseId(req.params.id, withId[collection]), staffName(req), body));
    });
  };
  const noBody = (): undefined => undefined;
  const text = (schema: typeof messageBody) => (body: unknown) => parse(schema, body, 'body').text;
  action('escalations', 'claim', 200, noBody, (on, id, staff) => on.claim(id, staff));
  action('escalations', 'messages', 201, text(messageBody), (on, id, staff, message) => on.relayToPerson(id, staff, message));
  action('escalations', 'check', 202, noBody, (on, id, staff) => on.requestCheck(id, staff));
  action('escalations', 'close', 200, noBody, (on, id, staff) => on.close(id, staff));
  action('escalations', 'dismiss', 200, (body) => parse(dismissBody, body, 'body').reason, (on, id, staff, reason) => on.dismiss(id, staff, reason));
  action('escalations', 'release', 200, noBody, (on, id, staff) => on.release(id, staff));
  action('escalations', 'transfer', 200, (body) => parse(transferBody, body, 'body').to, (on, id, staff, to) => on.transfer(id, staff, to));
  action('escalations', 'reopen', 200, noBody, (on, id, staff) => on.reopen(id, staff));
  action('escalations', 'advice', 201, (body) => parse(adviceBody, body, 'body').adviceId, (on, id, staff, adviceId) => on.sendAdvice(id, staff, adviceId));
  action('escalations', 'notes', 201, text(noteBody), (on, id, staff, note) => on.addNote('escalation', id, staff, note));
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
  action('support-records', 'status', 200, (body) => parse(supportRecordStatusBody, body, 'body').status, (on, id, staff, status) => on.setSupportRecordStatus(id, staff, status));
  action('support-records', 'notes', 201, text(noteBody), (on, id, staff, note) => on.addNote('support-record', id, staff, note));
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
