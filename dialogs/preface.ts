import type { TurnContext } from 'botbuilder';

/**
 * A sentence that goes with whatever the turn says next ("Understood, your session is live…"
 * above "I've called a member of staff…", "Thanks, noted." above the question asked again): the
 * first paragraph of the turn's next message, so the person gets one bubble and the channel one
 * post instead of two. What comes next is often decided further up the dialog stack, after the
 * dialog that has the sentence to say has ended; `sendPendingPreface` at the end of the turn sends
 * it alone should nothing follow.
 */
const PENDING = Symbol('pendingPreface');

interface Pending {
  paragraphs: string[];
}

export function prefaceNextMessage(context: TurnContext, preface: string): void {
  const existing = pendingOf(context);
  if (existing) {
    existing.paragraphs.push(preface);
    return;
  }
  const pending: Pending = { paragraphs: [preface] };
  context.turnState.set(PENDING, pending);
  context.onSendActivities(async (_context, activities, send) => {
    const first = pending.paragraphs.length > 0 ? activities.find((a) => a.type === 'message' && typeof a.text === 'string' && a.text !== '') : undefined;
    if (first) {
      first.text = [...pending.paragraphs, first.text].join('\n\n');
      pending.paragraphs = [];
    }
    return send();
  });
}

/** The preface nothing followed, sent alone. */
export async function sendPendingPreface(context: TurnContext): Promise<void> {
  const pending = pendingOf(context);
  if (!pending || pending.paragraphs.length === 0) return;
  const text = pending.paragraphs.join('\n\n');
  pending.paragraphs = [];
  await context.sendActivity(text);
}

function pendingOf(context: TurnContext): Pending | undefined {
  const value: unknown = context.turnState.get(PENDING);
  return typeof value === 'object' && value !== null && 'paragraphs' in value ? (value as Pending) : undefined;
}
