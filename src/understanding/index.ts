import { factsSchema, type Facts } from '../diagnosis';
import phrases from './phrases.json';

/**
 * A small, data-driven understanding layer: it pulls SPEC §4 facts, commands and answers out
 * of ordinary chat text using the synonyms and patterns in `phrases.json` (no external NLU).
 * Everything is compiled once at load; a message costs a handful of regular-expression tests.
 */
export type Command = 'help' | 'restart' | 'human' | 'status' | 'diagnostics';
export type Answer = 'fixed' | 'not-fixed' | 'already-tried' | 'dont-know' | 'yes' | 'no';

export interface Understanding {
  facts: Facts;
  command?: Command;
  answer?: Answer;
}

const COMMANDS: readonly Command[] = ['help', 'restart', 'human', 'status', 'diagnostics'];
const ANSWERS: readonly Answer[] = ['fixed', 'not-fixed', 'already-tried', 'dont-know', 'yes', 'no'];
/** Commands and button answers are short; a long description that merely contains "help" is a description. */
const MAX_ANSWER_WORDS = 8;

const compile = (pattern: string) => new RegExp(pattern, 'i');

// Each pattern's facts are validated once, so a typo in phrases.json fails at load, not mid-chat.
const factPatterns = phrases.facts.map((entry) => ({ regex: compile(entry.pattern), facts: factsSchema.parse(entry.facts) }));
const versionFacts = ['osVersion', 'browserVersion'] as const;
const versionPatterns = phrases.versions.map((entry) => {
  const fact = versionFacts.find((f) => f === entry.fact);
  if (!fact) throw new Error(`phrases.json: unknown version fact "${entry.fact}"`);
  return { regex: compile(entry.pattern), fact };
});
const commandPatterns = COMMANDS.map((command) => ({ command, regexes: phrases.commands[command].map(compile) }));
const answerPatterns = ANSWERS.map((answer) => ({ answer, regexes: phrases.answers[answer].map(compile) }));
const vocabulary = new Set(phrases.vocabulary);

/** Lower-case, straight apostrophes, single spaces, politeness and punctuation at the ends removed. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[^\p{L}\p{N}'.:\-?/ ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:please|pls|hi|hello|hey|ok|okay|um+|uh+)[ ,]+/, '')
    .replace(/[ ,]+(?:please|pls|thanks|thank you|thx)$/, '')
    .replace(/[.!?:]+$/, '')
    .trim();
}

/** Damerau-Levenshtein distance, stopping early past `max` (only 0 or 1 matter here). */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length || i === b.length) return Math.abs(a.length - b.length) <= 1;
  const rest = (x: number, y: number) => a.slice(x) === b.slice(y);
  return (
    rest(i + 1, i + 1) || // substitution
    rest(i + 1, i) || // extra letter typed
    rest(i, i + 1) || // letter missed
    (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(i + 2, i + 2)) // two letters swapped
  );
}

const corrections = new Map<string, string>();
/** Fixes one-letter typos in longer words ("camra", "mircophone", "permision"); never touches known words or word endings ("speakers"). */
function correct(word: string): string {
  if (word.length < 5 || vocabulary.has(word) || /\d/.test(word)) return word;
  const cached = corrections.get(word);
  if (cached !== undefined) return cached;
  let fixed = word;
  for (const known of vocabulary) {
    // A longer form ("speakers"), a shorter one ("start") or one missing its first letter ("phone") is a word, not a typo.
    if (word.startsWith(known) || known.startsWith(word) || known.endsWith(word)) continue;
    if (withinOneEdit(word, known)) {
      fixed = known;
      break;
    }
  }
  if (corrections.size < 10_000) corrections.set(word, fixed);
  return fixed;
}

function wordCount(text: string): number {
  return text === '' ? 0 : text.split(' ').length;
}

export function understand(text: string): Understanding {
  const normalized = normalize(text);
  const corrected = normalized.split(' ').map(correct).join(' ');
  const result: Understanding = { facts: {} };

  const short = wordCount(normalized) <= MAX_ANSWER_WORDS;
  for (const { command, regexes } of commandPatterns) {
    // Asking for a person is honoured anywhere in a message; the other commands only on their own.
    if ((short || command === 'human') && regexes.some((r) => r.test(corrected))) {
      result.command = command;
      break;
    }
  }
  if (short && !result.command) {
    const answer = answerPatterns.find(({ regexes }) => regexes.some((r) => r.test(corrected)))?.answer;
    if (answer) result.answer = answer;
  }

  const facts: Record<string, unknown> = {};
  for (const { regex, facts: patternFacts } of factPatterns) {
    if (!regex.test(corrected)) continue;
    for (const [name, value] of Object.entries(patternFacts)) {
      const previous = facts[name];
      if (Array.isArray(value)) facts[name] = [...new Set([...(Array.isArray(previous) ? previous : []), ...value])];
      else if (previous === undefined) facts[name] = value;
    }
  }
  for (const { regex, fact } of versionPatterns) {
    const version = regex.exec(corrected)?.[1];
    if (version && facts[fact] === undefined) facts[fact] = version;
  }
  if (typeof facts.errorName === 'string') {
    // Keep the browser's own wording (what follows "NotAllowedError:"), as pasted.
    const message = /(?:Error|error)\s*:\s*([^\n]{3,200})/.exec(text)?.[1]?.trim()
      ?? /(permission denied by system|permission dismissed|permission denied|could not start (?:video|audio) source|concurrent mic process limit\.?|timeout starting video source|requested device not found)/i.exec(text)?.[1];
    if (message) facts.errorMessage = message;
  }
  const parsed = factsSchema.safeParse(facts);
  result.facts = parsed.success ? parsed.data : {};
  return result;
}

/** Matches a typed reply against a question's buttons: exact, a synonym as a whole word, or a one-letter typo. */
export function understandChoice(text: string, choices: readonly { value: string; synonyms: readonly string[] }[]): string | undefined {
  const said = normalize(text);
  if (said === '') return undefined;
  const exact = choices.find((c) => normalize(c.value) === said || c.synonyms.some((s) => normalize(s) === said));
  if (exact) return exact.value;

  const padded = ` ${said} `;
  const containing = choices.filter((c) => [c.value, ...c.synonyms].some((s) => padded.includes(` ${normalize(s)} `)));
  if (containing.length === 1) return containing[0]?.value;
  if (containing.length > 1 || said.includes(' ') || said.length < 4) return undefined;

  const typo = choices.filter((c) => [c.value, ...c.synonyms].some((s) => normalize(s).length >= 4 && withinOneEdit(said, normalize(s))));
  return typo.length === 1 ? typo[0]?.value : undefined;
}
