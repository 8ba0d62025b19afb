import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createDiagnoser, factsSchema, type Facts } from '../../src/diagnosis';
import {
  SPEC_ADVICE_IDS, OS_VALUES, BROWSER_VALUES, DEVICE_TYPE_VALUES, MEDIA_VALUES, SYMPTOM_VALUES, ERROR_NAME_VALUES,
  PERMISSION_STATE_VALUES, ROLE_VALUES,
} from '../../src/diagnosis/facts';
import { engineConstructionCount } from '../../src/diagnosis/diagnoser';
import { loadRuleSet } from '../../src/diagnosis/ruleSet';

const ruleSet = loadRuleSet();
const diagnoser = createDiagnoser(ruleSet);

interface Scenario {
  name: string;
  facts: Facts;
  /** Exactly these findings, in order. */
  findings?: string[];
  /** Some of the findings. */
  findingsInclude?: string[];
  first?: string;
  include?: string[];
  exclude?: string[];
  /** `before: [a, b]`: a is offered before b. */
  before?: [string, string][];
  escalation?: 'staff-now' | 'support-record' | null;
}

const denied = { errorName: 'NotAllowedError', errorMessage: 'Permission denied' } as const;
const bySystem = { errorName: 'NotAllowedError', errorMessage: 'Permission denied by system' } as const;
const GUIDE_STEPS = ['close-other-apps', 'browser-site-permissions', 'select-different-device', 'test-call', 'reset-permissions-restart'];

