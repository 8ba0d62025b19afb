/**
 * Text into words, the way the phrases are written: lower case, apostrophes dropped, letters and
 * digits split, dots kept only inside versions; then the data's contractions applied.
 */

/** Letters then digits are split ("win10", "ios13", "chrome120") unless it looks like a typo ("safar1"). */
function splitLettersAndDigits(_: string, letters: string, digits: string): string {
  return digits.length >= 2 || letters.length <= 4 ? `${letters} ${digits}` : `${letters}${digits}`;
}

/** The words of a text before contractions and typos. */
export function rawWords(text: string): string[] {
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
export function contract(words: readonly string[], contractions: ReadonlyMap<string, string>): string[] {
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
