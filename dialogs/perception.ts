import { MessageFactory, type TurnContext } from 'botbuilder';
import { factsFromProbe, forgetFacts, pendingCheck, parseProbe, type ProbeReading, type FactName, mergeFacts, restartRecord, type DiagnosticsRecord, browserNames, valueLabels, osNames } from '../src/diagnosis';
import { understand, type Understanding } from '../src/understanding';
import { inert } from './inertText';
import { texts } from './texts';

/**
 * What the bot learned from this turn, worked out once before any dialog runs: the facts in the
 * person's words (at any point, several at once), or the facts from a probe event. Dialogs read
 * it from turn state instead of parsing the text again.
 */
export interface Perception {
  understanding: Understanding;
  changed: FactName[];
  probe?: ProbeReading;
}

const PERCEPTION = Symbol('perception');
const NOTHING: Understanding = { facts: {} };

export function perceive(context: TurnContext, record: DiagnosticsRecord): { perception: Perception; record: DiagnosticsRecord } {
  const activity = context.activity;
  let perception: Perception = { understanding: NOTHING, changed: [] };

  if (activity.type === 'message' && typeof activity.text === 'string') {
    const understanding = understand(activity.text);
    // A new problem after the last one was settled starts a fresh record on the same platform.
    // Thanks and goodbyes after it was settled close politely instead.
    if (record.resolution && !understanding.command && !understanding.answer && !understanding.closing) record = restartRecord(record, true);
    perception = { understanding, changed: mergeFacts(record, understanding.facts, 'text') };
  } else if (activity.type === 'event' && activity.name === 'diagnostics') {
    const probe = parseProbe(activity.value);
    if (probe) {
      const reading = factsFromProbe(probe);
      // A check staff asked for reads the same problem, even after it was settled.
      if (record.resolution && !(reading.checkId && pendingCheck(record, reading.checkId))) record = restartRecord(record, false);
      record.probe = {
        at: new Date().toISOString(),
        version: probe.version,
        ok: reading.media?.ok,
        requested: reading.media?.requested,
        errorName: reading.media?.errorName,
        errorMessage: reading.media?.errorMessage,
        audioLevel: reading.audio?.level,
        videoFrames: reading.video?.frames,
        checkId: reading.checkId,
      };
      // Devices that now open leave no error behind: an earlier probe's error no longer describes them.
      if (reading.media?.ok && record.sources.errorName === 'probe') forgetFacts(record, ['errorName', 'errorMessage']);
      perception = { understanding: NOTHING, changed: mergeFacts(record, reading.facts, 'probe'), probe: reading };
    }
  }
  context.turnState.set(PERCEPTION, perception);
  return { perception, record };
}

export function perceived(context: TurnContext): Perception {
  const perception: unknown = context.turnState.get(PERCEPTION);
  return isPerception(perception) ? perception : { understanding: NOTHING, changed: [] };
}

function isPerception(value: unknown): value is Perception {
  return typeof value === 'object' && value !== null && 'understanding' in value && 'changed' in value;
}

/** One or two plain sentences on what the probe found, so the person knows it worked. */
export function probeSentence(reading: ProbeReading | undefined) {
  if (!reading) return MessageFactory.text(texts.probeInvalid);
  return MessageFactory.text(`${texts.probe.thanks} ${describeReading(reading, true)}`);
}

/** What a reading shows: the device attempt, then the deeper readings in one more sentence. */
export function describeReading(reading: ProbeReading, withPlatform: boolean): string {
  const { facts, media } = reading;
  const version = facts.browserVersion?.split('.')[0];
  const platform = withPlatform
    ? [facts.browser && (browserNames[facts.browser] ?? facts.browser), version && inert(version), facts.os && `on ${osNames[facts.os] ?? facts.os}`].filter(Boolean).join(' ')
    : '';
  const what = media?.requested.map((m) => valueLabels[m] ?? m).join(' and ') || valueLabels.cameraAndMicrophone || '';
  // The browser's own words, as the client sent them: repeated, never rendered.
  const error = media && !media.ok ? `${inert(media.errorName ?? 'error')}${media.errorMessage ? `: ${inert(media.errorMessage)}` : ''}` : '';
  const probe = texts.probe;
  let sentence: string;
  if (!media) sentence = platform ? `${probe.platform(platform)}${reading.display || reading.inAppName ? '' : ` ${probe.untested}`}` : reading.display ? '' : probe.untested;
  else if (media.ok) sentence = platform ? `${probe.platform(platform)} ${probe.works(what)}` : probe.works(what);
  else {
    const failed = media.errorName === 'NotAllowedError' ? probe.blocked(what, error) : probe.failed(what, error);
    sentence = platform ? probe.platformAnd(platform, failed) : capitalise(failed);
  }
  const found = deeperFindings(reading);
  return [sentence, found && `${capitalise(found)}.`].filter(Boolean).join(' ');
}

function deeperFindings(reading: ProbeReading): string {
  const f = texts.probe.found;
  const parts: string[] = [];
  if (reading.inAppName) parts.push(f.inApp(inert(reading.inAppName)));
  if (reading.policyDenies.length > 0) parts.push(f.policy(reading.policyDenies.map((p) => valueLabels[p] ?? p).join(' and ')));
  if (reading.staleDevice.length > 0) parts.push(f.stale(reading.staleDevice.map((m) => valueLabels[m] ?? m).join(' and ')));
  const audio = reading.audio;
  if (audio) {
    const level = audio.level === 'silent' ? f.micSilent : audio.level === 'low' ? f.micLow : f.micOk;
    parts.push(audio.clipping && audio.level !== 'silent' ? `${level}, ${f.micClipping}` : level);
  }
  const video = reading.video;
  if (video) {
    const size = video.width && video.height ? `${video.width}×${video.height}` : '';
    parts.push(video.frames === 'black' ? f.cameraBlack : video.frames === 'frozen' ? f.cameraFrozen : f.cameraOk(size));
  }
  const display = reading.display;
  if (display && !display.available) parts.push(f.noScreenShare);
  else if (display?.attempted) parts.push(display.ok ? f.screenShared : f.screenFailed(inert(display.errorName ?? 'error')));
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