const scenarios: Scenario[] = [
  // --- Guide: Supported platforms and browsers -------------------------------------------------
  { name: 'guide: Safari 13 on a Mac is not supported', facts: { os: 'macos', browser: 'safari', browserVersion: '13.1.2', symptom: 'permission-denied' },
    findingsInclude: ['platform-safari-too-old'] },
  { name: 'guide: Safari 12 is not supported', facts: { browser: 'safari', browserVersion: '12.1' }, findings: ['platform-safari-too-old'] },
  { name: 'guide: Safari 14 is supported', facts: { os: 'macos', browser: 'safari', browserVersion: '14.0', media: ['camera'] }, findings: [] },
  { name: 'versions compare as numbers: Safari 9.1 is too old', facts: { browser: 'safari', browserVersion: '9.1' }, findings: ['platform-safari-too-old'] },
  { name: 'versions compare as numbers: Safari 26 is new, not older than 14', facts: { os: 'macos', browser: 'safari', browserVersion: '26.0' }, findings: [] },
  { name: 'guide: Safari 13 on iOS devices too', facts: { os: 'ios', browser: 'safari', browserVersion: '13.3', osVersion: '13.3' }, findings: ['platform-safari-too-old'] },
  { name: 'guide: iOS 13 with the Safari version unknown', facts: { os: 'ios', osVersion: '13.7' }, findings: ['platform-safari-too-old'] },
  { name: 'R2: Chrome on iOS 13 runs Safari 13', facts: { os: 'ios', browser: 'chrome', browserVersion: '13.6' },
    findings: ['platform-safari-too-old', 'platform-ios-browsers-are-safari'] },
  { name: 'guide: on iOS all browsers are Safari (Chrome)', facts: { os: 'ios', browser: 'chrome', browserVersion: '17.1', symptom: 'permission-denied' },
    findings: ['platform-ios-browsers-are-safari'], first: 'browser-site-permissions', include: ['os-permissions-ios'] },
  { name: 'R3/R4: Firefox on iPad', facts: { os: 'ipados', browser: 'firefox', browserVersion: '16.6' }, findings: ['platform-ios-browsers-are-safari'] },
  { name: 'R3: in-app browser on iOS', facts: { os: 'ios', browser: 'other', inAppBrowser: true, browserVersion: '16.5' }, findings: ['platform-ios-browsers-are-safari'] },
  { name: 'Safari on iOS 17 is fine', facts: { os: 'ios', browser: 'safari', browserVersion: '17.1' }, findings: [] },
  { name: 'R34: Internet Explorer', facts: { os: 'windows', browser: 'ie', browserVersion: '11.0' }, findings: ['platform-unsupported-browser'] },
  { name: 'R34: legacy Edge 18', facts: { os: 'windows', browser: 'edge', browserVersion: '18.19041' }, findings: ['platform-unsupported-browser'] },
  { name: 'Chromium Edge is supported', facts: { os: 'windows', browser: 'edge', browserVersion: '120.0' }, findings: [] },
  { name: 'guide browsers: Samsung Internet is not on the list', facts: { os: 'android', browser: 'samsung' }, findings: ['platform-unsupported-browser'] },
  { name: 'guide browsers: Opera is not on the list', facts: { os: 'windows', browser: 'opera' }, findings: ['platform-unsupported-browser'] },
  { name: 'in-app browser on Android', facts: { os: 'android', browser: 'other', inAppBrowser: true }, findings: ['platform-in-app-browser'] },
  { name: 'guide OS: unknown operating system', facts: { os: 'other' }, findings: ['platform-unsupported-os'] },
  { name: 'guide OS: Windows 7 is not recent', facts: { os: 'windows', osVersion: '7', browser: 'chrome' }, findings: ['platform-unsupported-os'] },
  { name: 'guide OS: Windows 11 is fine', facts: { os: 'windows', osVersion: '11', browser: 'chrome' }, findings: [] },
  { name: 'guide OS: macOS 10.13 is not recent', facts: { os: 'macos', osVersion: '10.13.6' }, findings: ['platform-unsupported-os'] },
  { name: 'ChromeOS runs desktop Chrome and is not flagged', facts: { os: 'chromeos', browser: 'chrome' }, findings: [] },
  { name: 'guide: iPhone during a live-stream', facts: { os: 'ios', browser: 'safari', browserVersion: '17.1', liveStream: true },
    findings: ['platform-mobile-livestream'] },
  { name: 'guide: Android during a live-stream', facts: { os: 'android', liveStream: true, role: 'presenter' }, findings: ['platform-mobile-livestream'] },
  { name: 'R6: a phone of unknown OS during a live-stream', facts: { deviceType: 'mobile', liveStream: true }, findings: ['platform-mobile-livestream'] },
  { name: 'a laptop during a live-stream is fine', facts: { os: 'windows', deviceType: 'desktop', liveStream: true }, findings: [] },
  { name: 'R1: insecure page', facts: { secureContext: false, symptom: 'no-prompt' }, findingsInclude: ['insecure-context'] },
  { name: 'R1: TypeError reading getUserMedia of undefined', facts: { errorName: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'getUserMedia')", browser: 'chrome' },
    findingsInclude: ['insecure-context'] },
  { name: 'R22: iframe without permission policy', facts: { inIframe: true, ...denied, media: ['camera'] }, findingsInclude: ['iframe-permissions-policy'] },

  // --- Guide: Overview of steps ----------------------------------------------------------------
  { name: 'guide overview order when only "it doesn\'t work" is known', facts: { os: 'linux', browser: 'chrome', symptom: 'other', media: ['camera'] },
    first: 'close-other-apps', before: [['close-other-apps', 'browser-site-permissions'], ['browser-site-permissions', 'select-different-device'],
      ['select-different-device', 'test-call'], ['test-call', 'reset-permissions-restart']], include: GUIDE_STEPS, escalation: null },
  { name: 'guide step 3: Mac OS permissions on a Mac', facts: { os: 'macos', browser: 'chrome', symptom: 'other' },
    include: ['os-permissions-macos'], before: [['browser-site-permissions', 'os-permissions-macos'], ['os-permissions-macos', 'select-different-device']] },
  { name: 'guide step 3: iOS permissions on an iPhone', facts: { os: 'ios', browser: 'safari', browserVersion: '17.1', symptom: 'other' },
    include: ['os-permissions-ios'], exclude: ['os-permissions-macos'] },
  { name: 'guide step 3 does not apply to Linux', facts: { os: 'linux', symptom: 'other' },
    exclude: ['os-permissions-macos', 'os-permissions-ios', 'os-permissions-windows', 'os-permissions-android'] },

  // --- Error-driven first steps ----------------------------------------------------------------
  { name: 'in-use symptom: close other apps first', facts: { os: 'windows', browser: 'chrome', symptom: 'in-use', media: ['camera'] }, first: 'close-other-apps' },
  { name: 'R13: NotReadableError "Could not start video source" on Windows', facts: { os: 'windows', browser: 'chrome', errorName: 'NotReadableError', errorMessage: 'Could not start video source', media: ['camera'] },
    first: 'close-other-apps', before: [['os-permissions-windows', 'browser-site-permissions']] },
  { name: 'R15: Firefox "Concurrent mic process limit."', facts: { os: 'macos', browser: 'firefox', errorName: 'NotReadableError', errorMessage: 'Concurrent mic process limit.', media: ['microphone'] },
    first: 'close-other-apps' },
  { name: 'R17: AbortError timeout starting video source', facts: { os: 'windows', errorName: 'AbortError', errorMessage: 'Timeout starting video source' }, first: 'close-other-apps' },
  { name: 'R7: "Permission denied by system" on macOS', facts: { os: 'macos', browser: 'chrome', ...bySystem, media: ['camera'] },
    first: 'os-permissions-macos', exclude: ['os-permissions-windows', 'os-permissions-ios'] },
  { name: 'R7 on Windows: OS privacy first', facts: { os: 'windows', browser: 'edge', ...bySystem, media: ['microphone'] },
    first: 'os-permissions-windows', exclude: ['os-permissions-macos'] },
  { name: '"by system" with the OS unknown: generic privacy step, no macOS step', facts: { ...bySystem, media: ['camera'] },
    first: 'os-privacy-settings', exclude: ['os-permissions-macos', 'os-permissions-windows'] },
  { name: 'R36: site permission granted but NotAllowedError on macOS', facts: { os: 'macos', browser: 'chrome', errorName: 'NotAllowedError', permission: { camera: 'granted' }, media: ['camera'] },
    first: 'os-permissions-macos' },
  { name: 'R10: denied at the site in Chrome on Windows', facts: { os: 'windows', browser: 'chrome', ...denied, media: ['camera'] },
    first: 'browser-site-permissions', exclude: ['os-permissions-macos'] },
  { name: 'R10: Firefox "not allowed by the user agent"', facts: { os: 'linux', browser: 'firefox', errorName: 'NotAllowedError', errorMessage: 'The request is not allowed by the user agent or the platform in the current context.' },
    first: 'browser-site-permissions' },
  { name: 'R12: Permissions API says denied', facts: { os: 'windows', browser: 'chrome', permission: { microphone: 'denied' }, media: ['microphone'] }, first: 'browser-site-permissions' },
  { name: 'permission-denied symptom with no error details', facts: { os: 'macos', browser: 'safari', browserVersion: '17.2', symptom: 'permission-denied' }, first: 'browser-site-permissions' },
  { name: 'R11: prompt dismissed', facts: { os: 'windows', browser: 'chrome', errorName: 'NotAllowedError', errorMessage: 'Permission dismissed', media: ['camera'] },
    // The site-permission step says the same thing under another name (sameAs): not offered again.
    first: 'permission-prompt-dismissed', exclude: ['browser-site-permissions'] },
  { name: 'no prompt at all: site blocked (its twin, the dismissed prompt, is not repeated)', facts: { os: 'windows', browser: 'chrome', symptom: 'no-prompt', media: ['camera'] },
    first: 'browser-site-permissions', exclude: ['permission-prompt-dismissed'], include: ['enterprise-policy'] },
  { name: 'R26: Android with no prompt: app permission first', facts: { os: 'android', browser: 'chrome', symptom: 'no-prompt', media: ['camera'] },
    first: 'os-permissions-android', exclude: ['os-permissions-ios', 'os-permissions-macos'] },
  { name: 'Android denied: site, then app permission', facts: { os: 'android', browser: 'chrome', ...denied },
    first: 'browser-site-permissions', before: [['os-permissions-android', 'close-other-apps']] },
  { name: 'R27: Android black video: quick-settings toggles offered', facts: { os: 'android', symptom: 'no-video', media: ['camera'] }, include: ['os-permissions-android'] },
  { name: 'R9: Firefox on macOS NotFoundError with devices present', facts: { os: 'macos', browser: 'firefox', errorName: 'NotFoundError', media: ['camera'], devices: { camera: 1, microphone: 1 } },
    first: 'firefox-macos-os-permission', exclude: ['os-permissions-macos'] },
  { name: 'R9: Firefox on macOS NotFoundError, devices unknown', facts: { os: 'macos', browser: 'firefox', errorName: 'NotFoundError' }, first: 'firefox-macos-os-permission' },
  { name: 'Firefox on Windows NotFoundError is not the macOS case', facts: { os: 'windows', browser: 'firefox', errorName: 'NotFoundError', media: ['microphone'] },
    exclude: ['firefox-macos-os-permission'], include: ['no-device-detected', 'os-permissions-windows'] },
  { name: 'R19: no camera listed', facts: { os: 'windows', browser: 'chrome', errorName: 'NotFoundError', media: ['camera'], devices: { camera: 0, microphone: 1 } },
    first: 'no-device-detected' },
  { name: 'no microphone listed on a Mac with Safari', facts: { os: 'macos', browser: 'safari', browserVersion: '17.2', symptom: 'not-found', media: ['microphone'], devices: { microphone: 0 } },
    first: 'no-device-detected' },
  { name: 'R16: OverconstrainedError: re-select the device', facts: { os: 'windows', browser: 'chrome', errorName: 'OverconstrainedError', media: ['camera'] }, first: 'device-reselect' },
  { name: 'SecurityError: enterprise policy', facts: { os: 'windows', browser: 'edge', errorName: 'SecurityError', media: ['camera'] }, first: 'enterprise-policy' },
  { name: 'R18: labels hidden though allowed: reset early', facts: { os: 'windows', browser: 'chrome', symptom: 'other', permission: { camera: 'granted' }, devices: { camera: 1, labelsVisible: false } },
    before: [['reset-permissions-restart', 'close-other-apps']] },
  { name: 'R30: silent microphone: check mute and level first', facts: { os: 'windows', browser: 'chrome', symptom: 'no-audio', media: ['microphone'] },
    first: 'microphone-level', before: [['select-different-device', 'close-other-apps']] },
  { name: 'black video: pick another camera first', facts: { os: 'macos', browser: 'chrome', symptom: 'no-video', media: ['camera'] }, first: 'select-different-device' },
  { name: 'R24: Firefox without media devices on a secure page', facts: { os: 'linux', browser: 'firefox', errorName: 'TypeError', secureContext: true }, first: 'firefox-media-disabled' },
  { name: 'R31-R33: poor quality: the connection', facts: { os: 'windows', browser: 'chrome', symptom: 'poor-quality' },
    first: 'improve-connection', include: ['test-call'], exclude: ['browser-site-permissions'] },

  // --- Screen sharing ---------------------------------------------------------------------------
  { name: 'R5: screen sharing on iPhone', facts: { os: 'ios', browser: 'safari', browserVersion: '17.1', symptom: 'screen-share-failed' },
    findings: ['screen-share-unsupported-mobile'], exclude: ['screen-share-cancelled', 'os-permissions-macos-screen-recording'] },
  { name: 'R5: screen sharing on Android', facts: { os: 'android', media: ['screen'] }, findingsInclude: ['screen-share-unsupported-mobile'] },
  { name: 'R8: macOS screen share "by system": Screen Recording first', facts: { os: 'macos', browser: 'chrome', symptom: 'screen-share-failed', ...bySystem },
    first: 'os-permissions-macos-screen-recording', exclude: ['screen-share-cancelled'] },
  { name: 'Firefox on macOS screen share NotFoundError', facts: { os: 'macos', browser: 'firefox', media: ['screen'], errorName: 'NotFoundError' },
    first: 'os-permissions-macos-screen-recording' },
  { name: 'R8: Mac share shows only the wallpaper, no error: Screen Recording first', facts: { os: 'macos', browser: 'chrome', media: ['screen'], symptom: 'screen-share-failed' },
    first: 'os-permissions-macos-screen-recording', include: ['screen-share-cancelled'] },
  { name: 'R21: picker cancelled on Windows', facts: { os: 'windows', browser: 'chrome', symptom: 'screen-share-failed', ...denied },
    first: 'screen-share-cancelled', exclude: ['os-permissions-macos-screen-recording'] },
  { name: 'R21 on a Mac: cancelled first, Screen Recording next', facts: { os: 'macos', browser: 'chrome', symptom: 'screen-share-failed', ...denied },
    first: 'screen-share-cancelled', before: [['screen-share-cancelled', 'os-permissions-macos-screen-recording']] },
  { name: 'R20: InvalidStateError: click to share', facts: { os: 'windows', browser: 'chrome', symptom: 'screen-share-failed', errorName: 'InvalidStateError' }, first: 'screen-share-user-gesture' },
  { name: 'R25: Linux screen share: Wayland', facts: { os: 'linux', browser: 'firefox', symptom: 'screen-share-failed' }, include: ['linux-wayland-screen-share'],
    exclude: ['os-permissions-macos-screen-recording'] },
  { name: 'camera and screen both failing get both kinds of steps', facts: { os: 'macos', browser: 'chrome', media: ['camera', 'screen'] },
    include: ['os-permissions-macos', 'os-permissions-macos-screen-recording', 'close-other-apps'] },

  // --- stepsTried and escalation (SPEC §5.1) --------------------------------------------------
  { name: 'tried steps are left out', facts: { os: 'windows', browser: 'chrome', symptom: 'in-use', stepsTried: ['close-other-apps'] },
    exclude: ['close-other-apps'], first: 'browser-site-permissions', escalation: null },
  { name: 'urgent in a live conference with a problem: staff now', facts: { os: 'windows', browser: 'chrome', symptom: 'in-use', urgent: true, liveConference: true },
    first: 'close-other-apps', escalation: 'staff-now' },
  { name: 'urgent and live with a platform finding only: staff now', facts: { os: 'ios', liveStream: true, liveConference: true, urgent: true }, escalation: 'staff-now' },
  { name: 'live but not urgent: no escalation yet', facts: { os: 'windows', symptom: 'in-use', liveConference: true }, escalation: null },
  { name: 'urgent but nothing wrong described: no escalation', facts: { urgent: true, liveConference: true }, escalation: null },
  { name: 'asked for a human: staff now', facts: { humanRequested: true }, escalation: 'staff-now' },
  { name: 'asked for a human with steps left: still staff now', facts: { os: 'windows', symptom: 'in-use', humanRequested: true }, escalation: 'staff-now' },
  { name: 'steps exhausted and not urgent: support record', facts: { symptom: 'poor-quality', stepsTried: ['improve-connection', 'test-call'] },
    escalation: 'support-record' },
  { name: 'all guide steps tried on Linux: support record', facts: { os: 'linux', browser: 'chrome', symptom: 'other', stepsTried: GUIDE_STEPS }, escalation: 'support-record' },
  { name: 'steps exhausted and urgent: staff now', facts: { symptom: 'poor-quality', urgent: true, stepsTried: ['improve-connection', 'test-call'] }, escalation: 'staff-now' },
  { name: 'screen share on a phone has no steps: support record', facts: { os: 'android', symptom: 'screen-share-failed' }, escalation: 'support-record' },
  { name: 'no facts at all: nothing to say', facts: {}, findings: [], escalation: null },
];

