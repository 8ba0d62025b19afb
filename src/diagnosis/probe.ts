import { z } from 'zod';
import {
  AUDIO_LEVEL_VALUES, ERROR_NAME_VALUES, MEDIA_VALUES, PERMISSION_STATE_VALUES, VIDEO_FRAMES_VALUES,
  type AudioLevel, type Facts, type Media, type VideoFrames,
} from './facts';
import { factsFromUserAgent, inAppBrowserName } from './userAgent';

/**
 * The `diagnostics` event of SPEC §6, sent by the web page's probe (or by the conference
 * platform itself). Every field is optional; anything else in the value is ignored.
 * Version 2 adds the deeper readings (level, frames, screen, permissions policy, stale device)
 * and `check`, which marks the answer to a "Check again" request.
 */
export const PROBE_VERSION = 2;
const permission = z.enum(PERMISSION_STATE_VALUES);
const errorText = { errorName: z.string().max(100).optional(), errorMessage: z.string().max(500).optional() };
export const probeSchema = z.object({
  version: z.number().int().min(1).max(1000).optional(),
  check: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).optional(),
  userAgent: z.string().max(1000).optional(),
  userAgentData: z
    .object({
      brands: z.array(z.object({ brand: z.string().max(100), version: z.string().max(40) })).max(20).optional(),
      mobile: z.boolean().optional(),
      platform: z.string().max(100).optional(),
      platformVersion: z.string().max(40).optional(),
    })
    .optional(),
  maxTouchPoints: z.number().int().min(0).max(1000).optional(),
  secureContext: z.boolean().optional(),
  inIframe: z.boolean().optional(),
  permissions: z.object({ camera: permission.optional(), microphone: permission.optional() }).optional(),
  devices: z
    .object({
      camera: z.number().int().min(0).max(64).optional(),
      microphone: z.number().int().min(0).max(64).optional(),
      labelsVisible: z.boolean().optional(),
    })
    .optional(),
  getUserMedia: z
    .object({
      requested: z.array(z.enum(MEDIA_VALUES)).max(3).optional(),
      ok: z.boolean().optional(),
      ...errorText,
    })
    .optional(),
  audio: z
    .object({
      level: z.enum(AUDIO_LEVEL_VALUES),
      /** Loudest moment, dBFS (0 is full scale; float samples may overshoot it a little). */
      peakDb: z.number().min(-200).max(40).optional(),
      clipping: z.boolean().optional(),
      /** The track was muted by the system (not by the page) while it was read. */
      muted: z.boolean().optional(),
    })
    .optional(),
  video: z
    .object({
      frames: z.enum(VIDEO_FRAMES_VALUES),
      width: z.number().int().min(0).max(20000).optional(),
      height: z.number().int().min(0).max(20000).optional(),
    })
    .optional(),
  display: z
    .object({ available: z.boolean(), attempted: z.boolean().optional(), ok: z.boolean().optional(), ...errorText })
    .optional(),
  permissionsPolicy: z
    .object({ camera: z.boolean().optional(), microphone: z.boolean().optional(), 'display-capture': z.boolean().optional() })
    .optional(),
  staleDevice: z.object({ camera: z.boolean().optional(), microphone: z.boolean().optional() }).optional(),
});

export type ProbeResult = z.infer<typeof probeSchema>;

export interface ProbeReading {
  facts: Facts;
  /** What the single getUserMedia attempt showed, in words the bot can use. */
  media?: { requested: Media[]; ok: boolean; errorName?: string; errorMessage?: string };
  audio?: { level: AudioLevel; clipping: boolean };
  video?: { frames: VideoFrames; width?: number; height?: number };
  display?: { available: boolean; attempted: boolean; ok?: boolean; errorName?: string };
  /** Features the frame's permissions policy refuses. */
  policyDenies: ('camera' | 'microphone' | 'display-capture')[];
  staleDevice: Media[];
  /** The app whose built-in browser this is, named from the user agent. */
  inAppName?: string;
  /** Set when this reading answers a "Check again" request. */
  checkId?: string;
}

