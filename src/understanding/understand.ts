import type { FactName, Facts } from '../diagnosis';
import { chooseFrom } from './choice';
import { compilePhrases } from './compile';
import { findMatches, negated, startsWithWords, type Match, type Negation } from './match';
import { contract, rawWords } from './normalise';
import { PhraseDataError, parsePhraseData } from './phraseData';
import { createTypoCorrector } from './typos';
import { LRUCache } from 'lru-cache';
import { ANSWERS, SINGLE_FACTS, type Answer, type Choice, type Command, type SingleFact, type Understanding } from './types';

/**
 * Rules, in the order they apply (see also the notes at the top of the phrase data):
 * - Facts: every phrase found adds its facts; a phrase inside a longer phrase is ignored; a
 *   phrase right after a negator is ignored; a single-valued fact given two values is left out.
 *   Nothing found means no facts: nothing is guessed.
 * - Commands: a message is a command only when it is essentially that command: it has a
 *   command phrase, no facts, and at most two other words that are not filler ("help",
 *   "can I talk to a person please", but not "please help, my camera is blocked"). The one
 *   exception is an explicit request for a person ("I need to talk to someone from support"),
 *   honoured anywhere, because nobody asking for staff should be held back by the bot.
 * - Answers (for step and question buttons): any answer phrase in a message of at most eight
 *   words, or one that opens a longer message. The first of fixed, not-fixed, already-tried,
 *   dont-know, yes, no that is present wins; "fixed" is not read from a message that still
 *   describes a symptom. No answer is given when the message is a command.
 */

const SHORT_MESSAGE_WORDS = 8;
/** How many readings are remembered, and the longest message remembered (longer ones are rarely sent twice). */
const MEMO_ENTRIES = 1000;
const MEMO_TEXT_MAX = 160;
const COMMAND_EXTRA_WORDS = 2;

/** Ordinary chat text read with one set of phrase data. */
export interface Understander {
  /** Facts, a command, an answer, ambiguities and closings in one message. */
  understand(text: string): Understanding;
  /** The value of the choice a typed reply picks, or undefined when it picks none or several. */
  understandChoice(text: string, choices: readonly Choice[]): string | undefined;
}

type Conflicts = Map<FactName, Set<string>>;

function mergeOne<K extends SingleFact>(into: Facts, from: Facts, key: K, conflicts: Conflicts): void {
  const value = from[key];
  if (value === undefined) return;
  const previous = into[key];
  if (previous === undefined) into[key] = value;
  else if (previous !== value) {
    const values = conflicts.get(key) ?? new Set([String(previous)]);
    values.add(String(value));
    conflicts.set(key, values);
  }
}

function mergeInto(into: Facts, from: Facts, conflicts: Conflicts): void {
  for (const key of SINGLE_FACTS) mergeOne(into, from, key, conflicts);
  if (from.media) into.media = into.media ? [...new Set([...into.media, ...from.media])] : [...from.media];
}

function answerOf(matches: readonly Match[], short: boolean, firstContent: number, facts: Facts): Answer | undefined {
  let best: Answer | undefined;
  for (const m of matches) {
    if (m.meaning.kind !== 'answer' || !(short || m.start === firstContent)) continue;
    // Someone still describing a symptom is not reporting a fix ("it worked yesterday but now it is blocked").
    if (m.meaning.answer === 'fixed' && facts.symptom) continue;
    if (best === undefined || ANSWERS.indexOf(m.meaning.answer) < ANSWERS.indexOf(best)) best = m.meaning.answer;
  }
  return best;
}

/**
 * Checks and compiles phrase data (the shape of rules/language/phrases.json) once; the
 * returned functions only read what was compiled. `source` names the data in a PhraseDataError.
 */