describe('diagnose scenarios', () => {
  it('has at least 60 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(60);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const diagnosis = await diagnoser.diagnose(scenario.facts);
    const findings = diagnosis.findings.map((a) => a.id);
    const steps = diagnosis.steps.map((a) => a.id);
    if (scenario.findings) expect(findings).toEqual(scenario.findings);
    for (const id of scenario.findingsInclude ?? []) expect(findings).toContain(id);
    if (scenario.first) expect(steps[0]).toBe(scenario.first);
    for (const id of scenario.include ?? []) expect(steps).toContain(id);
    for (const id of scenario.exclude ?? []) expect(steps).not.toContain(id);
    for (const [a, b] of scenario.before ?? []) {
      expect(steps).toContain(a);
      expect(steps).toContain(b);
      expect(steps.indexOf(a)).toBeLessThan(steps.indexOf(b));
    }
    if (scenario.escalation !== undefined) expect(diagnosis.escalation).toBe(scenario.escalation);
    expect(diagnosis.rulesVersion).toBe(ruleSet.version);
  });

  it('reaches every SPEC §4.1 advice id from some scenario', async () => {
    const reached = new Set<string>();
    for (const scenario of scenarios) {
      const diagnosis = await diagnoser.diagnose(scenario.facts);
      for (const advice of [...diagnosis.findings, ...diagnosis.steps]) reached.add(advice.id);
      if (diagnosis.escalation === 'staff-now') reached.add('escalate-to-staff');
      if (diagnosis.escalation === 'support-record') reached.add('support-record');
    }
    expect(SPEC_ADVICE_IDS.filter((id) => !reached.has(id))).toEqual([]);
  });

  it('returns advice shaped as SPEC §4.2', async () => {
    const diagnosis = await diagnoser.diagnose({ os: 'macos', browser: 'chrome', symptom: 'permission-denied' });
    for (const advice of [...diagnosis.findings, ...diagnosis.steps]) {
      expect(Object.keys(advice).sort()).toEqual(['id', 'links', 'source', 'text', 'title']);
      for (const link of advice.links) expect(Object.keys(link).sort()).toEqual(['label', 'url']);
    }
  });
});

