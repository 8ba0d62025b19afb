import { MessageFactory, type TurnContext } from 'botbuilder';
import { factsFromProbe, parseProbe, type ProbeReading, type FactName, mergeFacts, restartRecord, type DiagnosticsRecord } from '../src/diagnosis';
import { understand, type Understanding } from '../src/understanding';
import { inert } from './inertText';
import { browserNames, labels, osNames, texts } from './texts';

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
    if (record.resolution && !understanding.command && !understanding.answer) record = restartRecord(record, true);
    perception = { understanding, changed: mergeFacts(record, understanding.facts, 'text') };
  } else if (activity.type === 'event' && activity.name === 'diagnostics') {
    const probe = parseProbe(activity.value);
    if (probe) {
      const reading = factsFromProbe(probe);
      if (record.resolution) record = restartRecord(record, false);
      record.probe = {
        at: new Date().toISOString(),
        ok: reading.media?.ok,
        requested: reading.media?.requested,
        errorName: reading.media?.errorName,
        errorMessage: reading.media?.errorMessage,
      };
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

/** One sentence on what the probe found, so the person knows it worked. */
export function probeSentence(reading: ProbeReading | undefined) {
  if (!reading) return MessageFactory.text(texts.probeInvalid);
  const { facts, media } = reading;
  const version = facts.browserVersion?.split('.')[0];
  const platform = [facts.browser && (browserNames[facts.browser] ?? facts.browser), version && inert(version), facts.os && `on ${osNames[facts.os] ?? facts.os}`]
    .filter(Boolean)
    .join(' ');
  const what = media?.requested.map((m) => labels[m] ?? m).join(' and ') || labels.cameraAndMicrophone || '';
  // The browser's own words, as the client sent them: repeated, never rendered.
  const error = media && !media.ok ? `${inert(media.errorName ?? 'error')}${media.errorMessage ? `: ${inert(media.errorMessage)}` : ''}` : '';
  const probe = texts.probe;
  let sentence: string;
  if (!media) sentence = platform ? `${probe.platform(platform)} ${probe.untested}` : probe.untested;
  else if (media.ok) sentence = platform ? `${probe.platform(platform)} ${probe.works(what)}` : probe.works(what);
  else {
    const failed = media.errorName === 'NotAllowedError' ? probe.blocked(what, error) : probe.failed(what, error);
    sentence = platform ? probe.platformAnd(platform, failed) : failed.charAt(0).toUpperCase() + failed.slice(1);
  }
  return MessageFactory.text(`${probe.thanks} ${sentence}`);
}