export function createUnderstanding(phrases: unknown, source = 'phrase data'): Understander {
  const data = parsePhraseData(phrases, source);
  const contractions = new Map<string, string>(Object.entries(data.normalise.contractions));
  const numberWords = new Set(data.normalise.numbers);
  const filler = new Set(data.normalise.filler);
  const negation: Negation = { negators: new Set(data.negation.negators), bridges: new Set(data.negation.bridges) };
  const closingStrong = new Set(data.closing.strong);
  const closingWords = new Set([...data.closing.strong, ...data.closing.also]);
  const compiled = compilePhrases(data, contractions, source);
  const mediaWorks = data.negation.mediaWorks.map((phrase) => contract(rawWords(phrase), contractions));

  for (const word of data.normalise.typos) {
    const used = compiled.phraseWords.has(word) || contractions.has(word) || compiled.phrasePrefixes.some((p) => word.startsWith(p));
    if (!used) throw new PhraseDataError(source, `normalise.typos: "${word}" is in no phrase`);
  }
  const correct = createTypoCorrector({
    targets: data.normalise.typos,
    protectedWords: new Set([...compiled.phraseWords, ...filler, ...data.normalise.keep, ...numberWords, ...contractions.values(), ...contractions.keys()]),
    prefixes: compiled.phrasePrefixes,
  });

  /** The words of a message as the phrases see them. */
  const wordsOf = (text: string, typos: boolean) => {
    const words = rawWords(text);
    return contract(typos ? words.map(correct) : words, contractions);
  };

  /** Thanks and goodbyes only: every word is one of them (or filler), and at least one is a real one. */
  function isClosing(words: readonly string[]): boolean {
    let strong = false;
    for (const word of words) {
      if (closingStrong.has(word)) strong = true;
      else if (!closingWords.has(word) && !filler.has(word)) return false;
    }
    return strong;
  }

  function commandOf(matches: readonly Match[], words: readonly string[], hasFacts: boolean): Command | undefined {
    let alone: Command | undefined;
    for (const m of matches) {
      if (m.meaning.kind !== 'command') continue;
      if (m.meaning.anywhere) return m.meaning.command;
      if (hasFacts || alone) continue;
      let others = 0;
      for (let i = 0; i < words.length; i++) if ((i < m.start || i >= m.end) && !filler.has(words[i] ?? '')) others++;
      if (others <= COMMAND_EXTRA_WORDS) alone = m.meaning.command;
    }
    return alone;
  }

  /**
   * Readings of recent messages, frozen so no caller can change what the next one gets. A turn
   * reads its text two or three times (perception, follow-ups, the hand-off), and most messages
   * are a button's words ("Didn't help"), so a short memory answers most of them.
   */
  const recent = new LRUCache<string, Understanding>({ max: MEMO_ENTRIES });

  function understand(text: string): Understanding {
    if (text.length > MEMO_TEXT_MAX) return read(text);
    let understanding = recent.get(text);
    if (!understanding) recent.set(text, (understanding = deepFreeze(read(text))));
    return understanding;
  }

  function read(text: string): Understanding {
    const words = wordsOf(text, true);
    let firstContent = 0;
    while (firstContent < words.length - 1 && filler.has(words[firstContent] ?? '')) firstContent++;
    const matches = findMatches(compiled, numberWords, words, firstContent);

    const facts: Facts = {};
    const conflicts: Conflicts = new Map();
    for (const match of matches) {
      if (match.meaning.kind !== 'facts' || negated(negation, words, match.start)) continue;
      // "my camera is fine but nobody can hear me": the camera is not what is broken.
      if (match.meaning.media && mediaWorks.some((sequence) => startsWithWords(words, match.end, sequence))) continue;
      for (const f of match.facts) mergeInto(facts, f, conflicts);
    }
    for (const key of conflicts.keys()) delete facts[key];
    if (facts.errorName) {
      const pasted = compiled.pastedError.exec(text);
      const name = pasted?.[1] === undefined ? undefined : compiled.errorNames.get(pasted[1].toLowerCase())?.errorName;
      const message = pasted?.[2]?.trim();
      if (name === facts.errorName && message) facts.errorMessage = message;
    }

    const result: Understanding = { facts };
    // Only facts people choose between are asked about; a pasted error message is not one of them.
    const ambiguous = [...conflicts].filter(([fact]) => fact !== 'errorMessage').map(([fact, values]) => ({ fact, values: [...values] }));
    if (ambiguous.length > 0) result.ambiguous = ambiguous;
    if (Object.keys(facts).length === 0 && isClosing(words)) result.closing = true;
    const command = commandOf(matches, words, Object.keys(facts).length > 0);
    if (command) {
      result.command = command;
      return result;
    }
    const answer = answerOf(matches, words.length <= SHORT_MESSAGE_WORDS, firstContent, facts);
    if (answer) result.answer = answer;
    return result;
  }

  return {
    understand,
    understandChoice: (text, choices) => chooseFrom(text, choices, (s) => wordsOf(s, false), negation),
  };
}

/** `value` and everything it holds made read-only: a remembered reading is shared by every turn that sends the same words. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