// --- Properties -----------------------------------------------------------------------------

const subset = <T>(values: readonly T[]) => fc.uniqueArray(fc.constantFrom(...values), { maxLength: values.length });
const version = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const allAdviceIds = [...ruleSet.advice.keys()];

const factsArbitrary: fc.Arbitrary<Facts> = fc.record({
  os: fc.constantFrom(...OS_VALUES),
  osVersion: version,
  browser: fc.constantFrom(...BROWSER_VALUES),
  browserVersion: version,
  inAppBrowser: fc.boolean(),
  deviceType: fc.constantFrom(...DEVICE_TYPE_VALUES),
  media: subset(MEDIA_VALUES),
  symptom: fc.constantFrom(...SYMPTOM_VALUES),
  errorName: fc.constantFrom(...ERROR_NAME_VALUES),
  errorMessage: fc.constantFrom('Permission denied', 'Permission denied by system', 'Permission dismissed', 'Could not start video source', 'weird'),
  permission: fc.record({ camera: fc.constantFrom(...PERMISSION_STATE_VALUES), microphone: fc.constantFrom(...PERMISSION_STATE_VALUES) }, { requiredKeys: [] }),
  devices: fc.record({ camera: fc.integer({ min: 0, max: 3 }), microphone: fc.integer({ min: 0, max: 3 }), labelsVisible: fc.boolean() }, { requiredKeys: [] }),
  secureContext: fc.boolean(),
  inIframe: fc.boolean(),
  liveConference: fc.boolean(),
  role: fc.constantFrom(...ROLE_VALUES),
  liveStream: fc.boolean(),
  urgent: fc.boolean(),
  humanRequested: fc.boolean(),
  stepsTried: subset(allAdviceIds),
}, { requiredKeys: [] });

