import { factsSchema, type Facts } from '../diagnosis';
import { PhraseDataError, describeIssue, type PhraseData } from './phraseData';
import { ANSWERS, COMMANDS, SINGLE_FACTS, type Answer, type Command } from './types';

/**
 * Phrase sources ("no {media} found|detected", "share|sharing my|the? screen") compiled into
 * word tests, indexed by the words a phrase can start with, so a message costs one pass over
 * its words.
 */

type VersionFact = 'osVersion' | 'browserVersion';
export type TokenTest =
  | { kind: 'words'; words: ReadonlySet<string>; prefixes: readonly string[] }
  | { kind: 'slot'; words: ReadonlyMap<string, Facts>; prefixes: readonly (readonly [string, Facts])[] }
  | { kind: 'number' }
  | { kind: 'version'; fact: VersionFact };

export type Meaning =
  | { kind: 'facts'; facts: Facts; media: boolean }
  | { kind: 'command'; command: Command; anywhere: boolean }
  | { kind: 'answer'; answer: Answer };

export interface Phrase {
  tests: readonly TokenTest[];
  anchored: boolean;
  meaning: Meaning;
}

export interface CompiledPhrases {
  /** Phrases by the words they can start with, so each word of a message looks only at its own candidates. */
  byFirstWord: ReadonlyMap<string, readonly Phrase[]>;
  /** Prefix phrases ("freez*") by their first PREFIX_KEY letters. */
  byFirstPrefix: ReadonlyMap<string, readonly (readonly [string, Phrase])[]>;
  /** Phrases that start with a number or a version. */
  byFirstNumber: readonly Phrase[];
  /** Every word and prefix the phrases use: such words are never "corrected" into another. */
  phraseWords: ReadonlySet<string>;
  phrasePrefixes: readonly string[];
  /** The facts of each one-word error name ("notallowederror"), for reading a pasted error message. */
  errorNames: ReadonlyMap<string, Facts>;
  /** "NotAllowedError: <message>" for the error names the data knows. */
  pastedError: RegExp;
}

export const PREFIX_KEY = 3;
const WORD = /^[\p{L}\p{N}]+$/u;

