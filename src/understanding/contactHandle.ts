/**
 * A way to reach the person, found in their own words: the first e-mail address, @handle or
 * phone number. Written as scans rather than one regular expression: a pattern such as
 * `[\w.+-]+@…` is retried from every character of a long run with no `@`, which made one long
 * message cost seconds. Each scan here reads every character a bounded number of times.
 */
export function findContactHandle(text: string): string | undefined {
  const found = [firstEmail(text), firstHandle(text), firstPhone(text)].filter((f) => f !== undefined);
  found.sort((a, b) => a.at - b.at);
  return found[0]?.value;
}

interface Found {
  at: number;
  value: string;
}

const isWordChar = (c: string) => /^[\p{L}\p{N}_]$/u.test(c);
const isLocalChar = (c: string) => isWordChar(c) || c === '.' || c === '+' || c === '-';
const isLabelChar = (c: string) => isWordChar(c) || c === '-';
const isDigit = (c: string) => c >= '0' && c <= '9';

/** `local@domain.tld`: the local part runs back from the `@`, the domain is labels joined by single dots. */
function firstEmail(text: string): Found | undefined {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && isLocalChar(text.charAt(start - 1))) start--;
    if (start === at) continue;
    let end = at + 1;
    let labels = 0;
    for (;;) {
      let labelEnd = end;
      while (labelEnd < text.length && isLabelChar(text.charAt(labelEnd))) labelEnd++;
      if (labelEnd === end) break;
      labels++;
      end = labelEnd;
      if (text.charAt(end) !== '.' || !isLabelChar(text.charAt(end + 1))) break;
      end++;
    }
    if (labels >= 2) return { at: start, value: text.slice(start, end) };
  }
  return undefined;
}

/** `@handle` at the start or after a space, of two characters or more. */
function firstHandle(text: string): Found | undefined {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at > 0 && !/\s/.test(text.charAt(at - 1))) continue;
    let end = at + 1;
    while (end < text.length && (isWordChar(text.charAt(end)) || text.charAt(end) === '.' || text.charAt(end) === '-')) end++;
    if (end - at - 1 >= 2) return { at, value: text.slice(at, end) };
  }
  return undefined;
}

/**
 * A run of digits, spaces, brackets and dashes (an optional `+` first) from digit to digit, nine
 * characters or more, with 8 to 15 digits (the most a phone number has, E.164).
 */
function firstPhone(text: string): Found | undefined {
  for (let i = 0; i < text.length; i++) {
    if (!isDigit(text.charAt(i))) continue;
    const start = i > 0 && text.charAt(i - 1) === '+' ? i - 1 : i;
    let lastDigit = i;
    let digits = 1;
    let j = i + 1;
    for (; j < text.length && /[\d ()-]/.test(text.charAt(j)); j++) {
      if (isDigit(text.charAt(j))) {
        lastDigit = j;
        digits++;
      }
    }
    if (lastDigit + 1 - start >= 9 && digits >= 8 && digits <= 15) return { at: start, value: text.slice(start, lastDigit + 1) };
    i = j - 1; // the run is not a phone number; no digit inside it starts a longer one
  }
  return undefined;
}
