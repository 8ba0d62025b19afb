import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z, type ZodTypeAny } from 'zod';
import { botActivity, postedActivity } from '../channel';
import { factsSchema } from '../diagnosis';
import {
  reportQueryFields, staffAdviceBody, staffAdviceQuery, staffDismissBody, staffIdParam, staffMessageBody, staffNoteBody, staffStatusQuery, staffTransferBody,
  supportRecordQuery, supportRecordStatusBody,
} from '../escalation';
import { activityEnvelope } from './messages';

extendZodWithOpenApi(z);

/**
 * The HTTP API described as OpenAPI 3.1, served at `/api/openapi.json`. Request schemas are the
 * very zod schemas the routes parse with; response schemas are written here and checked against
 * real answers by the tests. `ROUTES` is the one list: the document is generated from it, and a
 * test compares it with the routes the app registers.
 */

const errorBody = z.object({ error: z.string(), message: z.string(), field: z.string().optional() }).openapi('Error', { example: { error: 'NOT_FOUND', message: 'No escalation E-123.' } });

const advice = z.object({ id: z.string(), title: z.string(), text: z.string(), links: z.array(z.object({ label: z.string(), url: z.string() })), source: z.string() }).openapi('Advice');
const diagnosis = z
  .object({ findings: z.array(advice), steps: z.array(advice), escalation: z.enum(['staff-now', 'support-record']).nullable(), rulesVersion: z.string() })
  .openapi('Diagnosis');

const escalationStatus = z.enum(['waiting', 'claimed', 'closed', 'timed-out']);
/** What escalations and support records both start with: their id and the person's conversation. */
const ofConversation = z.object({ id: z.string(), conversationId: z.string(), channelId: z.string() });
const escalation = ofConversation
  .extend({
    userName: z.string().nullable(),
    reason: z.string(),
    status: escalationStatus,
    claimedBy: z.string().nullable(),
    createdAt: z.string(),
    dueAt: z.string(),
    claimedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
    supportRecordId: z.string().nullable(),
    solved: z.string().nullable(),
    hubState: z.string().nullable(),
    lastMessage: z.string().nullable(),
    lastMessageAt: z.string().nullable(),
    dismissReason: z.string().nullable().openapi({ description: 'Why staff dismissed it unclaimed, if they did.' }),
    pendingAdvice: z.string().nullable().openapi({ description: 'The advice staff sent as a step, until the person answers it.' }),
    position: z.number().int().min(1).optional().openapi({ description: 'Rank in the queue while waiting (1 = next).' }),
  })
  .openapi('Escalation');
/** A queue item in words (see the README's staff console section). */
const brief = z
  .object({
    name: z.string(), named: z.boolean(), urgencyRank: z.number().int(), urgency: z.string(), platform: z.string().nullable(), problem: z.string().nullable(),
    tried: z.array(z.object({ adviceId: z.string(), title: z.string(), outcome: z.string(), outcomeLabel: z.string() })),
    check: z.object({ ran: z.boolean(), summary: z.string() }),
    lastMessage: z.object({ text: z.string(), at: z.string() }).nullable(),
  })
  .openapi('EscalationBrief');
const queueItem = escalation.extend({ brief }).openapi('QueueItem');
const staffNote = z.object({ id: z.number().int(), author: z.string(), text: z.string(), at: z.string() }).openapi('StaffNote');
const traceItem = z
  .object({
    type: z.enum(['finding', 'step', 'escalation']), adviceId: z.string(), title: z.string(), ruleId: z.string(), rule: z.string().nullable(), tried: z.boolean(),
    reasons: z.array(z.object({ fact: z.string(), text: z.string(), source: z.string().nullable() })),
  })
  .openapi('RuleTraceItem');
/** The diagnostics record of SPEC §3.1 (versioned); its fields are documented in the README. */
const diagnosticsRecord = z.object({ version: z.number().int(), createdAt: z.string(), facts: z.record(z.unknown()) }).passthrough().openapi('DiagnosticsRecord');
const activity = z.object({ type: z.string() }).passthrough().openapi('Activity');
const escalationDetail = escalation
  .extend({ brief, diagnostics: diagnosticsRecord.nullable(), transcript: z.array(z.unknown()), notes: z.array(staffNote), trace: z.array(traceItem), satisfaction: z.enum(['good', 'ok', 'poor']).nullable() })
  .openapi('EscalationDetail');
