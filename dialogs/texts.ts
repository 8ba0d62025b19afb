/**
 * Everything the bot says, in one place, so it can be reviewed and later translated.
 * Short, plain and friendly; one question per message; never blame the person.
 */
import { ratingLabels, stepOutcomeWords } from '../src/diagnosis';
import type { StaffWait } from './handoff';

/** The language every text below is written in; replies say so, whatever the person's client uses. */
export const TEXT_LOCALE = 'en-US';

export const texts = {
  greeting:
    "Hi, I'm the Technical Support bot. I can help when your camera, microphone or screen sharing won't work. What's going wrong?",
  teamsIntroduction:
    "Hi, I'm the Technical Support bot. When your camera, microphone or screen sharing won't work, mention me with what's going wrong, for example: **@Technical Support my camera is blocked**. For a private chat, open me from the apps bar.",
  turnError: 'Sorry, something went wrong on our side. Please send your last message again.',
  textCut: (limit: number) => `That message was very long, so I read only its first ${limit.toLocaleString('en-US')} characters.`,
  concurrentTurn: 'Two of your messages reached me at the same moment, and I kept only the other one. Please send this one again.',

  help: [
    'I help with cameras, microphones and screen sharing. Tell me what goes wrong in your own words, or use the buttons.',
    'You can also type:',
    '- **status**: where we are',
    '- **diagnostics**: what I know about your setup',
    '- **human**: ask for a member of staff',
    '- **restart**: start again',
  ].join('\n'),
  restarted: "No problem, let's start again. What's going wrong?",
  runCheck: 'Run a quick check',
  runCheckHint: 'Or let this page check: it asks your browser for the camera and microphone once.',
  probeNotHere: "This chat can't run the check. Please pick an answer or type it.",
  didNotCatch: "Sorry, I didn't catch that. You can pick a button or type your answer.",
  noted: 'Thanks, noted.',
  takeAsUnknown: "That's fine, we'll go on without it.",
  urgentNoted: "Understood, your session is live or about to start. Let's be quick.",
  humanNoted: "OK, I'll get you a person.",

  stepIntro: (position: number, total: number) => `Step ${position} of ${Math.max(position, total)}:`,
  stepButtons: { fixed: stepOutcomeWords.fixed, notFixed: stepOutcomeWords['not-fixed'], alreadyTried: stepOutcomeWords['already-tried'], checkAgain: 'Check again', person: 'Talk to a person' },
  stepAskAgain: 'Did that help? Pick a button, or tell me what you see now.',
  stepReminder: (title: string) => `Back to the step we were on: **${title}**. Did it help? Pick a button, or tell me what you see now.`,
  findingsIntro: 'Something about your setup first:',
  fixed: (title: string, live: boolean) => `Great, glad it works now! What fixed it: ${title}.${live ? ' Good luck with your session.' : ''}`,
  newProblem: "Let's look at this new problem.",
  closing: "You're welcome! If anything else stops working, just write here.",
  understood: (summary: string) => `Got it: ${summary}.`,
  wrongButton: "That's wrong",
  corrected: "Sorry, I got that wrong. Let's start from what you tell me now.",
  bothValues: (a: string, b: string) => `You mentioned both ${a} and ${b}.`,
  understoodLabels: { inAppBrowser: "an app's built-in browser", managedDevice: 'managed by your organisation', inIframe: 'inside another site', urgent: 'live now' },

  /** One message, so the turn that calls staff waits on one post to the channel rather than two. */
  staffCalled: (position: number, wait?: StaffWait) =>
    `I've called a member of staff. You're number ${position} in the queue.${wait ? ` ${staffWait(wait)}` : ''} While you wait, let's keep trying quick fixes.`,
  noStaffOnline: (supportRecordId: string) =>
    `Nobody from the support team is online right now, so rather than keep you waiting I've filed a support record (${supportRecordId}) with everything so far; ` +
    "they usually reply within a few hours. If your session is about to start, please tell your session's host or the organisers now. Meanwhile, let's try the quickest fixes.",
  staffUnavailable:
    "I can't reach support staff from this chat yet, so nobody has been called. If your session is about to start, please tell your session's host or the organisers now. Meanwhile, let's try the quickest fixes.",
  staffAlreadyRequested: 'A member of staff has already been called; they will join here.',
  stepsExhaustedWhileWaiting: "I've run out of steps to suggest. A member of staff will take it from here.",
  supportRecordFiled: (id: string) =>
    `I've filed a support record (${id}) with everything we tried. The support team usually replies within a few hours. Anything to add, and how can we reach you (email or handle)? Just type it here.`,
  supportRecordUnavailable:
    "I've run out of steps to suggest, and I can't file a support record from this chat yet. Please fill in the platform's troubleshooting form, and mention what we tried (type **diagnostics** to see it).",

  // Answers to what was asked outside the dialogs' steps: after staff closed the chat, and for a filed support record.
  solvedYes: "Great, glad it's sorted. Thanks for your patience!",
  solvedNo: "Sorry it still isn't working. Tell me what you see now, or type **human** to ask for a member of staff again.",
  detailsAdded: (supportRecordId: string) =>
    `Thanks, I've added that to your support record (${supportRecordId}). Expect a reply within a few hours.`,
  detailsPartlyAdded: (supportRecordId: string) =>
    `Thanks. Your support record (${supportRecordId}) is now as long as it can be, so I added only the first part of that. ` +
    'The support team will ask you for anything else when they reply.',
  recordFull: (supportRecordId: string) =>
    `Your support record (${supportRecordId}) already holds as much as it can, so I couldn't add that. ` +
    'The support team will ask you for anything else when they reply.',
  nothingAdded: (supportRecordId: string) =>
    `All right, your support record (${supportRecordId}) stays as it is. To add something later, type **note:** and your message.`,

  check: {
    running: 'Checking again; this takes a few seconds.',
    fixed: (what: string) => `Your ${what} works now, confirmed by the check. Glad that's sorted!`,
    fixedLive: ' Good luck with your session.',
    notFixed: (still: string) => `The check still shows a problem: ${still} Let's try the next step.`,
    cannotRun: "I can't run the check from this chat. Did the step help?",
    staffAsked: (name: string) => `${name} from the support team would like to run the device check again. Your page will ask you first.`,
    staffDone: 'Thanks, the support team can see the new results.',
  },

  probeInvalid: "Sorry, I couldn't read the results of that check.",
  probe: {
    thanks: 'Thanks for running the check.',
    platform: (platform: string) => `You're using ${platform}.`,
    platformAnd: (platform: string, finding: string) => `You're using ${platform}, and ${finding}`,
    untested: 'I could not test the devices themselves.',
    works: (what: string) => `Your ${what} started fine in this browser.`,
    blocked: (what: string, error: string) => `your browser blocked the ${what} (${error}).`,
    failed: (what: string, error: string) => `the ${what} could not start (${error}).`,
    /** Second sentence: what the deeper readings showed, joined into one list. */
    found: {
      micSilent: 'your microphone picked up no sound at all',
      micLow: 'your microphone sounds very quiet',
      micOk: 'your microphone picks up sound',
      micClipping: 'so loud that it distorts',
      cameraBlack: 'your camera shows only a black picture',
      cameraFrozen: 'your camera picture does not move',
      cameraOk: (size: string) => `your camera shows a moving picture${size ? ` (${size})` : ''}`,
      policy: (what: string) => `this page sits inside another site that does not let it use the ${what}`,
      inApp: (app: string) => `you're in the built-in browser of ${app}, which often has no camera access`,
      stale: (what: string) => `the ${what} chosen earlier is no longer there, though others are`,
      noScreenShare: 'this browser cannot share the screen',
      screenShared: 'screen sharing started fine',
      screenFailed: (error: string) => `screen sharing did not start (${error})`,
    },
  },

  status: {
    nothingYet: "We haven't started yet. Tell me what's going wrong.",
    problem: (what: string) => `We're working on: ${what}.`,
    stepsTried: (count: number) => (count === 1 ? 'You have tried 1 step.' : `You have tried ${count} steps.`),
    currentStep: (title: string) => `Current step: ${title}.`,
    waiting: (position: number) => `You're number ${position} in the queue for a member of staff.`,
    withStaff: (name: string) => `You're talking with ${name} from the support team.`,
    withHub: "You're talking with the support team.",
    fixed: 'Your problem is marked as fixed.',
    supportRecord: 'A support record has been filed; expect a reply within a few hours.',
  },
  diagnosticsIntro: "Here's what I know so far.",
  feedback: {
    question: 'How did we do? One tap, or just carry on.',
    buttons: { ...ratingLabels, skip: 'Skip' },
    thanks: 'Thanks for telling us!',
    skipped: 'No problem.',
  },
} as const;

/** Who is online to answer, and how long a claim usually takes (recent claim times). */
function staffWait({ online, estimateMinutes: minutes }: StaffWait): string {
  if (online === 0) return 'Nobody from the support team is online this minute, so it may take a little longer; you keep your place in the queue.';
  const who = online === 1 ? '1 member of staff is' : `${online} members of staff are`;
  return `${who} online right now${minutes ? `; the wait is usually about ${minutes === 1 ? 'a minute' : `${minutes} minutes`}` : ''}.`;
}
