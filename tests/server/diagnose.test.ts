import { describe, expect, it } from 'vitest';
import { botForSuite } from '../helpers/server';

describe('POST /api/diagnose', () => {
  const suite = botForSuite();

  const diagnose = (body: string) =>
    fetch(`${suite.bot.url}/api/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('returns findings, ordered steps, escalation and the rules version (SPEC §4.2)', async () => {
    const response = await diagnose(JSON.stringify({ os: 'ios', browser: 'chrome', osVersion: '13', symptom: 'permission-denied', media: ['camera'] }));
    expect(response.status).toBe(200);
    const result = (await response.json()) as { findings: { id: string }[]; steps: { id: string; title: string; text: string; links: unknown[]; source: string }[]; escalation: unknown; rulesVersion: string };
    expect(result.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['platform-safari-too-old', 'platform-ios-browsers-are-safari']));
    expect(result.steps.length).toBeGreaterThan(0);
    expect(result.steps[0]).toEqual({ id: expect.any(String), title: expect.any(String), text: expect.any(String), links: expect.any(Array), source: expect.any(String) });
    expect(result.escalation).toBeNull();
    expect(result.rulesVersion).toMatch(/\w+/);
  });

  it('leaves out steps already tried', async () => {
    const first = (await (await diagnose(JSON.stringify({ os: 'windows', browser: 'chrome', symptom: 'in-use', media: ['camera'] }))).json()) as { steps: { id: string }[] };
    const tried = first.steps[0]?.id ?? '';
    const second = (await (await diagnose(JSON.stringify({ os: 'windows', browser: 'chrome', symptom: 'in-use', media: ['camera'], stepsTried: [tried] }))).json()) as { steps: { id: string }[] };
    expect(second.steps.map((s) => s.id)).not.toContain(tried);
  });

  it('calls staff now for an urgent live session', async () => {
    const result = (await (await diagnose(JSON.stringify({ urgent: true, liveConference: true, media: ['microphone'], symptom: 'no-audio' }))).json()) as { escalation: unknown };
    expect(result.escalation).toBe('staff-now');
  });

  it.each([
    ['an unknown OS', '{"os":"beos"}', 'os'],
    ['an unknown fact', '{"mood":"sad"}', 'mood'],
    ['a bad version', '{"browserVersion":"latest"}', 'browserVersion'],
    ['a wrong type', '{"urgent":"yes"}', 'urgent'],
    ['a bad list item', '{"media":["camera","smell"]}', 'media.1'],
  ])('answers 400 naming the field for %s', async (_name, body, field) => {
    const response = await diagnose(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'FACTS_INVALID', field });
  });

  it('answers 400 for malformed JSON and for a non-object', async () => {
    expect((await diagnose('{"os":')).status).toBe(400);
    expect((await diagnose('[]')).status).toBe(400);
  });
});
