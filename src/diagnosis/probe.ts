import { z } from 'zod';
import { ERROR_NAME_VALUES, MEDIA_VALUES, PERMISSION_STATE_VALUES, type Facts, type Media } from './facts';
import { factsFromUserAgent } from './userAgent';

/**
 * The `diagnostics` event of SPEC §6, sent by the web page's probe (or by the conference
 * platform itself). Every field is optional; anything else in the value is ignored.
 */
const permission = z.enum(PERMISSION_STATE_VALUES);
export const probeSchema = z.object({
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
      errorName: z.string().max(100).optional(),
      errorMessage: z.string().max(500).optional(),
    })
    .optional(),
});

export type ProbeResult = z.infer<typeof probeSchema>;

export interface ProbeReading {
  facts: Facts;
  /** What the single getUserMedia attempt showed, in words the bot can use. */
  media?: { requested: Media[]; ok: boolean; errorName?: string; errorMessage?: string };
}

/** Parses an untrusted probe value; `undefined` when it is not a probe result at all. */
export function parseProbe(value: unknown): ProbeResult | undefined {
  const parsed = probeSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function factsFromProbe(probe: ProbeResult): ProbeReading {
  const facts: Facts = {};
  if (probe.userAgent) {
    Object.assign(facts, factsFromUserAgent(probe.userAgent, { ...probe.userAgentData, maxTouchPoints: probe.maxTouchPoints }));
  }
  if (probe.secureContext !== undefined) facts.secureContext = probe.secureContext;
  if (probe.inIframe !== undefined) facts.inIframe = probe.inIframe;
  if (probe.permissions && (probe.permissions.camera || probe.permissions.microphone)) {
    facts.permission = { ...probe.permissions };
  }
  if (probe.devices && Object.keys(probe.devices).length > 0) facts.devices = { ...probe.devices };

  const gum = probe.getUserMedia;
  if (!gum || gum.ok === undefined) return { facts };
  const requested = gum.requested ?? [];
  if (gum.ok) return { facts, media: { requested, ok: true } };

  if (requested.length > 0) facts.media = requested;
  const errorName = ERROR_NAME_VALUES.find((name) => name === gum.errorName);
  if (errorName) facts.errorName = errorName;
  if (gum.errorMessage) facts.errorMessage = gum.errorMessage;
  return { facts, media: { requested, ok: false, errorName: gum.errorName, errorMessage: gum.errorMessage } };
}
