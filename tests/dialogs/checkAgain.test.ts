import { describe, expect, it } from 'vitest';
import { texts as botTexts } from '../../dialogs/texts';
import { adviceIds, buttons, dialogHarness, probeRuns } from '../helpers/dialogs';

const textOf = (replies: { text?: string }[]) => replies.map((r) => r.text ?? '').join('\n');
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

/** The page's probe event from Chrome on a Mac (version 2), as the answer to the check `check` if given. */
const probeEvent = (readings: Record<string, unknown>, check?: string) => ({
  type: 'event',
  name: 'diagnostics',
  value: {
    version: 2,
    ...(check ? { check: { id: check } } : {}),
    userAgent: CHROME_MAC,
    secureContext: true,
    ...readings,
  },
});
const blockedCamera = (check?: string) =>
  probeEvent({
    inIframe: false,
    permissions: { camera: 'denied' },
    devices: { camera: 1, microphone: 1, labelsVisible: false },
    getUserMedia: { requested: ['camera'], ok: false, errorName: 'NotAllowedError', errorMessage: 'Permission denied' },
  }, check);
const workingCamera = (check: string) =>
  probeEvent({
    permissions: { camera: 'granted' },
    devices: { camera: 1, microphone: 1, labelsVisible: true },
    getUserMedia: { requested: ['camera'], ok: true },
    video: { frames: 'ok', width: 640, height: 480 },
  }, check);

/** A probe showing the camera blocked, then "not live": the first step, which the probe can verify. */
async function blockedAndAdvised() {
  const h = dialogHarness();
  const first = await h.say(blockedCamera());
  const step = first.concat(await h.say('No, later'));
  return { h, step };
}

describe('Check again: the probe verifies a step by itself', () => {
  it('offers Check again beside the outcome buttons on a step the probe can verify', async () => {
    const { step } = await blockedAndAdvised();
    expect(adviceIds(step)).toContain('browser-site-permissions');
    expect(buttons(step.at(-1))).toEqual(['That fixed it', "Didn't help", 'Already tried', 'Check again', 'Talk to a person']);
    expect(textOf(step)).toMatch(/Step 1 of \d+:/);
  });

  it('re-runs the probe, and when the problem is gone says so, records verified-fixed and finishes', async () => {
    const { h } = await blockedAndAdvised();
    const asked = await h.say('Check again');
    expect(textOf(asked)).toContain(botTexts.check.running);
    const [run] = probeRuns(asked);
    expect(run).toMatchObject({ media: ['camera'], ask: false, id: expect.stringMatching(/^browser-site-permissions-/) });

    const answered = await h.say(workingCamera(run!.id));
    expect(textOf(answered)).toBe(botTexts.check.fixed('camera'));
    const record = await h.record();
    expect(record.steps).toEqual([expect.objectContaining({ adviceId: 'browser-site-permissions', outcome: 'verified-fixed' })]);
    expect(record.resolution).toBe('fixed');
    expect(record.checks).toEqual([expect.objectContaining({ id: run!.id, requestedBy: 'person', adviceId: 'browser-site-permissions', verdict: 'verified-fixed' })]);
    // The old error no longer describes the camera.
    expect(record.facts.errorName).toBeUndefined();
    // The card shows the verified outcome.
    const card = await h.say('diagnostics');
    expect(JSON.stringify(card[0]?.attachments?.[0]?.content)).toContain('Fixed, confirmed by the check');
  });

  it('when the check still fails: records verified-not-fixed, says what it sees, and gives the next step unasked', async () => {
    const { h } = await blockedAndAdvised();
    const [run] = probeRuns(await h.say('Check again'));
    const answered = await h.say(blockedCamera(run!.id));
    expect(textOf(answered)).toMatch(/^The check still shows a problem: your browser blocked the camera/i);
    expect(textOf(answered)).toContain("Let's try the next step.");
    const next = adviceIds(answered);
    expect(next).toHaveLength(1);
    expect(next[0]).not.toBe('browser-site-permissions');
    const record = await h.record();
    expect(record.steps).toEqual([expect.objectContaining({ adviceId: 'browser-site-permissions', outcome: 'verified-not-fixed' })]);
    expect(record.facts.stepsTried).toEqual(['browser-site-permissions']);
    expect(record.checks?.[0]?.verdict).toBe('verified-not-fixed');
  });

  it('offers no Check again where no page has run the probe, and says so when asked', async () => {
    const h = dialogHarness();
    await h.say('my camera says permission denied');
    await h.say('No, later');
    await h.say('Windows PC');
    const step = await h.say('chrome');
    expect(buttons(step.at(-1))).not.toContain('Check again');
    const asked = await h.say('check again');
    expect(probeRuns(asked)).toEqual([]);
    expect(textOf(asked)).toBe(botTexts.check.cannotRun);
  });

  it('verifies a silent microphone: silent is not fixed, a level reading is', async () => {
    const h = dialogHarness();
    const silent = (check?: string, level = 'silent') =>
      probeEvent({
        permissions: { microphone: 'granted' },
        devices: { camera: 1, microphone: 1, labelsVisible: true },
        getUserMedia: { requested: ['microphone'], ok: true },
        audio: { level, peakDb: level === 'silent' ? -200 : -12, clipping: false },
      }, check);
    const first = await h.say(silent());
    expect(textOf(first)).toMatch(/Your microphone started fine in this browser\. Your microphone picked up no sound at all\./);
    const step = first.concat(await h.say('No, later'));
    expect(adviceIds(step)[0]).toBe('microphone-level');
    expect(buttons(step.at(-1))).toContain('Check again');
    const [run] = probeRuns(await h.say('Check again'));
    expect(run?.media).toEqual(['microphone']);
    const done = await h.say(silent(run!.id, 'ok'));
    expect(textOf(done)).toBe(botTexts.check.fixed('microphone'));
    expect((await h.record()).steps.at(-1)?.outcome).toBe('verified-fixed');
  });
});
