import { z } from 'zod';
import { factsSchema, type FactName, type Facts } from '../diagnosis';
import phraseFile from './phrases.json';

export { findContactHandle } from './contactHandle';

/**
 * Understanding: SPEC §4 facts, §3 commands and step answers pulled out of ordinary chat text,
 * driven by the words in `phrases.json` (no external NLU). The data is checked and compiled
 * once at load into a word index, so a message costs one pass over its words.
 *
 * Rules, in the order they apply (see also the notes at the top of phrases.json):
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
export type Command = 'help' | 'restart' | 'human' | 'status' | 'diagnostics' | 'correct';
export type Answer = 'fixed' | 'not-fixed' | 'already-tried' | 'dont-know' | 'yes' | 'no';

export interface Understanding {
  facts: Partial<Facts>;
  command?: Command;
  answer?: Answer;
  /** A single-valued fact named with two values the context could not settle (e.g. Mac and Windows): ask which. */
  ambiguous?: { fact: FactName; values: string[] }[];
  /** Only thanks and goodbyes ("ok thanks", "great, bye"). */
  closing?: true;
}

export interface Choice {
  value: string;
  synonyms: readonly string[];
}

const COMMANDS = ['help', 'restart', 'human', 'status', 'diagnostics', 'correct'] as const satisfies readonly Command[];
/** Priority order: "nope, still broken" is not-fixed rather than no. */
const ANSWERS = ['fixed', 'not-fixed', 'already-tried', 'dont-know', 'yes', 'no'] as const satisfies readonly Answer[];
const SINGLE_FACTS = [
  'os', 'osVersion', 'browser', 'browserVersion', 'deviceType', 'symptom', 'errorName', 'errorMessage',
  'role', 'liveConference', 'liveStream', 'urgent', 'humanRequested', 'inAppBrowser', 'managedDevice', 'inIframe',
] as const satisfies readonly FactName[];
type SingleFact = (typeof SINGLE_FACTS)[number];

const SHORT_MESSAGE_WORDS = 8;
/** Button titles of this many words or more match a reply one word away from them. */
const NEAR_TITLE_WORDS = 3;
const COMMAND_EXTRA_WORDS = 2;
const TYPO_MIN_LENGTH = 5;
const TYPO_MAX_LENGTH = 24;
const TYPO_CACHE_SIZE = 5000;
const PREFIX_KEY = 3;

// ---------------------------------------------------------------------------------------------
// The data, checked at load: a bad phrases.json stops the process instead of misreading chats.

const say = z.array(z.string().min(1)).min(1);
const commandEntry = z.object({ alone: say, anywhere: say.optional() }).strict();
const phraseFileSchema = z.object({
  $comment: z.array(z.string()).optional(),
  normalise: z.object({
    contractions: z.record(z.string().regex(/^[\p{L}\p{N}]+$/u)),
    numbers: z.array(z.string()),
    filler: z.array(z.string()),
    keep: z.array(z.string()),
    typos: z.array(z.string().regex(/^\p{L}{4,}$/u)),
  }),
  negation: z.object({ negators: z.array(z.string()), bridges: z.array(z.string()), mediaWorks: z.array(z.string()) }),
  values: z.record(z.record(say)),
  phrases: z.array(z.object({ $comment: z.string().optional(), say, facts: z.record(z.unknown()) }).strict()),
  commands: z.object({ help: commandEntry, restart: commandEntry, human: commandEntry, status: commandEntry, diagnostics: commandEntry, correct: commandEntry }).strict(),
  closing: z.object({ $comment: z.string().optional(), strong: z.array(z.string().regex(/^\p{L}+$/u)).min(1), also: z.array(z.string().regex(/^\p{L}+$/u)) }).strict(),
  answers: z.object({ fixed: say, 'not-fixed': say, 'already-tried': say, 'dont-know': say, yes: say, no: say }).strict(),
});
const data = phraseFileSchema.parse(phraseFile);

class PhraseDataError extends Error {
  constructor(detail: string) {
    super(`src/understanding/phrases.json: ${detail}`);
    this.name = 'PhraseDataError';
  }
}

