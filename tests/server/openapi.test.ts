import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/main';
import { ROUTES, openApiPath } from '../../src/server/openapi';
import { startFakeChannel, type FakeChannel } from '../helpers/fakeChannel';
import { startTestBot } from '../helpers/server';
import { ChannelConversation, STAFF, STAFF_TOKENS, StaffClient, asList, eventually, isRecord } from '../helpers/staff';

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: unknown;
  rawPath?: unknown;
}

function layersOf(handle: unknown): RouterLayer[] {
  if (!isRecord(handle) && typeof handle !== 'function') return [];
  const stack: unknown = Reflect.get(handle, 'stack');
  return Array.isArray(stack) ? stack.filter((l): l is RouterLayer => isRecord(l) && 'handle' in l) : [];
}

/** Every `METHOD path` the express app answers, nested routers included (router 2's layers keep their path). */
function registeredRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (layers: RouterLayer[], prefix: string) => {
    for (const layer of layers) {
      if (layer.route && typeof layer.route.path === 'string') {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.push(`${method} ${prefix}${layer.route.path}`);
      } else if (layersOf(layer.handle).length > 0) {
        walk(layersOf(layer.handle), prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk(layersOf(app.router), '');
  return [...new Set(found)].sort();
}

describe('the API description at /api/openapi.json', () => {
  let bot: RunningBot;
  let channel: FakeChannel;
  let document: Record<string, unknown>;
  beforeAll(async () => {
    channel = await startFakeChannel();
    bot = await startTestBot({ STAFF_TOKENS, METRICS_TOKEN: 'metrics-token-0123456789' });
    const response = await fetch(`${bot.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    if (!isRecord(body)) throw new Error('not a JSON object');
    document = body;
  });
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    // The validator is an ES module; tests are compiled as CommonJS.
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every route the app registers, and nothing it does not', () => {
    const registered = registeredRoutes(bot.app);
    expect(registered.length).toBeGreaterThan(20);
    const described = ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(described).toEqual(registered);
    const paths = document.paths;
    if (!isRecord(paths)) throw new Error('no paths');
    for (const route of ROUTES) expect(isRecord(paths[openApiPath(route.path)]) && paths[openApiPath(route.path)]).toHaveProperty(route.method);
  });

  it('has examples that the routes\' own schemas accept', () => {
    let checked = 0;
    for (const route of ROUTES) {
      if (route.body) {
        expect(route.body.schema.safeParse(route.body.example).error?.issues ?? [], `${route.operationId} request example`).toEqual([]);
        checked++;
      }
      for (const [status, response] of Object.entries(route.responses)) {
        if (response.example === undefined || !response.schema) continue;
        expect(response.schema.safeParse(response.example).error?.issues ?? [], `${route.operationId} ${status} example`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('matches what the staff API, diagnose, health and Direct Line really answer', async () => {
    const sam = new StaffClient(bot.url, STAFF.sam);
    const person = new ChannelConversation(bot.url, channel.serviceUrl);
    await person.say("I'm presenting in 5 minutes and my mic is blocked");
    const escalation = await eventually('the escalation', async () => asList((await sam.get('/api/escalations')).body).find((e) => e.conversationId === person.id));
    const id = String(escalation.id);
    const start = await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST' });
    const started: unknown = await start.clone().json();
    const token = isRecord(started) ? String(started.token) : '';
    const web = isRecord(started) ? String(started.conversationId) : '';
    const dl = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const calls: [string, Response][] = [
      ['staffMe', await fetch(`${bot.url}/api/staff/me`, { headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['listEscalations', await fetch(`${bot.url}/api/escalations`, { headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['getEscalation', await fetch(`${bot.url}/api/escalations/${id}`, { headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['claimEscalation', await fetch(`${bot.url}/api/escalations/${id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['relayMessage', await fetch(`${bot.url}/api/escalations/${id}/messages`, { method: 'POST', headers: { authorization: `Bearer ${STAFF.sam}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Hello' }) })],
      ['conversationDiagnostics', await fetch(`${bot.url}/api/conversations/${person.id}/diagnostics`, { headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['conversationTranscript', await fetch(`${bot.url}/api/conversations/${person.id}/transcript`, { headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['closeEscalation', await fetch(`${bot.url}/api/escalations/${id}/close`, { method: 'POST', headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['listSupportRecords', await fetch(`${bot.url}/api/support-records`, { headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['diagnose', await fetch(`${bot.url}/api/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ os: 'ios', browser: 'chrome', symptom: 'permission-denied' }) })],
      ['diagnose', await fetch(`${bot.url}/api/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ os: 'amiga' }) })],
      ['liveness', await fetch(`${bot.url}/healthz`)],
      ['readiness', await fetch(`${bot.url}/readyz`)],
      ['startConversation', start],
      ['reconnect', await fetch(`${bot.url}/v3/directline/conversations/${web}`, { headers: dl })],
      ['postToConversation', await fetch(`${bot.url}/v3/directline/conversations/${web}/activities`, { method: 'POST', headers: dl, body: JSON.stringify({ type: 'message', text: 'hi', from: { id: 'me' } }) })],
      ['getActivities', await fetch(`${bot.url}/v3/directline/conversations/${web}/activities?watermark=0`, { headers: dl })],
      ['refreshToken', await fetch(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: dl })],
      ['getEscalation', await fetch(`${bot.url}/api/escalations/E-none`, { headers: { authorization: `Bearer ${STAFF.sam}` } })],
      ['listEscalations', await fetch(`${bot.url}/api/escalations`)],
    ];
    for (const [operationId, response] of calls) {
      const route = ROUTES.find((r) => r.operationId === operationId);
      const documented = route?.responses[response.status];
      expect(documented, `${operationId} answered ${response.status}, which is not documented`).toBeDefined();
      if (!documented?.schema) continue;
      const body: unknown = await response.json();
      expect(documented.schema.safeParse(body).error?.issues ?? [], `${operationId} ${response.status}`).toEqual([]);
    }
  });
});
