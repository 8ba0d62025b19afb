/**
 * What the simulated people say, and what each turn must answer. Every script is a whole
 * diagnosis that ends in a fix: join, describe the problem, answer the questions, walk two or
 * three steps with "Didn't help", then "That fixed it".
 */
export interface Turn {
  /** A message; without it the turn is the join (`conversationUpdate`). */
  say?: string;
  /** Matched against the advice ids and texts of the replies, joined with newlines. */
  expect: RegExp;
}

export interface Script {
  name: string;
  turns: Turn[];
}

const join: Turn = { expect: /Technical Support bot/ };
const glad: Turn = { say: 'that fixed it', expect: /glad it works/i };
const live: RegExp = /session live now/i;
const device: RegExp = /Which device/i;
const browser: RegExp = /Which browser/i;
const step = (adviceId: string): RegExp => new RegExp(`^${adviceId}\\|`, 'm');

export const diagnosisScripts: Script[] = [
  {
    name: 'camera in use on Windows 10, Chrome',
    turns: [
      join,
      { say: 'my webcam says its being used by another program', expect: live },
      { say: 'no not live', expect: device },
      { say: 'win 10', expect: browser },
      { say: 'chrome', expect: step('close-other-apps') },
      { say: "didn't help", expect: step('browser-site-permissions') },
      { say: "didn't help", expect: step('os-permissions-windows') },
      glad,
    ],
  },
  {
    name: 'camera blocked on Windows 11, Edge',
    turns: [
      join,
      { say: 'win 11 edge', expect: /What isn't working/i },
      { say: 'my camera says permission denied', expect: live },
      { say: 'no', expect: step('browser-site-permissions') },
      { say: "didn't help", expect: step('close-other-apps') },
      { say: "didn't help", expect: step('os-permissions-windows') },
      glad,
    ],
  },
  {
    name: 'microphone blocked by macOS, Chrome',
    turns: [
      join,
      { say: 'NotAllowedError: Permission denied by system', expect: live },
      { say: 'mic', expect: live },
      { say: 'later today', expect: device },
      { say: 'macbook with chrome', expect: step('os-permissions-macos') },
      { say: "didn't help", expect: step('close-other-apps') },
      { say: "didn't help", expect: step('browser-site-permissions') },
      glad,
    ],
  },
  {
    name: 'no microphone found on Windows',
    turns: [
      join,
      { say: 'it says no microphone found', expect: live },
      { say: 'no', expect: device },
      { say: 'windows', expect: browser },
      { say: 'chrome', expect: step('no-device-detected') },
      { say: "didn't help", expect: step('os-permissions-windows') },
      glad,
    ],
  },
  {
    name: 'screen sharing shows the wallpaper on a Mac',
    turns: [
      join,
      { say: 'screen sharing only shows my wallpaper', expect: live },
      { say: 'no, later', expect: device },
      { say: 'mac', expect: browser },
      { say: 'chrome', expect: step('os-permissions-macos-screen-recording') },
      { say: "didn't help", expect: step('screen-share-cancelled') },
      { say: "didn't help", expect: step('reset-permissions-restart') },
      glad,
    ],
  },
];

/** The EchoBot gets the same number of turns per conversation, each a message it must echo. */
export function echoScripts(scripts: readonly Script[] = diagnosisScripts): Script[] {
  return scripts.map((script) => ({
    name: `echo: ${script.name}`,
    turns: script.turns.map((turn, i) => {
      const text = turn.say ?? `hello ${i}`;
      return { say: text, expect: new RegExp(`^\\|You said: ${escapeRegExp(text)}$`, 'm') };
    }),
  }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