const supportRecord = ofConversation
  .extend({
    escalationId: z.string().nullable(),
    reason: z.string(),
    os: z.string().nullable(),
    browser: z.string().nullable(),
    tried: z.array(z.string()),
    diagnostics: diagnosticsRecord.nullable(),
    contact: z.string().nullable(),
    description: z.string().nullable(),
    followUp: z.string(),
    status: z.enum(['open', 'contacted', 'resolved']),
    statusBy: z.string().nullable(),
    statusAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('SupportRecord');
const report = z
  .object({
    from: z.string(), to: z.string(), conversations: z.number().int(), fixedByBot: z.number().int(), fixedByStaffAdvice: z.number().int(),
    selfServiceRate: z.number().nullable(), escalations: z.number().int(), escalationRate: z.number().nullable(), supportRecords: z.number().int(),
    claimed: z.number().int(), medianClaimS: z.number().nullable(), medianFirstReplyS: z.number().nullable(),
    solved: z.object({ yes: z.number().int(), no: z.number().int() }),
    satisfaction: z.record(z.object({ good: z.number().int(), ok: z.number().int(), poor: z.number().int() })),
    notHelped: z.array(z.object({ os: z.string().nullable(), browser: z.string().nullable(), adviceId: z.string(), count: z.number().int() })),
    platforms: z.array(z.object({ os: z.string().nullable(), browser: z.string().nullable(), conversations: z.number().int(), fixedByBot: z.number().int() })),
  })
  .openapi('Report');
const transcriptEntry = z.object({ id: z.number().int(), direction: z.enum(['in', 'out']), at: z.string(), activity: z.object({}).passthrough() }).openapi('TranscriptEntry');
const storeHealth = z.object({ ok: z.boolean(), kind: z.enum(['sqlite', 'postgres']), error: z.string().optional() });
const directLineConversation = z.object({ conversationId: z.string(), token: z.string(), expires_in: z.number().int() }).openapi('DirectLineConversation');

const EXAMPLE_ESCALATION = {
  id: 'E-m3x1a-4f2c9b', conversationId: 'conv-1', channelId: 'msteams', userName: 'Alex', reason: 'urgent', status: 'waiting' as const,
  claimedBy: null, createdAt: '2026-05-04T09:58:00.000Z', dueAt: '2026-05-04T10:03:00.000Z', claimedAt: null, closedAt: null, closedBy: null,
  supportRecordId: null, solved: null, hubState: null, lastMessage: 'I present in 5 minutes and nobody can hear me', lastMessageAt: '2026-05-04T09:58:00.000Z',
  dismissReason: null, pendingAdvice: null, position: 1,
};

const EXAMPLE_BRIEF = {
  name: 'Alex', named: true, urgencyRank: 0, urgency: 'presenter · live session · urgent', platform: 'Windows 10 · Chrome 131', problem: 'microphone · permission denied',
  tried: [], check: { ran: true, summary: 'check ran: permission denied' }, lastMessage: { text: 'I present in 5 minutes and nobody can hear me', at: '2026-05-04T09:58:00.000Z' },
};

export interface DescribedRoute {
  method: 'get' | 'post' | 'put' | 'delete';
  /** As express spells it (`/api/escalations/:id`). */
  path: string;
  operationId: string;
  summary: string;
  tag: 'bot' | 'diagnosis' | 'staff' | 'direct-line' | 'connector' | 'operations' | 'pages';
  /** How it is authenticated: `staff` (STAFF_TOKENS), `conversation` (a Direct Line token), `metrics`, `channel` (Bot Framework), none. */
  auth?: 'staff' | 'staffOrQuery' | 'conversation' | 'metrics' | 'channel';
  query?: z.AnyZodObject;
  body?: { schema: ZodTypeAny; example: unknown };
  responses: Record<number, { description: string; schema?: ZodTypeAny; example?: unknown; contentType?: string }>;
}

const staffErrors = {
  401: { description: 'No or a wrong staff token.', schema: errorBody },
  429: { description: 'Too many wrong tokens from this address this minute.', schema: errorBody },
};
const notFound = { 404: { description: 'No such escalation or conversation.', schema: errorBody } };
const conversationErrors = {
  401: { description: 'No token.', schema: errorBody },
  403: { description: 'A token that is expired or opens another conversation.', schema: errorBody },
};
const html = (description: string) => ({ 200: { description, contentType: 'text/html' } });

export const ROUTES: DescribedRoute[] = [
  {
    method: 'post', path: '/api/messages', operationId: 'postActivity', tag: 'bot', auth: 'channel',
    summary: 'The Bot Framework endpoint: one activity in; with deliveryMode expectReplies the replies come back in the body.',
    body: {
      schema: activityEnvelope,
      example: { type: 'message', text: 'my camera says permission denied', channelId: 'test', deliveryMode: 'expectReplies', conversation: { id: 'demo-1' }, from: { id: 'alex' }, recipient: { id: 'bot' } },
    },
    responses: {
      200: { description: 'The turn ran; with expectReplies, `{ activities }`.', schema: z.object({ activities: z.array(activity) }).partial(), example: { activities: [{ type: 'message', text: 'Let us check your camera permissions.' }] } },
      400: { description: 'Not an activity.', schema: errorBody },
      401: { description: 'Channel authentication failed.', schema: errorBody },
      413: { description: 'Body over BODY_LIMIT.', schema: errorBody },
    },
  },
  {
    method: 'post', path: '/api/diagnose', operationId: 'diagnose', tag: 'diagnosis',
    summary: 'diagnose(facts): findings, ordered steps and the escalation decision (SPEC §4.2).',
    body: { schema: factsSchema, example: { os: 'ios', browser: 'chrome', symptom: 'permission-denied', media: ['camera'] } },
    responses: {
      200: { description: 'The diagnosis.', schema: diagnosis, example: { findings: [], steps: [{ id: 'os-permissions-ios', title: 'Allow the camera in Settings', text: '…', links: [], source: 'guide' }], escalation: null, rulesVersion: '3f2a' } },
      400: { description: 'Invalid facts; `field` names the first bad one.', schema: errorBody, example: { error: 'FACTS_INVALID', message: 'os: Invalid enum value', field: 'os' } },
    },
  },
  {
    method: 'get', path: '/api/staff/me', operationId: 'staffMe', tag: 'staff', auth: 'staff', summary: 'Who the token belongs to.',
    responses: { 200: { description: 'The staff member.', schema: z.object({ name: z.string() }), example: { name: 'Sam Rivera' } }, ...staffErrors },
  },
  {
    method: 'get', path: '/api/escalations', operationId: 'listEscalations', tag: 'staff', auth: 'staff', summary: 'Escalations, newest first, optionally of one status.',
    query: staffStatusQuery,
    responses: { 200: { description: 'The list.', schema: z.array(queueItem), example: [{ ...EXAMPLE_ESCALATION, brief: EXAMPLE_BRIEF }] }, 400: { description: 'Unknown status.', schema: errorBody }, ...staffErrors },
  },
  {
    method: 'get', path: '/api/escalations/:id', operationId: 'getEscalation', tag: 'staff', auth: 'staff', summary: 'One escalation with its diagnostics and transcript snapshot.',
    responses: { 200: { description: 'The escalation.', schema: escalationDetail, example: { ...EXAMPLE_ESCALATION, brief: EXAMPLE_BRIEF, diagnostics: null, transcript: [], notes: [], trace: [], satisfaction: null } }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/escalations/:id/claim', operationId: 'claimEscalation', tag: 'staff', auth: 'staff', summary: 'Claim a waiting escalation (one claimant).',
    responses: { 200: { description: 'Claimed by the caller.', schema: escalation, example: { ...EXAMPLE_ESCALATION, status: 'claimed', claimedBy: 'Sam Rivera', claimedAt: '2026-05-04T09:59:00.000Z', position: undefined } }, 409: { description: 'Already claimed, closed or timed out.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/escalations/:id/messages', operationId: 'relayMessage', tag: 'staff', auth: 'staff', summary: 'Send the person a message (the claimant only).',
    body: { schema: staffMessageBody, example: { text: 'Hi Alex, I am here to help. Which browser are you in?' } },
    responses: {
      201: { description: 'Delivered to the person.', schema: z.object({ escalationId: z.string(), at: z.string() }), example: { escalationId: 'E-m3x1a-4f2c9b', at: '2026-05-04T10:00:00.000Z' } },
      400: { description: 'Empty or too long text.', schema: errorBody }, 403: { description: 'Claimed by someone else.', schema: errorBody },
      409: { description: 'Not claimed.', schema: errorBody }, 502: { description: '`DELIVERY_FAILED`: the person\'s channel did not take it.', schema: errorBody }, ...staffErrors, ...notFound,
    },
  },
  {
    method: 'post', path: '/api/escalations/:id/check', operationId: 'requestCheck', tag: 'staff', auth: 'staff',
    summary: 'Ask the person\'s page to run the device check again (the claimant only); the page asks the person first, and the verdict lands in the diagnostics record\'s checks.',
    responses: {
      202: { description: 'Asked; the reading follows when the person agrees.', schema: z.object({ escalationId: z.string(), checkId: z.string(), at: z.string() }), example: { escalationId: 'E-m3x1a-4f2c9b', checkId: 'staff-1a2b3c4d5e6f', at: '2026-05-04T10:01:00.000Z' } },
      403: { description: 'Claimed by someone else.', schema: errorBody }, 409: { description: 'Not claimed.', schema: errorBody },
      502: { description: '`DELIVERY_FAILED`: the person\'s channel did not take it; `BOT_UNAVAILABLE`: this bot cannot ask the page.', schema: errorBody }, ...staffErrors, ...notFound,
    },
  },
  {
    method: 'post', path: '/api/escalations/:id/close', operationId: 'closeEscalation', tag: 'staff', auth: 'staff', summary: 'End the hand-off; the bot asks the person whether it is solved.',
    responses: { 200: { description: 'Closed.', schema: escalation }, 403: { description: 'Claimed by someone else.', schema: errorBody }, 409: { description: 'Already closed or timed out.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/escalations/:id/dismiss', operationId: 'dismissEscalation', tag: 'staff', auth: 'staff', summary: 'Take an unclaimed escalation out of the queue, with a reason the person is told in fitting words.',
    body: { schema: staffDismissBody, example: { reason: 'duplicate' } },
    responses: { 200: { description: 'Dismissed (closed).', schema: escalation }, 400: { description: 'Unknown reason.', schema: errorBody }, 409: { description: 'Claimed or already ended.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/escalations/:id/release', operationId: 'releaseEscalation', tag: 'staff', auth: 'staff', summary: 'The claimant hands the person back to the queue, at their old place.',
    responses: { 200: { description: 'Waiting again.', schema: escalation }, 403: { description: 'Claimed by someone else.', schema: errorBody }, 409: { description: 'Not claimed.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/escalations/:id/transfer', operationId: 'transferEscalation', tag: 'staff', auth: 'staff', summary: 'The claimant passes the person to another staff member; the person is told who.',
    body: { schema: staffTransferBody, example: { to: 'Kim Lee' } },
    responses: { 200: { description: 'Claimed by the other staff member.', schema: escalation }, 400: { description: 'No such staff member, or the caller.', schema: errorBody }, 403: { description: 'Claimed by someone else.', schema: errorBody }, 409: { description: 'Not claimed.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/escalations/:id/reopen', operationId: 'reopenEscalation', tag: 'staff', auth: 'staff', summary: 'Take an ended escalation up again (claimed by the caller).',
    responses: { 200: { description: 'Claimed by the caller.', schema: escalation }, 409: { description: 'Not ended.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/escalations/:id/advice', operationId: 'sendAdvice', tag: 'staff', auth: 'staff', summary: 'Send a piece of advice as the bot\'s step message (adviceId, step buttons); the answer is recorded as a step.',
    body: { schema: staffAdviceBody, example: { adviceId: 'browser-site-permissions' } },
    responses: {
      201: { description: 'Delivered.', schema: z.object({ escalationId: z.string(), adviceId: z.string(), at: z.string() }) },
      400: { description: 'No such advice.', schema: errorBody }, 403: { description: 'Claimed by someone else.', schema: errorBody }, 409: { description: 'Not claimed.', schema: errorBody },
      502: { description: '`DELIVERY_FAILED`: the person\'s channel did not take it.', schema: errorBody }, ...staffErrors, ...notFound,
    },
  },
  {
    method: 'post', path: '/api/escalations/:id/notes', operationId: 'noteOnEscalation', tag: 'staff', auth: 'staff', summary: 'An internal note; the person never sees it.',
    body: { schema: staffNoteBody, example: { text: 'Keynote speaker at 14:00.' } },
    responses: { 201: { description: 'The note.', schema: staffNote }, 400: { description: 'Empty or too long.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'get', path: '/api/advice', operationId: 'searchAdvice', tag: 'staff', auth: 'staff', summary: 'The advice library, for canned replies: every piece whose title or text has all the words of `q`.',
    query: staffAdviceQuery,
    responses: { 200: { description: 'Matching advice.', schema: z.array(z.object({ id: z.string(), title: z.string(), text: z.string() })) }, ...staffErrors },
  },
  {
    method: 'get', path: '/api/staff/labels', operationId: 'staffLabels', tag: 'staff', auth: 'staff', summary: 'Every label the console shows, from the bot\'s own label source.',
    responses: { 200: { description: 'Labels by group.', schema: z.record(z.record(z.string())) }, ...staffErrors },
  },
  {
    method: 'get', path: '/api/staff', operationId: 'listStaff', tag: 'staff', auth: 'staff', summary: 'Staff members, with who has the console open on any instance.',
    responses: { 200: { description: 'Staff.', schema: z.array(z.object({ name: z.string(), online: z.boolean() })), example: [{ name: 'Sam Rivera', online: true }] }, ...staffErrors },
  },
  {
    method: 'get', path: '/api/reports', operationId: 'report', tag: 'staff', auth: 'staff', summary: 'The desk\'s figures for a window (default the last 7 days, at most a year), as JSON or CSV.',
    query: reportQueryFields,
    responses: { 200: { description: 'The report (CSV with format=csv).', schema: report }, 400: { description: 'Not a window.', schema: errorBody }, ...staffErrors },
  },
  {
    method: 'get', path: '/api/support-records', operationId: 'listSupportRecords', tag: 'staff', auth: 'staff', summary: 'Support records (the guide\'s form), newest first; filter by status, search by id, conversation, contact or text.',
    query: supportRecordQuery,
    responses: { 200: { description: 'The list.', schema: z.array(supportRecord) }, 400: { description: 'Unknown status.', schema: errorBody }, ...staffErrors },
  },
  {
    method: 'get', path: '/api/support-records/:id', operationId: 'getSupportRecord', tag: 'staff', auth: 'staff', summary: 'One support record with its notes.',
    responses: { 200: { description: 'The record.', schema: supportRecord.extend({ notes: z.array(staffNote) }) }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/support-records/:id/status', operationId: 'setSupportRecordStatus', tag: 'staff', auth: 'staff', summary: 'Mark a support record open, contacted or resolved.',
    body: { schema: supportRecordStatusBody, example: { status: 'contacted' } },
    responses: { 200: { description: 'The record.', schema: supportRecord }, 400: { description: 'Unknown status.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'post', path: '/api/support-records/:id/notes', operationId: 'noteOnSupportRecord', tag: 'staff', auth: 'staff', summary: 'A note on a support record.',
    body: { schema: staffNoteBody, example: { text: 'Emailed the camera checklist.' } },
    responses: { 201: { description: 'The note.', schema: staffNote }, 400: { description: 'Empty or too long.', schema: errorBody }, ...staffErrors, ...notFound },
  },
  {
    method: 'get', path: '/api/conversations/:id/diagnostics', operationId: 'conversationDiagnostics', tag: 'staff', auth: 'staff', summary: 'A conversation\'s diagnostics record (SPEC §3.1).',
    responses: { 200: { description: 'The record.', schema: diagnosticsRecord }, ...staffErrors, ...notFound },
  },
  {
    method: 'get', path: '/api/conversations/:id/transcript', operationId: 'conversationTranscript', tag: 'staff', auth: 'staff', summary: 'Every activity of a conversation, in order.',
    responses: { 200: { description: 'The transcript.', schema: z.array(transcriptEntry) }, ...staffErrors, ...notFound },
  },
  {
    method: 'get', path: '/api/staff/events', operationId: 'staffEvents', tag: 'staff', auth: 'staffOrQuery', summary: 'The console\'s live feed (Server-Sent Events); EventSource may pass the token as `?token=`.',
    query: z.object({ token: z.string().optional() }),
    responses: { 200: { description: 'An event stream: `ready`, then `escalation.*`, `message`, `support-record.*` events.', contentType: 'text/event-stream' }, ...staffErrors },
  },
  { method: 'get', path: '/staff', operationId: 'staffConsole', tag: 'pages', summary: 'The staff console page.', responses: html('The console.') },
  { method: 'get', path: '/', operationId: 'webChatPage', tag: 'pages', summary: 'Web Chat with the device probe.', responses: html('The page.') },
  { method: 'get', path: '/assets/webchat.js', operationId: 'webChatBundle', tag: 'pages', summary: 'Web Chat\'s prebuilt bundle.', responses: { 200: { description: 'JavaScript.', contentType: 'text/javascript' } } },
  {
    method: 'post', path: '/v3/directline/conversations', operationId: 'startConversation', tag: 'direct-line',
    summary: 'Start a conversation (no secret: the chat is public; 30 a minute per address). With a valid token, that token\'s conversation.',
    responses: {
      200: { description: 'The presented token\'s conversation.', schema: directLineConversation },
      201: { description: 'A new conversation and its token.', schema: directLineConversation, example: { conversationId: 'b3J4bQ', token: 'tok', expires_in: 3600 } },
      429: { description: 'Too many new conversations from this address.', schema: errorBody },
    },
  },
  {
    method: 'get', path: '/v3/directline/conversations/:conversationId', operationId: 'reconnect', tag: 'direct-line', auth: 'conversation', summary: 'Reconnect to a conversation.',
    responses: { 200: { description: 'The conversation.', schema: directLineConversation }, ...conversationErrors },
  },
  {
    method: 'post', path: '/v3/directline/tokens/refresh', operationId: 'refreshToken', tag: 'direct-line', auth: 'conversation', summary: 'A fresh token for the same conversation.',
    responses: { 200: { description: 'The new token.', schema: directLineConversation }, ...conversationErrors },
  },
  {
    method: 'post', path: '/v3/directline/conversations/:conversationId/activities', operationId: 'postToConversation', tag: 'direct-line', auth: 'conversation', summary: 'Send an activity; the bot\'s turn runs before the answer.',
    body: { schema: postedActivity, example: { type: 'message', text: 'my mic is not working', from: { id: 'me' }, channelData: { clientActivityID: 'a1' } } },
    responses: { 200: { description: 'Stored; its id.', schema: z.object({ id: z.string() }), example: { id: 'b3J4bQ|3' } }, 400: { description: 'Not an activity.', schema: errorBody }, 413: { description: 'Over 256 KB.', schema: errorBody }, ...conversationErrors },
  },
  {
    method: 'get', path: '/v3/directline/conversations/:conversationId/activities', operationId: 'getActivities', tag: 'direct-line', auth: 'conversation', summary: 'Activities after the watermark (polling).',
    query: z.object({ watermark: z.string().regex(/^\d{0,15}$/).optional() }),
    responses: { 200: { description: 'A page of activities and the next watermark.', schema: z.object({ activities: z.array(activity), watermark: z.string() }), example: { activities: [], watermark: '0' } }, 400: { description: 'A watermark this channel never gave.', schema: errorBody }, ...conversationErrors },
  },
  ...(['/v3/conversations/:conversationId/activities', '/v3/conversations/:conversationId/activities/:replyToId'] as const).map(
    (path, i): DescribedRoute => ({
      method: 'post', path, operationId: i === 0 ? 'connectorSend' : 'connectorReply', tag: 'connector', summary: 'The Connector half the bot sends to (loopback callers only).',
      body: { schema: botActivity, example: { type: 'message', text: 'Hello!', from: { id: 'tech-support-bot' } } },
      responses: { 200: { description: 'Stored; its id.', schema: z.object({ id: z.string() }) }, 403: { description: 'Not a loopback caller.', schema: errorBody } },
    }),
  ),
  {
    method: 'put', path: '/v3/conversations/:conversationId/activities/:activityId', operationId: 'connectorUpdate', tag: 'connector', summary: 'Replace an activity the bot sent (loopback callers only).',
    body: { schema: botActivity, example: { type: 'message', text: 'Hello again!' } },
    responses: { 200: { description: 'Replaced.', schema: z.object({ id: z.string() }) }, 403: { description: 'Not a loopback caller.', schema: errorBody }, 404: { description: 'No such activity.', schema: errorBody } },
  },
  {
    method: 'delete', path: '/v3/conversations/:conversationId/activities/:activityId', operationId: 'connectorDelete', tag: 'connector', summary: 'Delete an activity the bot sent (loopback callers only).',
    responses: { 200: { description: 'Deleted.' }, 403: { description: 'Not a loopback caller.', schema: errorBody } },
  },
  {
    method: 'get', path: '/healthz', operationId: 'liveness', tag: 'operations', summary: 'Liveness: the process answers. Never asks the database.',
    responses: { 200: { description: 'Alive.', schema: z.object({ status: z.literal('ok'), draining: z.boolean(), uptimeS: z.number().int() }), example: { status: 'ok', draining: false, uptimeS: 42 } } },
  },
  {
    method: 'get', path: '/readyz', operationId: 'readiness', tag: 'operations', summary: 'Readiness: the store answers and the instance is not draining.',
    responses: {
      200: { description: 'Ready.', schema: z.object({ status: z.literal('ready'), store: storeHealth }), example: { status: 'ready', store: { ok: true, kind: 'sqlite' } } },
      503: { description: 'Draining (after SIGTERM) or the store does not answer.', schema: z.object({ status: z.enum(['draining', 'unavailable']), store: storeHealth }), example: { status: 'draining', store: { ok: true, kind: 'postgres' } } },
    },
  },
  {
    method: 'get', path: '/metrics', operationId: 'metrics', tag: 'operations', auth: 'metrics', summary: 'Prometheus metrics (with METRICS_TOKEN on this port; with METRICS_PORT on that port instead).',
    responses: { 200: { description: 'Prometheus text format.', contentType: 'text/plain' }, 401: { description: 'No or a wrong metrics token.', schema: errorBody } },
  },
  {
    method: 'get', path: '/api/openapi.json', operationId: 'openApi', tag: 'operations', summary: 'This description.',
    responses: { 200: { description: 'OpenAPI 3.1.' } },
  },
];

const SECURITY: Record<NonNullable<DescribedRoute['auth']>, Record<string, string[]>[]> = {
  staff: [{ staffToken: [] }],
  staffOrQuery: [{ staffToken: [] }, { staffQueryToken: [] }],
  conversation: [{ conversationToken: [] }],
  metrics: [{ metricsToken: [] }],
  channel: [{ botFrameworkToken: [] }],
};

/** `/api/escalations/:id` → `/api/escalations/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

export function openApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  for (const route of ROUTES) {
    const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
    const params = names.length ? z.object(Object.fromEntries(names.map((name) => [name, staffIdParam]))) : undefined;
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth ? { security: SECURITY[route.auth] } : {}),
      request: {
        ...(params ? { params } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.body ? { body: { required: true, content: { 'application/json': { schema: route.body.schema, example: route.body.example } } } } : {}),
      },
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.schema || r.contentType ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema ?? z.string(), ...(r.example !== undefined ? { example: r.example } : {}) } } } : {}),
          },
        ]),
      ),
    });
  }
  registry.registerComponent('securitySchemes', 'staffToken', { type: 'http', scheme: 'bearer', description: 'A token from STAFF_TOKENS.' });
  registry.registerComponent('securitySchemes', 'staffQueryToken', { type: 'apiKey', in: 'query', name: 'token', description: 'The staff token, for EventSource (live feed only).' });
  registry.registerComponent('securitySchemes', 'conversationToken', { type: 'http', scheme: 'bearer', description: 'The Direct Line token of the conversation.' });
  registry.registerComponent('securitySchemes', 'metricsToken', { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN.' });
  registry.registerComponent('securitySchemes', 'botFrameworkToken', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The channel\'s Bot Framework token (checked when MicrosoftAppId is set).' });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Technical Support bot', version: '0.1.0', description: 'Staff API, diagnosis, the Bot Framework endpoint, the local Direct Line subset and operations.' },
  });
}
