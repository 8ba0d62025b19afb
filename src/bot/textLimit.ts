import type { Middleware, TurnContext } from 'botbuilder';

/**
 * The most of a message's text the bot reads, stores and matches patterns against. Azure's
 * activities may carry up to 256 KB of text; no answer to this bot needs more than a page, and
 * capping here, once, bounds every pattern and every stored copy (transcript, support record).
 */
export const MAX_TURN_TEXT = 4000;

const CUT = Symbol('textCutFrom');

/** Adapter middleware, first in the chain: a longer text is cut before anything reads it. */
export const textLimit: Middleware = {
  async onTurn(context, next) {
    // PostgreSQL refuses a NUL byte in text (SQLite keeps it), so a note with one could never be
    // stored: it is dropped here, once, for both backends.
    const raw: unknown = context.activity.text;
    if (typeof raw === 'string' && raw.includes('\u0000')) context.activity.text = raw.replaceAll('\u0000', '');
    const text: unknown = context.activity.text;
    if (typeof text === 'string' && text.length > MAX_TURN_TEXT) {
      // Never split a surrogate pair: an unpaired half would be stored and shown as garbage.
      const end = /[\uD800-\uDBFF]/.test(text.charAt(MAX_TURN_TEXT - 1)) ? MAX_TURN_TEXT - 1 : MAX_TURN_TEXT;
      context.activity.text = text.slice(0, end);
      context.turnState.set(CUT, text.length);
    }
    await next();
  },
};

/** The length of the text before it was cut, when this turn's text was too long. */
export function textCutFrom(context: TurnContext): number | undefined {
  const length: unknown = context.turnState.get(CUT);
  return typeof length === 'number' ? length : undefined;
}
