import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * What the simulated people say, and what each turn must answer, in three families:
 * - short: a whole diagnosis that ends in a fix: join, describe the problem, answer the
 *   questions, walk two or three steps with "Didn't help", then "That fixed it";
 * - long: four problems one after the other in one conversation, each walked with "Didn't help"
 *   and "Already tried" until the steps run out and a support record is filed, then a note for
 *   it and "start over" (47–50 turns);
 * - urgent: a live session escalated to staff, who claim it, reply and close it through the
 *   staff API, and the person answers the "is it solved?" question.
 * The mix plays them in the proportions of `MIX`.
 */
export type Family = 'short' | 'long' | 'urgent';
export type StaffAction = 'claim' | 'relay' | 'close';

export interface Turn {
  /** A message; without it (and without `staff`) the turn is the join (`conversationUpdate`). */
  say?: string;
  /** A call of the simulated staff member to the staff API instead of a turn of the person. */
  staff?: StaffAction;
  /** Matched against the advice ids and texts of the replies joined with newlines; for staff, `<status>|<body>`. */
  expect: RegExp;
}

export interface Script {
  name: string;
  family: Family;
  turns: Turn[];
}

const join: Turn = { expect: /Technical Support bot/ };
const glad: Turn = { say: 'that fixed it', expect: /glad it works/i };
const live: RegExp = /session live now/i;
const device: RegExp = /Which device/i;
const browser: RegExp = /Which browser/i;
const step = (adviceId: string): RegExp => new RegExp(`^${adviceId}\\|`, 'm');

/**
 * A diagnosis walked step by step: the opening turns, the answer that brings the first step, then
 * each further step after a refusal (the `refusals` in turn).
 */
interface Walk {
  opening: Turn[];
  answer: string;
  steps: string[];
}
function walk({ opening, answer, steps }: Walk, refusals: readonly string[]): Turn[] {
  const [first, ...rest] = steps;
  return [
    ...opening,
    { say: answer, expect: step(first ?? '') },
    ...rest.map((id, i) => ({ say: refusals[i % refusals.length] ?? '', expect: step(id) })),
  ];
}

/** The questions an opening turn may bring, by the names bench/conversations/problems.json uses. */
const questions = { live, device, browser, media: /What isn't working/i } as const;
const problemSchema = z.object({
  opening: z.array(z.object({ say: z.string(), expect: z.enum(['live', 'device', 'browser', 'media']) })),
  answer: z.string(),
  steps: z.array(z.string()).min(1),
});
const problemsSchema = z.object({ camera: problemSchema, unheard: problemSchema, blocked: problemSchema, screen: problemSchema });

/** An opening's question names made the patterns a reply is matched against. */
function toWalk(problem: z.infer<typeof problemSchema>): Walk {
  return { ...problem, opening: problem.opening.map(({ say, expect }) => ({ say, expect: questions[expect] })) };
}
const stored = problemsSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, 'conversations', 'problems.json'), 'utf8')));
/** The problems of the long conversations (bench/conversations/problems.json), each a walk every step of which does not help. */
const problems = { camera: toWalk(stored.camera), unheard: toWalk(stored.unheard), blocked: toWalk(stored.blocked), screen: toWalk(stored.screen) };
const outcomes = ["didn't help", 'already tried'];

/** A problem of the long conversations, fixed at its third step. */
const fixedAtThird = (name: keyof typeof problems): Walk => ({ ...problems[name], steps: problems[name].steps.slice(0, 3) });

const shortWalks: (Walk & { name: string })[] = [
  { name: 'camera in use on Windows 10, Chrome', ...fixedAtThird('camera') },
  {
    name: 'camera blocked on Windows 11, Edge',
    opening: [{ say: 'win 11 edge', expect: questions.media }, { say: 'my camera says permission denied', expect: live }],
    answer: 'no',
    steps: ['browser-site-permissions', 'close-other-apps', 'os-permissions-windows'],
  },
  { name: 'microphone blocked by macOS, Chrome', ...fixedAtThird('blocked') },
  {
    name: 'no microphone found on Windows',
    opening: [{ say: 'it says no microphone found', expect: live }, { say: 'no', expect: device }, { say: 'windows', expect: browser }],
    answer: 'chrome',
    steps: ['no-device-detected', 'os-permissions-windows'],
  },
  {
    name: 'screen sharing shows the wallpaper on a Mac',
    opening: [{ say: 'screen sharing only shows my wallpaper', expect: live }, { say: 'no, later', expect: device }, { say: 'mac', expect: browser }],
    answer: 'chrome',
    steps: ['os-permissions-macos-screen-recording', 'screen-share-cancelled', 'reset-permissions-restart'],
  },
];

