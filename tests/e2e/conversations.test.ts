import { describe, expect, it } from 'vitest';
import { botForSuite } from '../helpers/server';
import { Conversation, type ReplyActivity } from '../helpers/talk';

/**
 * Whole conversations over real HTTP (`POST /api/messages`, expectReplies), typed the way
 * people under pressure type. Each names the advice it must reach.
 */
interface Script {
  name: string;
  lines: string[];
  /** Advice ids that must have been given by the end, in this order (others may come between). */
  reaches: string[];
  never?: string[];
  lastText?: RegExp;
}

const scripts: Script[] = [
  {
    name: 'camera in use on Windows: close other apps first, then fixed',
    lines: ['my webcam says its being used by another program', 'no not live', 'win 10', 'chrome', 'that fixed it'],
    reaches: ['close-other-apps'],
    never: ['os-permissions-macos'],
    lastText: /glad it works/i,
  },
  {
    name: 'Mac, Chrome, mic blocked by the system: macOS privacy settings first',
    lines: ['NotAllowedError: Permission denied by system', 'mic', 'later today', 'macbook with chrome', "didn't help", 'fixed'],
    reaches: ['os-permissions-macos'],
    never: ['os-permissions-windows'],
  },
  {
    name: 'iPhone with Chrome on iOS 13: Safari too old, iOS browsers are Safari',
    lines: ['camra blocked', 'nope, tomorrow', 'iphone chrome ios 13'],
    reaches: ['platform-safari-too-old', 'platform-ios-browsers-are-safari'],
  },
  {
    name: 'Mac with Safari 13.1: Safari too old',
    lines: ['Mac with Safari 13.1, nobody can hear me', 'no'],
    reaches: ['platform-safari-too-old'],
  },
  {
    name: 'site permission denied in Firefox on Linux',
    lines: ['Permission to access microphone denied', 'not live', 'firefox on ubuntu'],
    reaches: ['browser-site-permissions'],
    never: ['os-permissions-macos', 'os-permissions-windows'],
  },
  {
    name: 'screen sharing on a Mac shows only the wallpaper',
    lines: ['screen sharing only shows my wallpaper', 'no, later', 'mac', 'chrome'],
    reaches: ['os-permissions-macos-screen-recording'],
  },
  {
    name: 'screen sharing on a phone is not possible',
    lines: ['cant share my screen from my android phone', 'no', 'chrome'],
    reaches: ['screen-share-unsupported-mobile'],
  },
  {
    name: 'presenter live-streaming from an iPad',
    lines: ["I'm presenting in 5 minutes from my ipad and the camera is black", 'yes', 'Safari', 'iOS 17 or newer'],
    reaches: ['platform-mobile-livestream'],
  },
  {
    name: 'Windows, Edge, camera blocked: the Windows privacy switch comes up',
    lines: ['win 11 edge', 'my camera says permission denied', 'no', "didn't help", "didn't help"],
    reaches: ['browser-site-permissions', 'os-permissions-windows'],
    never: ['os-permissions-macos'],
  },
  {
    name: 'no microphone found on Windows',
    lines: ['it says no microphone found', 'no', 'windows', 'chrome'],
    reaches: ['no-device-detected'],
  },
  {
    name: 'Firefox on a Mac cannot find the camera that is there',
    lines: ['NotFoundError: Requested device not found', 'camera', 'no', 'mac firefox'],
    reaches: ['firefox-macos-os-permission'],
  },
  {
    name: 'a stressed presenter who changes their mind, restarts and asks for a person',
    lines: ['HELP my mic', 'actually its the camera', 'start over', 'it says the device is in use', 'talk to a person'],
    reaches: [],
    lastText: /staff|person/i,
  },
];

describe('whole conversations over HTTP', () => {
  const suite = botForSuite();

  it.each(scripts)('$name', async ({ lines, reaches, never = [], lastText }) => {
    const person = new Conversation(suite.bot.url);
    const all: ReplyActivity[] = [...(await person.join())];
    let last: ReplyActivity[] = [];
    for (const line of lines) {
      last = await person.say(line);
      expect(last.length, `no reply to ${JSON.stringify(line)}`).toBeGreaterThan(0);
      all.push(...last);
    }
    const given = all.map((a) => a.channelData?.adviceId).filter((id): id is string => typeof id === 'string');
    let from = 0;
    for (const id of reaches) {
      const at = given.indexOf(id, from);
      expect(at, `advice ${id} not reached; got ${given.join(', ')}`).toBeGreaterThanOrEqual(0);
      from = at;
    }
    for (const id of never) expect(given).not.toContain(id);
    if (lastText) expect(last.map((a) => a.text ?? '').join('\n')).toMatch(lastText);
  });
});