/** Compiles checked phrase data; a phrase the matcher could never match is a PhraseDataError. */
export function compilePhrases(data: PhraseData, contractions: ReadonlyMap<string, string>, source: string): CompiledPhrases {
  const fail = (detail: string) => new PhraseDataError(source, detail);
  const phraseWords = new Set<string>();
  const phrasePrefixes: string[] = [];
  /** One-word synonyms per fact value, for `{media}`-style slots. */
  const slotWords = new Map<string, Map<string, Facts>>();
  const slotPrefixes = new Map<string, [string, Facts][]>();

  /** Facts from the data, validated against SPEC §4 and limited to what merging knows. */
  function checkedFacts(raw: unknown, where: string): Facts {
    const parsed = factsSchema.safeParse(raw);
    if (!parsed.success) throw fail(`${where}: ${parsed.error.issues[0] ? describeIssue(parsed.error.issues[0]) : 'invalid facts'}`);
    for (const key of Object.keys(parsed.data)) {
      if (key !== 'media' && !SINGLE_FACTS.some((f) => f === key)) throw fail(`${where}: fact "${key}" cannot come from text`);
    }
    return parsed.data;
  }

  function compileTest(token: string, where: string): TokenTest {
    const slot = /^\{(\w+)\}$/.exec(token)?.[1];
    if (slot === 'n') return { kind: 'number' };
    if (slot === 'osVersion' || slot === 'browserVersion') return { kind: 'version', fact: slot };
    if (slot !== undefined) {
      const words = slotWords.get(slot);
      if (!words) throw fail(`${where}: unknown slot {${slot}}`);
      return { kind: 'slot', words, prefixes: slotPrefixes.get(slot) ?? [] };
    }
    const words = new Set<string>();
    const prefixes: string[] = [];
    for (const alternative of token.split('|')) {
      const prefix = alternative.endsWith('*');
      const word = prefix ? alternative.slice(0, -1) : alternative;
      if (!WORD.test(word) || word !== word.toLowerCase()) throw fail(`${where}: "${alternative}" is not a lower-case word`);
      const folded = contractions.get(word);
      if (folded !== undefined) throw fail(`${where}: "${word}" never survives normalising; write "${folded}"`);
      if (prefix) {
        if (word.length < PREFIX_KEY) throw fail(`${where}: "${alternative}" is too short a prefix`);
        prefixes.push(word);
        phrasePrefixes.push(word);
      } else words.add(word);
      phraseWords.add(word);
    }
    return { kind: 'words', words, prefixes };
  }

  /** One phrase source as every variant of its optional words. */
  function compilePhrase(phraseSource: string, meaning: Meaning, where: string): Phrase[] {
    const anchored = phraseSource.startsWith('^');
    const tokens = (anchored ? phraseSource.slice(1) : phraseSource).trim().split(/\s+/);
    let variants: TokenTest[][] = [[]];
    tokens.forEach((token, i) => {
      const optional = token.length > 1 && token.endsWith('?');
      const test = compileTest(optional ? token.slice(0, -1) : token, `${where} "${phraseSource}"`);
      const pair = tokens[i + 1];
      if (pair !== undefined && contractions.has(`${token} ${pair}`)) {
        throw fail(`${where} "${phraseSource}": "${token} ${pair}" never survives normalising; write "${contractions.get(`${token} ${pair}`)}"`);
      }
      variants = variants.flatMap((v) => (optional ? [v, [...v, test]] : [[...v, test]]));
    });
    return variants.filter((v) => v.length > 0).map((tests) => ({ tests, anchored, meaning }));
  }

  const phrases: Phrase[] = [];
  for (const [fact, table] of Object.entries(data.values)) {
    const words = new Map<string, Facts>();
    const prefixes: [string, Facts][] = [];
    for (const [value, sources] of Object.entries(table)) {
      const facts = checkedFacts(fact === 'media' ? { media: [value] } : { [fact]: value }, `values.${fact}.${value}`);
      for (const phraseSource of sources) {
        // One-word synonyms also fill `{fact}` slots in other phrases.
        if (WORD.test(phraseSource)) words.set(phraseSource, facts);
        else if (/^[\p{L}\p{N}]+\*$/u.test(phraseSource)) prefixes.push([phraseSource.slice(0, -1), facts]);
        phrases.push(...compilePhrase(phraseSource, { kind: 'facts', facts, media: fact === 'media' }, `values.${fact}.${value}`));
      }
    }
    slotWords.set(fact, words);
    slotPrefixes.set(fact, prefixes);
  }
  data.phrases.forEach((entry, i) => {
    const facts = checkedFacts(entry.facts, `phrases[${i}]`);
    for (const phraseSource of entry.say) phrases.push(...compilePhrase(phraseSource, { kind: 'facts', facts, media: false }, `phrases[${i}]`));
  });
  for (const command of COMMANDS) {
    const { alone, anywhere = [] } = data.commands[command];
    for (const phraseSource of alone) phrases.push(...compilePhrase(phraseSource, { kind: 'command', command, anywhere: false }, `commands.${command}`));
    for (const phraseSource of anywhere) phrases.push(...compilePhrase(phraseSource, { kind: 'command', command, anywhere: true }, `commands.${command}`));
  }
  for (const answer of ANSWERS) {
    for (const phraseSource of data.answers[answer]) phrases.push(...compilePhrase(phraseSource, { kind: 'answer', answer }, `answers.${answer}`));
  }

  const byFirstWord = new Map<string, Phrase[]>();
  const byFirstPrefix = new Map<string, (readonly [string, Phrase])[]>();
  const byFirstNumber: Phrase[] = [];
  for (const phrase of phrases) {
    const first = phrase.tests[0];
    if (!first) continue;
    if (first.kind === 'number' || first.kind === 'version') byFirstNumber.push(phrase);
    else {
      for (const word of first.words.keys()) {
        const list = byFirstWord.get(word);
        if (list) list.push(phrase);
        else byFirstWord.set(word, [phrase]);
      }
      for (const entry of first.prefixes) {
        const prefix = typeof entry === 'string' ? entry : entry[0];
        const key = prefix.slice(0, PREFIX_KEY);
        byFirstPrefix.set(key, [...(byFirstPrefix.get(key) ?? []), [prefix, phrase]]);
      }
    }
  }

  const errorNames = new Map<string, Facts>();
  for (const phrase of phrases) {
    const [only, ...rest] = phrase.tests;
    if (phrase.meaning.kind !== 'facts' || !phrase.meaning.facts.errorName || rest.length > 0 || only?.kind !== 'words') continue;
    for (const word of only.words) if (word.endsWith('error')) errorNames.set(word, phrase.meaning.facts);
  }
  const pastedError = new RegExp(`\\b(${[...errorNames.keys()].join('|')})\\b[ \\t]*:[ \\t]*([^\\r\\n]{1,300})`, 'i');

  return { byFirstWord, byFirstPrefix, byFirstNumber, phraseWords, phrasePrefixes, errorNames, pastedError };
}