/** Join, walk the steps with "Didn't help", then "That fixed it". */
export const diagnosisScripts: Script[] = shortWalks.map(({ name, ...diagnosis }) => ({
  name,
  family: 'short',
  turns: [join, ...walk(diagnosis, ["didn't help"]), glad],
}));

/** Every step refused, the support record filed, a note added to it (and any `extra` turns), and a fresh start. */
function exhaust(name: keyof typeof problems, extra: Turn[] = []): Turn[] {
  const problem = problems[name];
  return [
    ...walk(problem, outcomes),
    { say: outcomes[(problem.steps.length - 1) % outcomes.length] ?? '', expect: /^support-record\|/m },
    { say: 'it is an external usb device, reach me at alex@example.com', expect: /added that to your support record/ },
    ...extra,
    { say: 'start over', expect: /start again/ },
  ];
}

/** Where we are, what the bot knows, one more note: what people ask while a record is open. */
const checkingIn: Turn[] = [
  { say: 'status', expect: /support record has been filed/ },
  { say: 'diagnostics', expect: /what I know so far/ },
  { say: 'note: it fails in other apps too', expect: /added that to your support record/ },
];

/**
 * Four problems in a row, 47–50 turns, so turns 30–40 are deep into the conversation. The first
 * script walks the camera problem again from turn 30 (its turns 2–12 and 30–40 are the same
 * walk), so the cost by depth compares like with like.
 */
export const depthScript: Script = {
  name: 'four problems, every step refused: camera, unheard (checking in), camera, screen',
  family: 'long',
  turns: [join, ...exhaust('camera'), ...exhaust('unheard', checkingIn), ...exhaust('camera'), ...exhaust('screen')],
};
const longOrders: (keyof typeof problems)[][] = [
  ['unheard', 'blocked', 'screen', 'camera'],
  ['blocked', 'screen', 'camera', 'unheard'],
];
export const longScripts: Script[] = [depthScript, ...longOrders.map((order): Script => ({
  name: `four problems, every step refused: ${order.join(', ')}`,
  family: 'long',
  turns: [join, ...order.flatMap((name) => exhaust(name))],
}))];

/** Staff called before anything else is asked; claimed, a reply, closed; solved, one tap of feedback. */
export const urgentScripts: Script[] = [
  "I'm presenting in 5 minutes and my mic is blocked",
  'my session is live right now and nobody can see my camera',
].map((opening) => ({
  name: `urgent: ${opening}`,
  family: 'urgent',
  turns: [
    join,
    { say: opening, expect: /called a member of staff/ },
    { staff: 'claim', expect: /^200\|.*"status":"claimed"/ },
    { staff: 'relay', expect: /^201\|/ },
    // With staff, the bot stays quiet: the person's words go to staff.
    { say: 'I see it, it says blocked', expect: /^$/ },
    { staff: 'close', expect: /^200\|.*"status":"closed"/ },
    { say: 'Yes', expect: /glad it's sorted/ },
    { say: 'Great', expect: /Thanks for telling us/ },
  ],
}));

/** The proportions of conversations a conference sees, as the mix plays them (README, Performance). */
export const MIX: Record<Family, number> = { short: 6, long: 3, urgent: 1 };

export const familyScripts: Record<Family, Script[]> = { short: diagnosisScripts, long: longScripts, urgent: urgentScripts };

/** Ten conversations in the proportions of `MIX`, interleaved, each family cycling through its scripts. */
export function mixScripts(): Script[] {
  const next: Record<Family, number> = { short: 0, long: 0, urgent: 0 };
  const pick = (family: Family): Script => {
    const list = familyScripts[family];
    const script = list[next[family]++ % list.length];
    if (!script) throw new Error(`no ${family} script`);
    return script;
  };
  const order: Family[] = ['short', 'long', 'short', 'short', 'long', 'short', 'urgent', 'short', 'long', 'short'];
  return Array.from({ length: 30 }, (_, i) => pick(order[i % order.length] ?? 'short'));
}

/** The EchoBot gets as many requests per conversation (the person's turns and the staff calls), each a message it must echo. */
export function echoScripts(scripts: readonly Script[] = diagnosisScripts): Script[] {
  return scripts.map((script) => ({
    name: `echo: ${script.name}`,
    family: script.family,
    turns: script.turns.map((turn, i) => {
      const text = turn.say ?? `hello ${i}`;
      return { say: text, expect: new RegExp(`^\\|You said: ${escapeRegExp(text)}$`, 'm') };
    }),
  }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