describe('diagnose properties', () => {
  it('generated facts are valid facts', () => {
    fc.assert(fc.property(factsArbitrary, (facts) => factsSchema.safeParse(facts).success), { numRuns: 200 });
  });

  it('never throws, never returns a tried step, never gives advice for another OS', async () => {
    await fc.assert(fc.asyncProperty(factsArbitrary, async (facts) => {
      const diagnosis = await diagnoser.diagnose(facts);
      const tried = new Set(facts.stepsTried ?? []);
      for (const step of diagnosis.steps) expect(tried.has(step.id)).toBe(false);
      for (const advice of [...diagnosis.findings, ...diagnosis.steps]) {
        const platforms = ruleSet.advice.get(advice.id)?.platforms;
        if (platforms) {
          expect(facts.os).toBeDefined();
          expect(platforms).toContain(facts.os);
        }
      }
      expect(['staff-now', 'support-record', null]).toContain(diagnosis.escalation);
      if (facts.humanRequested) expect(diagnosis.escalation).toBe('staff-now');
    }), { numRuns: 400 });
  });
});

// --- One engine, memoised -------------------------------------------------------------------

describe('engine and memo', () => {
  it('builds the engine once per diagnoser, however many calls', async () => {
    const before = engineConstructionCount();
    const local = createDiagnoser(ruleSet);
    for (const scenario of scenarios) await local.diagnose(scenario.facts);
    for (const scenario of scenarios) await local.diagnose(scenario.facts);
    expect(engineConstructionCount() - before).toBe(1);
    const stats = local.stats();
    expect(stats.engineBuilds).toBe(1);
    expect(stats.memoHits).toBeGreaterThanOrEqual(scenarios.length);
  });

  it('gives memoised results equal to fresh ones', async () => {
    const fresh = createDiagnoser(ruleSet, { memoSize: 0 });
    const memoised = createDiagnoser(ruleSet);
    for (const scenario of scenarios) {
      const first = await memoised.diagnose(scenario.facts);
      const second = await memoised.diagnose(scenario.facts);
      expect(second).toEqual(first);
      expect(second).toEqual(await fresh.diagnose(scenario.facts));
    }
    expect(fresh.stats().memoEntries).toBe(0);
  });

  it('treats the same facts in another order as the same situation', async () => {
    const local = createDiagnoser(ruleSet);
    await local.diagnose({ media: ['microphone', 'camera'], stepsTried: ['test-call', 'close-other-apps'], symptom: 'other' });
    await local.diagnose({ symptom: 'other', stepsTried: ['close-other-apps', 'test-call'], media: ['camera', 'microphone'] });
    expect(local.stats()).toMatchObject({ engineRuns: 1, memoHits: 1 });
  });

  it('keeps the memo bounded', async () => {
    const local = createDiagnoser(ruleSet, { memoSize: 5 });
    for (let i = 0; i < 12; i++) await local.diagnose({ osVersion: `${i}` });
    expect(local.stats().memoEntries).toBe(5);
  });

  it('answers concurrent calls exactly like sequential ones', async () => {
    const sequential = [];
    const fresh = createDiagnoser(ruleSet, { memoSize: 0 });
    for (const scenario of scenarios) sequential.push(await fresh.diagnose(scenario.facts));
    const concurrent = await Promise.all(scenarios.map((scenario) => fresh.diagnose(scenario.facts)));
    expect(concurrent).toEqual(sequential);
  });

  it('does not let callers change a memoised result', async () => {
    const local = createDiagnoser(ruleSet);
    const first = await local.diagnose({ symptom: 'in-use' });
    first.steps.length = 0;
    const second = await local.diagnose({ symptom: 'in-use' });
    expect(second.steps.length).toBeGreaterThan(0);
  });
});

describe('the rule trace diagnose() returns', () => {
  it('names, for each finding and step, the rule that chose it and the conditions that held with the values they saw', async () => {
    const result = await diagnoser.diagnose({ os: 'ios', browser: 'safari', browserVersion: '13.1', media: ['camera'], symptom: 'permission-denied' });
    const safari = result.trace.find((t) => t.ruleId === 'safari-13-or-lower');
    expect(safari).toMatchObject({ type: 'finding', adviceId: 'platform-safari-too-old', description: expect.any(String) });
    expect(safari?.matched).toEqual([
      { fact: 'browser', operator: 'equal', value: 'safari', actual: 'safari' },
      { fact: 'browserVersion', operator: 'versionLessThan', value: expect.any(String), actual: '13.1' },
    ]);
    // Every finding and step shown has a rule in the trace.
    const traced = new Set(result.trace.map((t) => t.adviceId));
    for (const advice of [...result.findings, ...result.steps]) expect(traced.has(advice.id)).toBe(true);
    // A rule that did not fire is not in it.
    expect((await diagnoser.diagnose({ os: 'windows', browser: 'chrome', browserVersion: '131' })).trace.some((t) => t.ruleId === 'safari-13-or-lower')).toBe(false);
  });
});
