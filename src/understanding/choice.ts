import { negated, startsWithWords, type Negation } from './match';
import { withinOneEdit } from './typos';
import { TYPO_MIN_LENGTH, type Choice } from './types';

/** Button titles of this many words or more match a reply one word away from them. */
const NEAR_TITLE_WORDS = 3;

/**
 * A typed reply to a question with buttons: the choice whose value or synonym it is, contains
 * as whole words, or is one typo away from (words of five letters or more). Ambiguous → undefined.
 * `wordsOf` normalises without typo correction: the buttons are what the reply is compared with.
 */
export function chooseFrom(text: string, choices: readonly Choice[], wordsOf: (text: string) => string[], negation: Negation): string | undefined {
  const said = wordsOf(text);
  if (said.length === 0) return undefined;
  const forms = choices.map((c) => ({ value: c.value, forms: [c.value, ...c.synonyms].map((s) => wordsOf(s)).filter((f) => f.length > 0) }));
  const saidText = said.join(' ');
  const only = (list: readonly { value: string }[]) => (list.length === 1 ? list[0]?.value : undefined);

  const exact = forms.filter((c) => c.forms.some((f) => f.join(' ') === saidText));
  if (exact.length > 0) return only(exact);

  // "not live" must not pick the button whose synonym is "live".
  const containing = forms.filter((c) =>
    c.forms.some((f) => said.some((_, i) => startsWithWords(said, i, f) && (negation.negators.has(f[0] ?? '') || !negated(negation, said, i)))),
  );
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
