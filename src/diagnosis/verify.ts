import type { Facts, Media } from './facts';
import type { ProbeReading } from './probe';

/**
 * Which steps the probe can check by itself, and whether a fresh reading shows the problem gone.
 * A step is verifiable when its whole point is that the browser can open (and hear or see) the
 * device: permissions, a busy or missing device, a stale choice, a silent microphone, a black
 * camera. Advice about the network, the platform or the person's habits is not.
 */
export const VERIFIABLE_STEPS: ReadonlySet<string> = new Set([
  'browser-site-permissions', 'permission-prompt-dismissed', 'reset-permissions-restart',
  'os-permissions-macos', 'os-permissions-windows', 'os-permissions-android', 'os-permissions-ios',
  'os-privacy-settings', 'firefox-macos-os-permission', 'enterprise-policy',
  'close-other-apps', 'no-device-detected', 'device-reselect', 'select-different-device',
  'microphone-level', 'camera-black-picture',
]);

export type Verdict = 'verified-fixed' | 'verified-not-fixed';

export interface Verification {
  verdict: Verdict;
  /** The devices the check looked at. */
  media: Media[];
}

/**
 * The devices a check of this problem should open: the ones reported broken, else the ones the
 * probe found wanting, else what the last probe opened, else both.
 */
export function mediaToCheck(facts: Facts, lastRequested: readonly string[] = []): Media[] {
  const devices = (list: readonly string[]) => list.filter((m): m is Media => m === 'camera' || m === 'microphone');
  const reported = devices(facts.media ?? []);
  if (reported.length > 0) return reported;
  const found: Media[] = [];
  if (facts.videoFrames === 'black' || facts.videoFrames === 'frozen') found.push('camera');
  if (facts.audioLevel === 'silent' || facts.audioLevel === 'low') found.push('microphone');
  if (found.length > 0) return found;
  const last = devices(lastRequested);
  return last.length > 0 ? last : ['camera', 'microphone'];
}

export function isVerifiable(adviceId: string): boolean {
  return VERIFIABLE_STEPS.has(adviceId);
}

/**
 * Fixed means every device the check asked for opened, the microphone was not silent and the
 * camera not black. Anything less (or a reading that did not test the devices) is not fixed.
 */
export function verifyReading(reading: ProbeReading): Verification {
  const media = reading.media?.requested.filter((m) => m !== 'screen') ?? [];
  const opened = reading.media?.ok === true && media.length > 0;
  const heard = !media.includes('microphone') || reading.audio?.level !== 'silent';
  const seen = !media.includes('camera') || (reading.video?.frames !== 'black' && reading.video?.frames !== 'frozen');
  return { verdict: opened && heard && seen ? 'verified-fixed' : 'verified-not-fixed', media };
}
