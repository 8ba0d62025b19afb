import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it, expect } from 'vitest';
import { RulesError } from '../../src/errors';
import { SPEC_ADVICE_IDS } from '../../src/diagnosis/facts';
import { citedGuideSections } from '../../src/diagnosis/advice';
import { DEFAULT_PRIORITY, DEFAULT_RULES_DIR, loadRuleSet } from '../../src/diagnosis/ruleSet';
import { checkRuleSet, guideSectionNames } from '../../src/diagnosis/rulesCheck';

const FIXTURES = path.join(__dirname, 'fixtures');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A copy of the real rules with one fixture's files laid over it, so each fixture breaks one thing. */
function rulesWith(fixture: string): string {
  const dir = path.join(scratch, fixture, 'rules');
  fs.cpSync(DEFAULT_RULES_DIR, dir, { recursive: true });
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

function loadError(dir: string): RulesError {
  try {
    loadRuleSet(dir);
  } catch (error) {
    if (error instanceof RulesError) return error;
    throw error;
  }
  throw new Error(`${dir} loaded without error`);
}

const cases: [fixture: string, file: string, rule: string | undefined, detail: RegExp][] = [
  ['malformed-json', 'rules/quality.json', undefined, /not valid JSON/],
  ['unknown-fact', 'rules/zz-fixture.json', 'camera-broken', /unknown fact "camera"/],
  ['unknown-operator', 'rules/zz-fixture.json', 'quality-equals', /unknown operator "equals"/],
  ['advice-without-content', 'rules/zz-fixture.json', 'restart-the-router', /advice "restart-router" has no content/],
  ['duplicate-rule-id', 'rules/zz-fixture.json', 'poor-quality-connection', /duplicate rule id \(also in rules\/quality.json\)/],
  ['bad-event-shape', 'rules/zz-fixture.json', 'advice-event', /event\.type/],
  ['impossible-value', 'rules/zz-fixture.json', 'capitalised-os', /"macOS" is not a possible value of "os"/],
  ['os-step-without-os', 'rules/zz-fixture.json', 'mac-steps-for-everyone', /only applies to macos/],
  ['derived-fact-in-step', 'rules/zz-fixture.json', 'steps-count-in-step', /only be used by escalation rules/],
  ['escalation-not-last', 'rules/zz-fixture.json', 'escalate-early', /lower priority/],
  ['missing-spec-advice', 'rules/advice', undefined, /no content for SPEC §4.1 advice "support-record"/],
  ['unknown-guide-section', 'rules/advice/devices.json', undefined, /"Overview of steps, step 7", which is not a section/],
];

describe('loading refuses bad rules', () => {
  it.each(cases)('%s', (fixture, file, rule, detail) => {
    const error = loadError(rulesWith(fixture));
    expect(error.code).toBe('RULES_INVALID');
    expect(error.file).toBe(file);
    expect(error.ruleId).toBe(rule);
    expect(error.message).toContain(file);
    if (rule) expect(error.message).toContain(`rule "${rule}"`);
    expect(error.message).toMatch(detail);
  });

  it('refuses a directory that does not exist', () => {
    expect(() => loadRuleSet(path.join(scratch, 'nowhere'))).toThrow(RulesError);
  });
});

describe('advice sources', () => {
  it('cite guide sections as "guide: <section>", separated by ";" from other citations', () => {
    expect(citedGuideSections('guide: Browsers;MDN: getUserMedia() (TypeError); guide: 2. Examples, example 1 ')).toEqual([
      'Browsers', '2. Examples, example 1',
    ]);
    expect(citedGuideSections('research: webrtc-failures.md §4 R3')).toEqual([]);
  });
});

describe('rule priorities', () => {
  it('follow from the kind of rule unless the rule names one', () => {
    const dir = path.join(scratch, 'priorities', 'rules');
    fs.cpSync(DEFAULT_RULES_DIR, dir, { recursive: true });
    const rule = (id: string, event: object, priority?: number) => ({
      id, ...(priority !== undefined && { priority }), conditions: { all: [{ fact: 'urgent', operator: 'equal', value: true }] }, event,
    });
    fs.writeFileSync(path.join(dir, 'zz-fixture.json'), JSON.stringify({ rules: [
      rule('a-finding', { type: 'finding', params: { adviceId: 'platform-unsupported-os' } }),
      rule('a-step', { type: 'step', params: { adviceId: 'test-call', rank: 9 } }),
      rule('a-step-first', { type: 'step', params: { adviceId: 'test-call', rank: 9 } }, 15),
      rule('an-escalation', { type: 'escalation', params: { adviceId: 'escalate-to-staff', escalation: 'staff-now' } }),
    ] }));
    const priorities = new Map(loadRuleSet(dir).rules.map((r) => [r.id, r.priority]));
    expect(DEFAULT_PRIORITY).toEqual({ finding: 20, step: 10, escalation: 1 });
    expect(priorities.get('a-finding')).toBe(20);
    expect(priorities.get('a-step')).toBe(10);
    expect(priorities.get('a-step-first')).toBe(15);
    expect(priorities.get('an-escalation')).toBe(1);
  });
});

describe('the shipped rule set', () => {
  const ruleSet = loadRuleSet();

  it('loads, with content for every SPEC §4.1 advice id', () => {
    for (const id of SPEC_ADVICE_IDS) expect(ruleSet.advice.has(id)).toBe(true);
  });

  it('has a stable short version that changes with the content', () => {
    expect(ruleSet.version).toMatch(/^[0-9a-f]{12}$/);
    expect(loadRuleSet().version).toBe(ruleSet.version);
    const dir = rulesWith('unknown-guide-section');
    fs.cpSync(path.join(DEFAULT_RULES_DIR, 'advice'), path.join(dir, 'advice'), { recursive: true });
    const edited = path.join(dir, 'quality.json');
    fs.writeFileSync(edited, fs.readFileSync(edited, 'utf8').replace('"rank": 2', '"rank": 3'));
    expect(loadRuleSet(dir).version).not.toBe(ruleSet.version);
  });

  it('passes the rules check with no errors', () => {
    expect(checkRuleSet(ruleSet).errors).toEqual([]);
  });

  it('lists only SPEC §4 facts as the facts the rules use', () => {
    expect(ruleSet.factNames).toContain('os');
    expect(ruleSet.factNames).not.toContain('stepsRemaining');
  });

  it('lists the same guide sections as the guide, when the guide is at hand', () => {
    const guide = path.resolve(DEFAULT_RULES_DIR, '../../shared/guide/troubleshooting-guide.md');
    if (!fs.existsSync(guide)) return;
    const listed = ruleSet.guideSections.filter((s) => s.kind === 'heading' || s.kind === 'step').map((s) => s.name);
    expect(guideSectionNames(fs.readFileSync(guide, 'utf8'))).toEqual(listed);
  });
});
