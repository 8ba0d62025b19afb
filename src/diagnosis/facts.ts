import { z } from 'zod';
import { FactsError } from '../errors';
import { firstIssue } from '../validation';

/**
 * The facts of SPEC §4: the input of diagnosis. Every fact is optional; unknown is absent,
 * never guessed. The string-literal unions below are the single source of the values.
 */
export const OS_VALUES = ['windows', 'macos', 'linux', 'chromeos', 'android', 'ios', 'ipados', 'other'] as const;
export const BROWSER_VALUES = ['chrome', 'edge', 'firefox', 'safari', 'opera', 'samsung', 'brave', 'ie', 'other'] as const;
export const DEVICE_TYPE_VALUES = ['desktop', 'mobile', 'tablet'] as const;
export const MEDIA_VALUES = ['camera', 'microphone', 'screen'] as const;
export const SYMPTOM_VALUES = [
  'permission-denied', 'no-prompt', 'not-found', 'in-use', 'no-video', 'no-audio',
  'poor-quality', 'screen-share-failed', 'other',
] as const;
export const ERROR_NAME_VALUES = [
  'NotAllowedError', 'NotFoundError', 'NotReadableError', 'OverconstrainedError',
  'AbortError', 'SecurityError', 'InvalidStateError', 'TypeError',
] as const;
export const PERMISSION_STATE_VALUES = ['granted', 'denied', 'prompt'] as const;
export const ROLE_VALUES = ['presenter', 'attendee'] as const;
/** What the probe's ~3 s level reading of the microphone found. */
export const AUDIO_LEVEL_VALUES = ['silent', 'low', 'ok'] as const;
/** What a few frames of the camera showed. */
export const VIDEO_FRAMES_VALUES = ['black', 'frozen', 'ok'] as const;

/** Advice ids of SPEC §4.1. The rules may add more; these must always exist. */
export const SPEC_ADVICE_IDS = [
  'platform-safari-too-old', 'platform-ios-browsers-are-safari', 'platform-unsupported-browser',
  'platform-unsupported-os', 'platform-mobile-livestream', 'close-other-apps',
  'browser-site-permissions', 'os-permissions-macos', 'os-permissions-macos-screen-recording',
  'os-permissions-ios', 'select-different-device', 'test-call', 'reset-permissions-restart',
  'support-record', 'escalate-to-staff',
  'os-permissions-windows', 'os-permissions-android', 'insecure-context', 'iframe-permissions-policy',
  'permission-prompt-dismissed', 'firefox-macos-os-permission', 'screen-share-unsupported-mobile',
  'screen-share-cancelled', 'linux-wayland-screen-share', 'enterprise-policy',
  'no-device-detected', 'device-reselect',
] as const;

/** Advice ids are kebab-case data ids; rules may define ids beyond SPEC_ADVICE_IDS. */
export const adviceIdSchema = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a kebab-case advice id').max(80);

const versionSchema = z.string().trim().regex(/^\d+(\.\d+){0,3}$/, 'must be a version like "14.4"').max(20);

export const factsSchema = z
  .object({
    os: z.enum(OS_VALUES),
    osVersion: versionSchema,
    browser: z.enum(BROWSER_VALUES),
    browserVersion: versionSchema,
    inAppBrowser: z.boolean(),
    deviceType: z.enum(DEVICE_TYPE_VALUES),
    media: z.array(z.enum(MEDIA_VALUES)).max(MEDIA_VALUES.length),
    symptom: z.enum(SYMPTOM_VALUES),
    errorName: z.enum(ERROR_NAME_VALUES),
    errorMessage: z.string().max(500),
    permission: z
      .object({ camera: z.enum(PERMISSION_STATE_VALUES), microphone: z.enum(PERMISSION_STATE_VALUES) })
      .partial()
      .strict(),
    devices: z
      .object({
        camera: z.number().int().min(0).max(64),
        microphone: z.number().int().min(0).max(64),
        labelsVisible: z.boolean(),
      })
      .partial()
      .strict(),
    secureContext: z.boolean(),
    inIframe: z.boolean(),
    liveConference: z.boolean(),
    role: z.enum(ROLE_VALUES),
    liveStream: z.boolean(),
    urgent: z.boolean(),
    humanRequested: z.boolean(),
    stepsTried: z.array(adviceIdSchema).max(100),
    // Beyond SPEC §4: what the deeper probe (and the person's own words) can tell.
    /** The computer or browser is managed by an employer or school (policies may block capture). */
    managedDevice: z.boolean(),
    audioLevel: z.enum(AUDIO_LEVEL_VALUES),
    audioClipping: z.boolean(),
    videoFrames: z.enum(VIDEO_FRAMES_VALUES),
    /** The camera or microphone saved as the chosen one is gone, while others exist. */
    staleDevice: z.boolean(),
    /** The frame's permissions policy: may this page use each feature at all? */
    permissionsPolicy: z.object({ camera: z.boolean(), microphone: z.boolean(), displayCapture: z.boolean() }).partial().strict(),
    displayMediaAvailable: z.boolean(),
  })
  .partial()
  .strict();

export type Facts = z.infer<typeof factsSchema>;
export type FactName = keyof Facts;
export type OperatingSystem = (typeof OS_VALUES)[number];
export type Browser = (typeof BROWSER_VALUES)[number];
export type DeviceType = (typeof DEVICE_TYPE_VALUES)[number];
export type Media = (typeof MEDIA_VALUES)[number];
export type Symptom = (typeof SYMPTOM_VALUES)[number];
export type ErrorName = (typeof ERROR_NAME_VALUES)[number];
export type Role = (typeof ROLE_VALUES)[number];
export type AudioLevel = (typeof AUDIO_LEVEL_VALUES)[number];
export type VideoFrames = (typeof VIDEO_FRAMES_VALUES)[number];
export type SpecAdviceId = (typeof SPEC_ADVICE_IDS)[number];

export const FACT_NAMES = Object.keys(factsSchema.shape) as FactName[];

/** Validates untrusted input (HTTP bodies, CLI flags) as facts; the error names the first bad field. */
export function parseFacts(input: unknown): Facts {
  const result = factsSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = firstIssue(result.error);
  const field = issue.path || issue.unknownKeys.join(', ') || '(body)';
  const message = issue.unknownKeys.length
    ? `unknown fact "${issue.unknownKeys.join('", "')}"`
    : `${field}: ${issue.message}`;
  throw new FactsError(issue.unknownKeys.length ? issue.unknownKeys.join(', ') : field, message);
}
