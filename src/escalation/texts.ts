/** Why staff may take an unclaimed escalation out of the queue. */
export const DISMISS_REASONS = ['solved', 'duplicate', 'not-technical', 'test'] as const;
export type DismissReason = (typeof DISMISS_REASONS)[number];

/**
 * What escalation says to the person, outside the dialogs' own turns (queue moves, staff joining
 * and leaving, the no-staff fallback, "is it solved?" when staff close). Kept together, as dialogs/texts.ts.
 */
export const escalationTexts = {
  queuePosition: (position: number) =>
    position === 1 ? "Update: you're next in the queue for a member of staff." : `Update: you're now number ${position} in the queue for a member of staff.`,
  staffJoined: (name: string) => `${name} from the support team has joined the chat. Everything you type now goes to them.`,
  staffMessage: (name: string, text: string) => `**${name}:** ${text}`,
  staffClosed: (name: string) => `${name} has ended the chat. Is your problem solved now?`,
  solvedButtons: { yes: 'Yes', no: 'No' },
  timedOut: (supportRecordId: string) =>
    `Sorry, no member of staff could join in time. I've filed a support record (${supportRecordId}) with everything so far; ` +
    'the support team usually replies within a few hours. To add anything, type **note:** and your message; ' +
    'to say how we can reach you, type **contact:** and your email or handle. Meanwhile, let\'s carry on with the steps.',
  /** How staff see a conversation a contact-centre hub took over (`claimedBy`, `closedBy`). */
  hubName: 'Contact centre',
  hubAccepted: 'The support team has taken your chat. Everything you type now goes to them.',
  hubFailed: (supportRecordId: string) =>
    `Sorry, the support team couldn't take your chat. I've filed a support record (${supportRecordId}) with everything so far; ` +
    'they usually reply within a few hours. To add anything, type **note:** and your message; ' +
    'to say how we can reach you, type **contact:** and your email or handle. Meanwhile, let\'s carry on with the steps.',
  hubCompleted: 'The support team has ended the chat. Is your problem solved now?',
  released: (name: string, position: number) =>
    `${name} had to step away, so you're back in the queue for the next member of staff (number ${position}). Your chat so far stays with it.`,
  transferred: (from: string, to: string) => `${from} has passed your chat to ${to} from the support team, who will take it from here.`,
  reopened: (name: string) => `${name} from the support team has reopened this chat. Everything you type now goes to them.`,
  staffAdvice: (name: string) => `${name} suggests:`,
  /** What the person is told when staff take their unclaimed request out of the queue, by reason; null says nothing. */
  dismissed: {
    solved: "A member of staff saw that your problem is sorted, so I've taken you out of the queue. If it comes back, type **human**.",
    duplicate: "You're already being helped in another chat, so I've taken this one out of the queue. If you still need help here, type **human**.",
    'not-technical':
      "This chat is for problems with cameras, microphones and screen sharing, so staff can't help with this one here. Please contact the organisers. If you do have a technical problem, type **human**.",
    test: null,
  } satisfies Record<DismissReason, string | null>,
} as const;

/** What the staff webhook posts to the team's chat tool (Teams, Slack or plain JSON). */
export const webhookTexts = {
  title: (e: { id: string }) => `New escalation ${e.id}`,
  summary: (e: { id: string; reason: string; userName: string | null; position?: number }) =>
    `New escalation ${e.id} (${e.reason})${e.userName ? ` from ${e.userName}` : ''}, position ${e.position ?? '?'} in the queue.`,
  facts: (e: { reason: string; userName: string | null; channelId: string; position?: number; createdAt: string }): [string, string][] => [
    ['Reason', e.reason],
    ['Person', e.userName ?? 'unknown'],
    ['Channel', e.channelId],
    ['Queue position', String(e.position ?? '?')],
    ['Since', e.createdAt],
  ],
  open: 'Open in the staff console',
} as const;

const OPERATOR_WORDS: Record<string, string> = {
  equal: 'is', notEqual: 'is not', in: 'is one of', notIn: 'is none of', contains: 'includes', greaterThan: 'is more than',
  textIncludes: 'mentions', versionLessThan: 'is below', versionAtLeast: 'is at least', known: 'is known', unknown: 'is not known', actually: 'it is',
  'someFact:in': 'includes one of', 'not:textIncludes': 'does not mention',
};
const DERIVED_FACT_WORDS: Record<string, string> = { stepsRemaining: 'Steps left to try', findingsCount: 'Findings' };

/** Words of the staff console that the server puts together (queue items, rule traces). */
export const staffLabels = {
  guest: (handle: string) => `Guest ${handle}`,
  urgent: 'urgent',
  liveSession: 'live session',
  liveStream: 'live-stream',
  inAppBrowser: 'in-app browser',
  checkNotRun: 'check not run',
  checkWorked: (what: string) => (what ? `check ran: ${what} worked` : 'check ran: devices worked'),
  checkFailed: (error: string) => `check ran: ${error}`,
  unknownError: 'failed',
  /** Rule conditions in words: "Browser is one of Safari, Firefox". */
  operators: OPERATOR_WORDS,
  derivedFacts: DERIVED_FACT_WORDS,
  dismissReasons: {
    solved: 'Already solved',
    duplicate: 'Duplicate of another chat',
    'not-technical': 'Not a technical problem',
    test: 'Test or spam (nothing is sent)',
  } satisfies Record<DismissReason, string>,
} as const;
