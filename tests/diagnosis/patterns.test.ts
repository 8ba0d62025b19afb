import { describe, expect, it } from 'vitest';
import { createDiagnoser, type Facts } from '../../src/diagnosis';

const diagnoser = createDiagnoser();

interface Pattern {
  name: string;
  facts: Facts;
  first: string;
  findings?: string[];
  exclude?: string[];
}

const chromeWin = { os: 'windows', browser: 'chrome', browserVersion: '124' } as const;
const chromeMac = { os: 'macos', browser: 'chrome', browserVersion: '124' } as const;

/** Causes read from what the browser reports (research §2 and §4, the guide's steps); each row names its source. */
const patterns: Pattern[] = [
  { name: 'R36: NotAllowedError while the site permission reads granted → the OS blocks the browser', facts: { ...chromeMac, media: ['camera'], errorName: 'NotAllowedError', errorMessage: 'Permission denied', permission: { camera: 'granted' } },
    first: 'os-permissions-macos' },
  { name: 'R7: "Permission denied by system" → OS first (Windows)', facts: { ...chromeWin, media: ['microphone'], errorName: 'NotAllowedError', errorMessage: 'Permission denied by system' },
    first: 'os-permissions-windows' },
  { name: 'R15: NotReadableError → another app holds the device', facts: { ...chromeWin, media: ['camera'], errorName: 'NotReadableError', errorMessage: 'Could not start video source' },
    first: 'close-other-apps' },
  { name: 'R16: OverconstrainedError for the saved device → choose it again', facts: { ...chromeWin, media: ['camera'], errorName: 'OverconstrainedError' },
    first: 'device-reselect' },
  { name: 'probe: the saved device is gone while others exist → choose it again, before anything else', facts: { ...chromeWin, media: ['camera'], errorName: 'NotFoundError', staleDevice: true, devices: { camera: 2 } },
    first: 'device-reselect' },
  { name: 'R19: NotFoundError and no device listed → no device', facts: { ...chromeWin, media: ['camera'], errorName: 'NotFoundError', devices: { camera: 0, microphone: 1 } },
    first: 'no-device-detected' },
  { name: 'research §2: labels hidden and permission still prompt → never granted', facts: { ...chromeWin, media: ['camera'], permission: { camera: 'prompt' }, devices: { camera: 1, labelsVisible: false }, symptom: 'no-prompt' },
    first: 'permission-prompt-dismissed' },
  { name: 'R30: a silent level with a live track → mute switch, input or volume', facts: { ...chromeWin, audioLevel: 'silent' },
    first: 'microphone-level', exclude: ['browser-site-permissions'] },
  { name: 'R30: a silent level, then the right input', facts: { ...chromeWin, audioLevel: 'silent', media: ['microphone'] },
    first: 'microphone-level' },
  { name: 'testRTC: clipping → turn the input down', facts: { ...chromeWin, audioLevel: 'ok', audioClipping: true },
    first: 'microphone-too-loud' },
  { name: 'R27/R37: black frames → uncover and free the camera', facts: { ...chromeWin, videoFrames: 'black' },
    first: 'camera-black-picture' },
  { name: 'R29: frozen frames → another program holds the camera', facts: { ...chromeWin, videoFrames: 'frozen' },
    first: 'close-other-apps' },
  { name: 'R22: the frame denies the camera → the embedding page must allow it, no site-permission steps', facts: { ...chromeWin, inIframe: true, media: ['camera'], errorName: 'NotAllowedError', errorMessage: 'Permission denied', permission: { camera: 'denied' }, permissionsPolicy: { camera: false } },
    first: 'open-conference-directly', findings: ['iframe-permissions-policy'], exclude: ['browser-site-permissions'] },
  { name: 'R22: the frame denies display-capture → screen sharing cannot start there', facts: { ...chromeWin, media: ['screen'], symptom: 'screen-share-failed', permissionsPolicy: { displayCapture: false } },
    first: 'open-conference-directly' },
  { name: 'R3: an in-app browser → open the link in the real browser, never the lock icon', facts: { os: 'android', browser: 'other', inAppBrowser: true, media: ['camera'], symptom: 'permission-denied' },
    first: 'open-in-real-browser', exclude: ['browser-site-permissions', 'permission-prompt-dismissed'] },
  { name: 'R23: a managed device where the browser never asks → enterprise policy first', facts: { ...chromeWin, managedDevice: true, media: ['camera'], symptom: 'no-prompt' },
    first: 'enterprise-policy' },
  { name: 'R23: a managed device that refuses → enterprise policy first', facts: { ...chromeMac, managedDevice: true, media: ['microphone'], errorName: 'NotAllowedError', errorMessage: 'Permission denied' },
    first: 'enterprise-policy' },
  { name: 'a managed device with a busy camera is still a busy camera', facts: { ...chromeWin, managedDevice: true, media: ['camera'], errorName: 'NotReadableError' },
    first: 'close-other-apps' },
];