/** Facts from the data, validated against SPEC §4 and limited to what merging knows. */
function checkedFacts(raw: unknown, where: string): Facts {
  const parsed = factsSchema.safeParse(raw);
  if (!parsed.success) throw new PhraseDataError(`${where}: ${parsed.error.issues[0]?.message ?? 'invalid facts'}`);
  for (const key of Object.keys(parsed.data)) {
    if (key !== 'media' && !SINGLE_FACTS.some((f) => f === key)) throw new PhraseDataError(`${where}: fact "${key}" cannot come from text`);
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Normalising text into words.

const contractions = new Map<string, string>(Object.entries(data.normalise.contractions));
const numberWords = new Set(data.normalise.numbers);
const filler = new Set(data.normalise.filler);
const negators = new Set(data.negation.negators);
const closingStrong = new Set(data.closing.strong);
const closingWords = new Set([...data.closing.strong, ...data.closing.also]);
const bridges = new Set(data.negation.bridges);

/** Letters then digits are split ("win10", "ios13", "chrome120") unless it looks like a typo ("safar1"). */
function splitLettersAndDigits(_: string, letters: string, digits: string): string {
  return digits.length >= 2 || letters.length <= 4 ? `${letters} ${digits}` : `${letters}${digits}`;
}

function rawWords(text: string): string[] {
  let cleaned = text.toLowerCase().replace(/['\u2018\u2019\u02bc`\u00b4]/g, '');
  // The look-behind starts a match only where a run of letters starts, so a long run that no
  // digit follows is scanned once rather than once per letter.
  if (/\d/.test(cleaned)) cleaned = cleaned.replace(/(?<!\p{L})(\p{L}+)(\d[\d.]*)/gu, splitLettersAndDigits).replace(/(\d)(\p{L})/gu, '$1 $2');
  const words: string[] = [];
  for (const piece of cleaned.split(/[^\p{L}\p{N}.]+/u)) {
    const word = piece.includes('.') ? trimDots(piece) : piece;
    if (word === '') continue;
    // Dots belong to versions ("13.1"); elsewhere ("i.e", "file.txt") they separate words.
    if (!word.includes('.') || /^\d+(\.\d+)+$/.test(word)) words.push(word);
    else for (const part of word.split('.')) if (part !== '') words.push(part);
  }
  return words;
}

/** "..13.1." → "13.1", without a `\.+$` pattern, which retries from every dot of a long run. */
function trimDots(piece: string): string {
  let start = 0;
  let end = piece.length;
  while (start < end && piece.charCodeAt(start) === 46) start++;
  while (end > start && piece.charCodeAt(end - 1) === 46) end--;
  return piece.slice(start, end);
}

/** Joins the two-word forms ("does not" → "doesnt") and maps one-word ones ("minutes" → "min"). */
function contract(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const next = words[i + 1];
    const pair = next === undefined ? undefined : contractions.get(`${word} ${next}`);
    if (pair !== undefined) {
      out.push(pair);
      i++;
    } else out.push(contractions.get(word) ?? word);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compiling phrases.

type VersionFact = 'osVersion' | 'browserVersion';
type TokenTest =
  | { kind: 'words'; words: ReadonlySet<string>; prefixes: readonly string[] }
  | { kind: 'slot'; words: ReadonlyMap<string, Facts>; prefixes: readonly (readonly [string, Facts])[] }
  | { kind: 'number' }
  | { kind: 'version'; fact: VersionFact };

type Meaning =
  | { kind: 'facts'; facts: Facts; media: boolean }
  | { kind: 'command'; command: Command; anywhere: boolean }
  | { kind: 'answer'; answer: Answer };

interface Phrase {
  tests: readonly TokenTest[];
  anchored: boolean;
  meaning: Meaning;
}

const VERSION = /^\d{1,4}(\.\d{1,4}){0,3}$/;
const NUMBER = /^\d{1,3}$/;
const WORD = /^[\p{L}\p{N}]+$/u;

/** Every word and prefix the phrases use: such words are never "corrected" into another. */
const phraseWords = new Set<string>();
const phrasePrefixes: string[] = [];
/** One-word synonyms per fact value, for `{media}`-style slots. */
const slotWords = new Map<string, Map<string, Facts>>();
const slotPrefixes = new Map<string, [string, Facts][]>();

function compileTest(token: string, where: string): TokenTest {
  const slot = /^\{(\w+)\}$/.exec(token)?.[1];
  if (slot === 'n') return { kind: 'number' };
  if (slot === 'osVersion' || slot === 'browserVersion') return { kind: 'version', fact: slot };
  if (slot !== undefined) {
    const words = slotWords.get(slot);
    if (!words) throw new PhraseDataError(`${where}: unknown slot {${slot}}`);
    return { kind: 'slot', words, prefixes: slotPrefixes.get(slot) ?? [] };
  }
  const words = new Set<string>();
  const prefixes: string[] = [];
  for (const alternative of token.split('|')) {
    const prefix = alternative.endsWith('*');
    const word = prefix ? alternative.slice(0, -1) : alternative;
    if (!WORD.test(word) || word !== word.toLowerCase()) throw new PhraseDataError(`${where}: "${alternative}" is not a lower-case word`);
    const folded = contractions.get(word);
    if (folded !== undefined) throw new PhraseDataError(`${where}: "${word}" never survives normalising; write "${folded}"`);
    if (prefix) {
      if (word.length < PREFIX_KEY) throw new PhraseDataError(`${where}: "${alternative}" is too short a prefix`);
      prefixes.push(word);
      phrasePrefixes.push(word);
    } else words.add(word);
    phraseWords.add(word);
  }
  return { kind: 'words', words, prefixes };
}

/** One phrase source ("no {media} found|detected", "share|sharing my|the? screen") as every variant of its optional words. */
function compilePhrase(source: string, meaning: Meaning, where: string): Phrase[] {
  const anchored = source.startsWith('^');
  const tokens = (anchored ? source.slice(1) : source).trim().split(/\s+/);
  let variants: TokenTest[][] = [[]];
  tokens.forEach((token, i) => {
    const optional = token.length > 1 && token.endsWith('?');
    const test = compileTest(optional ? token.slice(0, -1) : token, `${where} "${source}"`);
    const pair = tokens[i + 1];
    if (pair !== undefined && contractions.has(`${token} ${pair}`)) {
      throw new PhraseDataError(`${where} "${source}": "${token} ${pair}" never survives normalising; write "${contractions.get(`${token} ${pair}`)}"`);
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
    for (const source of sources) {
      // One-word synonyms also fill `{fact}` slots in other phrases.
      if (WORD.test(source)) words.set(source, facts);
      else if (/^[\p{L}\p{N}]+\*$/u.test(source)) prefixes.push([source.slice(0, -1), facts]);
      phrases.push(...compilePhrase(source, { kind: 'facts', facts, media: fact === 'media' }, `values.${fact}.${value}`));
    }
  }
  slotWords.set(fact, words);
  slotPrefixes.set(fact, prefixes);
}
data.phrases.forEach((entry, i) => {
  const facts = checkedFacts(entry.facts, `phrases[${i}]`);
  for (const source of entry.say) phrases.push(...compilePhrase(source, { kind: 'facts', facts, media: false }, `phrases[${i}]`));
});
for (const command of COMMANDS) {
  const { alone, anywhere = [] } = data.commands[command];
  for (const source of alone) phrases.push(...compilePhrase(source, { kind: 'command', command, anywhere: false }, `commands.${command}`));
  for (const source of anywhere) phrases.push(...compilePhrase(source, { kind: 'command', command, anywhere: true }, `commands.${command}`));
}
for (const answer of ANSWERS) {
  for (const source of data.answers[answer]) phrases.push(...compilePhrase(source, { kind: 'answer', answer }, `answers.${answer}`));
}

/** Phrases by the words they can start with, so each word of a message looks only at its own candidates. */
const byFirstWord = new Map<string, Phrase[]>();
/** Prefix phrases ("freez*") by their first PREFIX_KEY letters. */
const byFirstPrefix = new Map<string, (readonly [string, Phrase])[]>();
const NO_PREFIXED: readonly (readonly [string, Phrase])[] = [];
const byFirstNumber: Phrase[] = [];
function indexUnder(word: string, phrase: Phrase): void {
  const list = byFirstWord.get(word);
  if (list) list.push(phrase);
  else byFirstWord.set(word, [phrase]);
}
for (const phrase of phrases) {
  const first = phrase.tests[0];
  if (!first) continue;
  if (first.kind === 'number' || first.kind === 'version') byFirstNumber.push(phrase);
  else {
    for (const word of first.words.keys()) indexUnder(word, phrase);
    for (const entry of first.prefixes) {
      const prefix = typeof entry === 'string' ? entry : entry[0];
      const key = prefix.slice(0, PREFIX_KEY);
      byFirstPrefix.set(key, [...(byFirstPrefix.get(key) ?? []), [prefix, phrase]]);
    }
  }
}

const mediaWorks = data.negation.mediaWorks.map((source) => contract(rawWords(source)));

/** The message after "NotAllowedError:", as pasted, for the error names the data knows. */
const errorNames = new Map<string, Facts>();
for (const phrase of phrases) {
  const [only, ...rest] = phrase.tests;
  if (phrase.meaning.kind !== 'facts' || !phrase.meaning.facts.errorName || rest.length > 0 || only?.kind !== 'words') continue;
  for (const word of only.words) if (word.endsWith('error')) errorNames.set(word, phrase.meaning.facts);
}
const pastedError = new RegExp(`\\b(${[...errorNames.keys()].join('|')})\\b[ \\t]*:[ \\t]*([^\\r\\n]{1,300})`, 'i');

// ---------------------------------------------------------------------------------------------
// Typos: one edit (Damerau-Levenshtein ≤ 1) in words of five letters or more, towards the short
// list of domain words in `normalise.typos` only: against every phrase word, ordinary English
// gets "corrected" too ("filed" → fixed, "stuff" → staff, "audit" → audio).

const protectedWords = new Set([...phraseWords, ...filler, ...data.normalise.keep, ...numberWords, ...contractions.values(), ...contractions.keys()]);
const typoTargets = new Map<number, string[]>();
for (const word of data.normalise.typos) {
  const used = phraseWords.has(word) || contractions.has(word) || phrasePrefixes.some((p) => word.startsWith(p));
  if (!used) throw new PhraseDataError(`normalise.typos: "${word}" is in no phrase`);
  const list = typoTargets.get(word.length) ?? [];
  list.push(word);
  typoTargets.set(word.length, list);
}

/** a.slice(x) === b.slice(y), without the slices. */
function sameFrom(a: string, x: number, b: string, y: number): boolean {
  if (a.length - x !== b.length - y) return false;
  for (; x < a.length; x++, y++) if (a.charCodeAt(x) !== b.charCodeAt(y)) return false;
  return true;
}

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return (
    sameFrom(a, i + 1, b, i + 1) || // one letter wrong
    sameFrom(a, i + 1, b, i) || // one letter too many
    sameFrom(a, i, b, i + 1) || // one letter missing
    (a[i] === b[i + 1] && a[i + 1] === b[i] && sameFrom(a, i + 2, b, i + 2)) // two letters swapped
  );
}

const typoCache = new Map<string, string>();
function correct(word: string): string {
  if (word.length < TYPO_MIN_LENGTH || word.length > TYPO_MAX_LENGTH || protectedWords.has(word)) return word;
  const cached = typoCache.get(word);
  if (cached !== undefined) return cached;
  let fixed = word;
  const letters = word.replace(/\P{L}/gu, '').length;
  if (letters >= 4 && !phrasePrefixes.some((p) => word.startsWith(p))) {
    search: for (let length = word.length - 1; length <= word.length + 1; length++) {
      for (const known of typoTargets.get(length) ?? []) {
        // Other forms of a known word ("speakers", "starts") are words, not typos; and people
        // rarely mistype a first letter, while real words differing there abound ("matching").
        if (word[0] !== known[0] || word.startsWith(known) || known.startsWith(word)) continue;
        if (withinOneEdit(word, known)) {
          fixed = known;
          break search;
        }
      }
    }
  }
  if (typoCache.size >= TYPO_CACHE_SIZE) typoCache.clear();
  typoCache.set(word, fixed);
  return fixed;
}

/** The words of a message as the phrases see them. */
function wordsOf(text: string, typos: boolean): string[] {
  const words = rawWords(text);
  return contract(typos ? words.map(correct) : words);
}

// ---------------------------------------------------------------------------------------------
// Matching.

interface Match {
  start: number;
  end: number;
  meaning: Meaning;
  /** The phrase's own facts and what its slots and versions added. */
  facts: Facts[];
}

function test(t: TokenTest, word: string, added: Facts[]): boolean {
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

function matchAt(phrase: Phrase, words: readonly string[], start: number): Match | undefined {
  const added: Facts[] = [];
  for (let j = 0; j < phrase.tests.length; j++) {
    const t = phrase.tests[j];
    const word = words[start + j];
    if (t === undefined || word === undefined || !test(t, word, added)) return undefined;
  }
  const own = phrase.meaning.kind === 'facts' ? [phrase.meaning.facts] : [];
  return { start, end: start + phrase.tests.length, meaning: phrase.meaning, facts: [...own, ...added] };
}

function tryPhrase(phrase: Phrase, words: readonly string[], at: number, firstContent: number, found: Match[]): void {
  if (phrase.anchored && at !== firstContent) return;
  const match = matchAt(phrase, words, at);
  if (match) found.push(match);
}

const NO_PHRASES: readonly Phrase[] = [];

function findMatches(words: readonly string[], firstContent: number): Match[] {
  const found: Match[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    for (const phrase of byFirstWord.get(word) ?? NO_PHRASES) tryPhrase(phrase, words, i, firstContent, found);
    for (const [prefix, phrase] of byFirstPrefix.get(word.slice(0, PREFIX_KEY)) ?? NO_PREFIXED) {
      if (word.startsWith(prefix)) tryPhrase(phrase, words, i, firstContent, found);
    }
    const code = word.charCodeAt(0);
    if (code >= 48 && code <= 57) for (const phrase of byFirstNumber) tryPhrase(phrase, words, i, firstContent, found);
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

function startsWithWords(words: readonly string[], at: number, sequence: readonly string[]): boolean {
  return sequence.length > 0 && sequence.every((w, k) => words[at + k] === w);
}

/** "not blocked", "not on windows", "isnt the camera": the phrase is denied, not stated. */
function negated(words: readonly string[], start: number): boolean {
  const before = words[start - 1];
  if (before === undefined) return false;
  if (negators.has(before)) return true;
  const twoBefore = words[start - 2];
  return bridges.has(before) && twoBefore !== undefined && negators.has(twoBefore);
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

export function understand(text: string): Understanding {
  const words = wordsOf(text, true);
  let firstContent = 0;
  while (firstContent < words.length - 1 && filler.has(words[firstContent] ?? '')) firstContent++;
  const matches = findMatches(words, firstContent);

  const facts: Facts = {};
  const conflicts: Conflicts = new Map();
  for (const match of matches) {
    if (match.meaning.kind !== 'facts' || negated(words, match.start)) continue;
    // "my camera is fine but nobody can hear me": the camera is not what is broken.
    if (match.meaning.media && mediaWorks.some((sequence) => startsWithWords(words, match.end, sequence))) continue;
    for (const f of match.facts) mergeInto(facts, f, conflicts);
  }
  for (const key of conflicts.keys()) delete facts[key];
  if (facts.errorName) {
    const pasted = pastedError.exec(text);
    const name = pasted?.[1] === undefined ? undefined : errorNames.get(pasted[1].toLowerCase())?.errorName;
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
 * A typed reply to a question with buttons: the choice whose value or synonym it is, contains
 * as whole words, or is one typo away from (words of five letters or more). Ambiguous → undefined.
 */
export function understandChoice(text: string, choices: readonly Choice[]): string | undefined {
  const said = wordsOf(text, false);
  if (said.length === 0) return undefined;
  const forms = choices.map((c) => ({ value: c.value, forms: [c.value, ...c.synonyms].map((s) => wordsOf(s, false)).filter((f) => f.length > 0) }));
  const saidText = said.join(' ');
  const only = (list: readonly { value: string }[]) => (list.length === 1 ? list[0]?.value : undefined);

  const exact = forms.filter((c) => c.forms.some((f) => f.join(' ') === saidText));
  if (exact.length > 0) return only(exact);

  // "not live" must not pick the button whose synonym is "live".
  const containing = forms.filter((c) => c.forms.some((f) => said.some((_, i) => startsWithWords(said, i, f) && (negators.has(f[0] ?? '') || !negated(said, i)))));
  if (containing.length > 0) return only(containing);

  // Almost word for word a button's title: one word more, less or different ("cant find the device").
  const nearTitle = forms.filter((c) => c.forms.some((f) => f.length >= NEAR_TITLE_WORDS && wordEditDistance(said, f) <= 1));
  if (nearTitle.length > 0) return only(nearTitle);

  const typo = forms.filter((c) =>
    c.forms.some((f) => {
      const form = f.join(' ');
      if (form.length >= TYPO_MIN_LENGTH && saidText.length >= TYPO_MIN_LENGTH && withinOneEdit(saidText, form)) return true;
      return f.length === 1 && form.length >= TYPO_MIN_LENGTH && said.some((w) => w.length >= TYPO_MIN_LENGTH && withinOneEdit(w, form));
    }),
  );
  return only(typo);
}

/** Levenshtein distance counted in words, stopping early once it exceeds one. */
function wordEditDistance(a: readonly string[], b: readonly string[]): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      if (value < best) best = value;
    }
    if (best > 1) return 2;
    previous = current;
  }
  return previous[b.length] ?? 2;
}