/** Parses an untrusted probe value; `undefined` when it is not a probe result at all. */
export function parseProbe(value: unknown): ProbeResult | undefined {
  const parsed = probeSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function factsFromProbe(probe: ProbeResult): ProbeReading {
  const facts: Facts = {};
  const reading: ProbeReading = { facts, policyDenies: [], staleDevice: [] };
  if (probe.check) reading.checkId = probe.check.id;
  if (probe.userAgent) {
    Object.assign(facts, factsFromUserAgent(probe.userAgent, { ...probe.userAgentData, maxTouchPoints: probe.maxTouchPoints }));
    const app = inAppBrowserName(probe.userAgent);
    if (app) reading.inAppName = app;
  }
  deeperReadings(probe, reading);
  if (probe.secureContext !== undefined) facts.secureContext = probe.secureContext;
  if (probe.inIframe !== undefined) facts.inIframe = probe.inIframe;
  if (probe.permissions && (probe.permissions.camera || probe.permissions.microphone)) {
    facts.permission = { ...probe.permissions };
  }
  if (probe.devices && Object.keys(probe.devices).length > 0) facts.devices = { ...probe.devices };

  const gum = probe.getUserMedia;
  if (!gum || gum.ok === undefined) return reading;
  const requested = gum.requested ?? [];
  if (gum.ok) {
    reading.media = { requested, ok: true };
    return reading;
  }

  if (requested.length > 0) facts.media = requested;
  const errorName = ERROR_NAME_VALUES.find((name) => name === gum.errorName);
  if (errorName) facts.errorName = errorName;
  if (gum.errorMessage) facts.errorMessage = gum.errorMessage;
  reading.media = { requested, ok: false, errorName: gum.errorName, errorMessage: gum.errorMessage };
  return reading;
}

/** Version 2's readings: each becomes a fact the rules can use, and a note for the bot's sentence. */
function deeperReadings(probe: ProbeResult, reading: ProbeReading): void {
  const { facts } = reading;
  if (probe.audio) {
    facts.audioLevel = probe.audio.level;
    facts.audioClipping = probe.audio.clipping === true;
    reading.audio = { level: probe.audio.level, clipping: probe.audio.clipping === true };
  }
  if (probe.video) {
    facts.videoFrames = probe.video.frames;
    reading.video = { frames: probe.video.frames, width: probe.video.width, height: probe.video.height };
  }
  if (probe.display) {
    facts.displayMediaAvailable = probe.display.available;
    reading.display = { available: probe.display.available, attempted: probe.display.attempted === true, ok: probe.display.ok, errorName: probe.display.errorName };
    // A screen-share attempt is the whole check when no camera or microphone was asked for.
    if (probe.display.attempted && probe.display.ok === false && !probe.getUserMedia?.requested?.length) {
      facts.media = ['screen'];
      const errorName = ERROR_NAME_VALUES.find((name) => name === probe.display?.errorName);
      if (errorName) facts.errorName = errorName;
      if (probe.display.errorMessage) facts.errorMessage = probe.display.errorMessage;
    }
  }
  const policy = probe.permissionsPolicy;
  if (policy && Object.keys(policy).length > 0) {
    facts.permissionsPolicy = {};
    if (policy.camera !== undefined) facts.permissionsPolicy.camera = policy.camera;
    if (policy.microphone !== undefined) facts.permissionsPolicy.microphone = policy.microphone;
    if (policy['display-capture'] !== undefined) facts.permissionsPolicy.displayCapture = policy['display-capture'];
    for (const feature of ['camera', 'microphone', 'display-capture'] as const) if (policy[feature] === false) reading.policyDenies.push(feature);
  }
  if (probe.staleDevice) {
    for (const medium of ['camera', 'microphone'] as const) if (probe.staleDevice[medium]) reading.staleDevice.push(medium);
    facts.staleDevice = reading.staleDevice.length > 0;
  }
}
