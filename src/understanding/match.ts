import type { Facts } from '../diagnosis';
import { PREFIX_KEY, type CompiledPhrases, type Meaning, type Phrase, type TokenTest } from './compile';

/** Finding the compiled phrases in the words of a message, and the negation around them. */

export interface Match {
  start: number;
  end: number;
  meaning: Meaning;
  /** The phrase's own facts and what its slots and versions added. */
  facts: Facts[];
}

const VERSION = /^\d{1,4}(\.\d{1,4}){0,3}$/;
const NUMBER = /^\d{1,3}$/;
const NO_PHRASES: readonly Phrase[] = [];
const NO_PREFIXED: readonly (readonly [string, Phrase])[] = [];

function test(t: TokenTest, word: string, numberWords: ReadonlySet<string>, added: Facts[]): boolean {
  switch (t.kind) {
    case 'words':
      return t.words.has(word) || t.prefixes.some((p) => word.startsWith(p));
    case 'number':
      return NUMBER.test(word) || numberWords.has(word);
    case 'version':
      if (!VERSION.test(word)) return false;
      added.push(t.fact === 'osVersion' ? { osVersion: word } : { browserVersion: word });
      return true;
    case 'slot': {
      const facts = t.words.get(word) ?? t.prefixes.find(([p]) => word.startsWith(p))?.[1];
      if (facts) added.push(facts);
      return facts !== undefined;
    }
  }
}

function matchAt(phrase: Phrase, words: readonly string[], start: number, numberWords: ReadonlySet<string>): Match | undefined {
  const added: Facts[] = [];
  for (let j = 0; j < phrase.tests.length; j++) {
    const t = phrase.tests[j];
    const word = words[start + j];
    if (t === undefined || word === undefined || !test(t, word, numberWords, added)) return undefined;
  }
  const own = phrase.meaning.kind === 'facts' ? [phrase.meaning.facts] : [];
  return { start, end: start + phrase.tests.length, meaning: phrase.meaning, facts: [...own, ...added] };
}

function tryPhrase(phrase: Phrase, words: readonly string[], at: number, firstContent: number, numberWords: ReadonlySet<string>, found: Match[]): void {
  if (phrase.anchored && at !== firstContent) return;
  const match = matchAt(phrase, words, at, numberWords);
  if (match) found.push(match);
}

/**
 * Every phrase found in the words, except those lying wholly inside a longer one. An anchored
 * phrase ("^no") counts only at `firstContent`, the first word that is not filler.
 */
export function findMatches(compiled: CompiledPhrases, numberWords: ReadonlySet<string>, words: readonly string[], firstContent: number): Match[] {
  const found: Match[] = [];
  const { byFirstWord, byFirstPrefix, byFirstNumber } = compiled;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    for (const phrase of byFirstWord.get(word) ?? NO_PHRASES) tryPhrase(phrase, words, i, firstContent, numberWords, found);
    for (const [prefix, phrase] of byFirstPrefix.get(word.slice(0, PREFIX_KEY)) ?? NO_PREFIXED) {
      if (word.startsWith(prefix)) tryPhrase(phrase, words, i, firstContent, numberWords, found);
    }
    const code = word.charCodeAt(0);
    if (code >= 48 && code <= 57) for (const phrase of byFirstNumber) tryPhrase(phrase, words, i, firstContent, numberWords, found);
  }
  // A phrase inside a longer one is part of it: "chrome os" is not Chrome, "no camera found" is not "no".
  // Facts give way only to facts: "still blocked" answers a step and still says "blocked";
  // commands and answers give way to anything ("didnt help" is not the help command).
  const kept: Match[] = [];
  for (const m of found) {
    let inside = false;
    for (const o of found) {
      if (o.start <= m.start && m.end <= o.end && o.end - o.start > m.end - m.start && (o.meaning.kind === 'facts' || m.meaning.kind !== 'facts')) {
        inside = true;
        break;
      }
    }
    if (!inside) kept.push(m);
  }
  return kept;
}

export function startsWithWords(words: readonly string[], at: number, sequence: readonly string[]): boolean {
  return sequence.length > 0 && sequence.every((w, k) => words[at + k] === w);
}

export interface Negation {
  negators: ReadonlySet<string>;
  /** Words allowed between a negator and what it denies ("not on windows"). */
  bridges: ReadonlySet<string>;
}

/** "not blocked", "not on windows", "isnt the camera": the phrase is denied, not stated. */
export function negated({ negators, bridges }: Negation, words: readonly string[], start: number): boolean {
  const before = words[start - 1];
  if (before === undefined) return false;
  if (negators.has(before)) return true;
  const twoBefore = words[start - 2];
  return bridges.has(before) && twoBefore !== undefined && negators.has(twoBefore);
}