describe('causes from patterns, as rules with sources', () => {
  it.each(patterns)('$name', async ({ facts, first, findings, exclude }) => {
    const diagnosis = await diagnoser.diagnose(facts);
    const steps = diagnosis.steps.map((s) => s.id);
    expect(steps[0]).toBe(first);
    for (const id of findings ?? []) expect(diagnosis.findings.map((f) => f.id)).toContain(id);
    for (const id of exclude ?? []) expect(steps).not.toContain(id);
  });

  it('every new advice cites the guide or the research catalogue', () => {
    for (const id of ['microphone-too-loud', 'camera-black-picture', 'open-in-real-browser', 'open-conference-directly']) {
      expect(diagnoser.getAdvice(id)?.source).toMatch(/guide: |research: webrtc-failures\.md/);
    }
  });
});

describe('advice fitted to the person', () => {
  it('a microphone problem never leads with camera wording', async () => {
    for (const facts of [
      { os: 'windows', browser: 'chrome', media: ['microphone'], symptom: 'permission-denied' },
      { os: 'macos', browser: 'chrome', media: ['microphone'], errorName: 'NotAllowedError', errorMessage: 'Permission denied by system' },
      { os: 'windows', browser: 'edge', media: ['microphone'], symptom: 'not-found' },
      { os: 'android', browser: 'chrome', media: ['microphone'], symptom: 'no-prompt' },
      { os: 'windows', browser: 'chrome', managedDevice: true, media: ['microphone'], symptom: 'no-prompt' },
      { os: 'windows', browser: 'chrome', media: ['microphone'], errorName: 'OverconstrainedError' },
    ] satisfies Facts[]) {
      const diagnosis = await diagnoser.diagnose(facts);
      for (const step of diagnosis.steps) {
        expect(`${step.title} ${step.text.split('.')[0]}`, `${step.id} for ${JSON.stringify(facts)}`).not.toMatch(/camera/i);
      }
    }
  });

  it('keeps the camera wording for a camera problem', async () => {
    const diagnosis = await diagnoser.diagnose({ os: 'windows', browser: 'chrome', media: ['camera'], symptom: 'permission-denied' });
    expect(diagnosis.steps[0]?.title).toBe('Allow the camera and microphone for this site');
  });

  it.each([
    [{ os: 'windows', browser: 'chrome', media: ['camera'], symptom: 'no-prompt' }],
    [{ os: 'macos', browser: 'chrome', media: ['microphone'], symptom: 'no-prompt' }],
    [{ os: 'android', browser: 'chrome', media: ['camera'], symptom: 'no-prompt' }],
    [{ media: ['camera'], errorName: 'NotAllowedError', errorMessage: 'Permission denied by system' }],
  ] satisfies [Facts][])('never offers the same step twice under two names: %j', async (facts) => {
    const ids = (await diagnoser.diagnose(facts)).steps.map((s) => s.id);
    expect(ids.includes('browser-site-permissions') && ids.includes('permission-prompt-dismissed')).toBe(false);
    expect(ids.includes('os-privacy-settings') && ids.some((id) => id.startsWith('os-permissions-'))).toBe(false);
  });

  it('a step tried under one name is not offered under the other', async () => {
    const generic = await diagnoser.diagnose({ os: 'macos', browser: 'chrome', media: ['camera'], errorName: 'NotAllowedError', errorMessage: 'Permission denied by system', stepsTried: ['os-privacy-settings'] });
    expect(generic.steps.map((s) => s.id)).not.toContain('os-permissions-macos');
    const site = await diagnoser.diagnose({ os: 'windows', browser: 'chrome', media: ['camera'], errorMessage: 'Permission dismissed', errorName: 'NotAllowedError', stepsTried: ['browser-site-permissions'] });
    expect(site.steps.map((s) => s.id)).not.toContain('permission-prompt-dismissed');
  });
});
