/**
 * Text that came from a client (a probe's error message, a version string) and that the bot
 * repeats in its own markdown messages and cards. Every ASCII punctuation character is escaped
 * (CommonMark allows it for all of them) and control characters become spaces, so no link,
 * image, emphasis or HTML can form — escaped dots and colons also keep Web Chat's linkify from
 * turning `evil.com` or `http://…` into a link. The bot's own texts are never passed through it.
 */
export function inert(text: string, maxLength = 300): string {
  const flat = text.slice(0, maxLength).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  // Words and version numbers cannot form markup: left as they are, for channels that show escapes.
  if (PLAIN.test(flat) || VERSION.test(flat)) return flat;
  return flat.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

const PLAIN = /^[\p{L}\p{N} ]*$/u;
const VERSION = /^\d{1,20}(?:\.\d{1,20}){0,3}$/;
