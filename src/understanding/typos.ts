import { TYPO_MIN_LENGTH } from './types';

/**
 * Typos: one edit (Damerau-Levenshtein ≤ 1) in words of five letters or more, towards the short
 * list of domain words in `normalise.typos` only: against every phrase word, ordinary English
 * gets "corrected" too ("filed" → fixed, "stuff" → staff, "audit" → audio).
 */

const TYPO_MAX_LENGTH = 24;
const TYPO_CACHE_SIZE = 5000;

/** a.slice(x) === b.slice(y), without the slices. */
function sameFrom(a: string, x: number, b: string, y: number): boolean {
  if (a.length - x !== b.length - y) return false;
  for (; x < a.length; x++, y++) if (a.charCodeAt(x) !== b.charCodeAt(y)) return false;
  return true;
}

export function withinOneEdit(a: string, b: string): boolean {
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

export interface TypoWords {
  /** The domain words a typo is corrected towards. */
  targets: readonly string[];
  /** Words that are never corrected: the phrases' own words, filler, `keep`, numbers, contractions. */
  protectedWords: ReadonlySet<string>;
  /** The phrases' prefixes ("freez*"): a word starting with one is what the phrase means, not a typo. */
  prefixes: readonly string[];
}

/** A corrector with its own bounded cache of the words it has seen. */
export function createTypoCorrector({ targets, protectedWords, prefixes }: TypoWords): (word: string) => string {
  const byLength = new Map<number, string[]>();
  for (const word of targets) {
    const list = byLength.get(word.length) ?? [];
    list.push(word);
    byLength.set(word.length, list);
  }
  const cache = new Map<string, string>();

  return function correct(word: string): string {
    if (word.length < TYPO_MIN_LENGTH || word.length > TYPO_MAX_LENGTH || protectedWords.has(word)) return word;
    const cached = cache.get(word);
    if (cached !== undefined) return cached;
    let fixed = word;
    const letters = word.replace(/\P{L}/gu, '').length;
    if (letters >= 4 && !prefixes.some((p) => word.startsWith(p))) {
      search: for (let length = word.length - 1; length <= word.length + 1; length++) {
        for (const known of byLength.get(length) ?? []) {
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
    if (cache.size >= TYPO_CACHE_SIZE) cache.clear();
    cache.set(word, fixed);
    return fixed;
  };
}
