import { describe, expect, it } from 'vitest';
import { factsFromProbe, mediaToCheck, parseProbe, verifyReading, type Facts } from '../../src/diagnosis';
import { inAppBrowserName } from '../../src/diagnosis/userAgent';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const ANDROID_WV = 'Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.0.0 Mobile Safari/537.36';

describe('in-app browsers named from the user agent', () => {
  it.each([
    [`${IPHONE} Instagram 330.0.0.34.109 (iPhone15,2; iOS 17_4; en_GB)`, 'Instagram'],
    [`${IPHONE} [FBAN/FBIOS;FBAV/460.0.0.48.109;FBBV/580000000]`, 'Facebook'],
    [`${ANDROID_WV} [FB_IAB/FB4A;FBAV/460.0.0.48.109;]`, 'Facebook'],
    [`${IPHONE} LinkedInApp/9.29.1234`, 'LinkedIn'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.38.125 Chrome/122.0.6261.156 Electron/29.4.0 Safari/537.36', 'Slack'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.7.00.7956 Chrome/108.0.5359.215 Electron/22.3.27 Safari/537.36', 'Microsoft Teams'],
    [`${IPHONE} Safari Line/14.5.0`, 'LINE'],
    [`${ANDROID_WV} MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64`, 'WeChat'],
    [`${IPHONE} Twitter for iPhone/10.34`, 'X (Twitter)'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', undefined],
  ])('%s → %s', (ua, name) => {
    expect(inAppBrowserName(ua)).toBe(name);
    const reading = factsFromProbe({ userAgent: ua });
    expect(reading.inAppName).toBe(name);
    if (name) expect(reading.facts.inAppBrowser).toBe(true);
  });
});

describe('the diagnostics event, version 2', () => {
  it('turns each deeper reading into a probe fact', () => {
    const probe = parseProbe({
      version: 2,
      getUserMedia: { requested: ['camera', 'microphone'], ok: true },
      audio: { level: 'silent', peakDb: -200, clipping: false, muted: false },
      video: { frames: 'black', width: 1280, height: 720 },
      display: { available: false },
      permissionsPolicy: { camera: true, microphone: false, 'display-capture': false },
      staleDevice: { camera: true },
    });
    expect(probe).toBeDefined();
    const reading = factsFromProbe(probe!);
    expect(reading.facts).toEqual({
      audioLevel: 'silent', audioClipping: false, videoFrames: 'black', displayMediaAvailable: false,
      permissionsPolicy: { camera: true, microphone: false, displayCapture: false }, staleDevice: true,
    } satisfies Facts);
    expect(reading.policyDenies).toEqual(['microphone', 'display-capture']);
    expect(reading.staleDevice).toEqual(['camera']);
    expect(reading.video).toEqual({ frames: 'black', width: 1280, height: 720 });
  });

  it('a failed screen-share attempt alone is a screen problem with its error', () => {
    const reading = factsFromProbe(parseProbe({ display: { available: true, attempted: true, ok: false, errorName: 'NotAllowedError', errorMessage: 'Permission denied by system' } })!);
    expect(reading.facts).toMatchObject({ media: ['screen'], errorName: 'NotAllowedError', errorMessage: 'Permission denied by system', displayMediaAvailable: true });
  });

  it.each([
    ['an unknown level', { audio: { level: 'loud' } }],
    ['a check id with markup', { check: { id: '<b>x</b>' } }],
    ['a resolution as text', { video: { frames: 'ok', width: '640' } }],
  ])('refuses %s', (_what, value) => {
    expect(parseProbe(value)).toBeUndefined();
  });

  it('keeps the check id of a reading that answers a check', () => {
    expect(factsFromProbe(parseProbe({ check: { id: 'browser-site-permissions-1a2b3c4d' } })!).checkId).toBe('browser-site-permissions-1a2b3c4d');
  });
});

describe('verifying a step from a fresh reading', () => {
  const read = (value: unknown) => factsFromProbe(parseProbe(value)!);
  it.each([
    ['devices open, level and picture fine', { getUserMedia: { requested: ['camera', 'microphone'], ok: true }, audio: { level: 'ok' }, video: { frames: 'ok' } }, 'verified-fixed'],
    ['the camera opens (no frames read)', { getUserMedia: { requested: ['camera'], ok: true } }, 'verified-fixed'],
    ['still blocked', { getUserMedia: { requested: ['camera'], ok: false, errorName: 'NotAllowedError' } }, 'verified-not-fixed'],
    ['opens but silent', { getUserMedia: { requested: ['microphone'], ok: true }, audio: { level: 'silent' } }, 'verified-not-fixed'],
    ['opens but black', { getUserMedia: { requested: ['camera'], ok: true }, video: { frames: 'black' } }, 'verified-not-fixed'],
    ['a quiet microphone is working', { getUserMedia: { requested: ['microphone'], ok: true }, audio: { level: 'low' } }, 'verified-fixed'],
    ['no device test at all', { userAgent: 'x' }, 'verified-not-fixed'],
  ])('%s → %s', (_what, value, verdict) => {
    expect(verifyReading(read(value)).verdict).toBe(verdict);
  });

  it.each([
    [{ media: ['microphone'] }, [], ['microphone']],
    [{ media: ['screen'] }, ['camera'], ['camera']],
    [{ audioLevel: 'silent' }, ['camera', 'microphone'], ['microphone']],
    [{ videoFrames: 'black' }, [], ['camera']],
    [{}, [], ['camera', 'microphone']],
  ] satisfies [Facts, string[], string[]][])('checks %j (last probe %j) with %j', (facts, last, media) => {
    expect(mediaToCheck(facts, last)).toEqual(media);
  });
});
