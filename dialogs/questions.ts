import type { Facts, FactName } from '../src/diagnosis';

/**
 * The questions the bot may ask, in the order it asks them. Data, not logic: each fills one
 * fact, offers buttons that map to facts, and says when it is worth asking. The bot asks only
 * what it lacks and what the rules use.
 */
export interface Choice {
  title: string;
  facts: Facts;
  /** Extra words that pick this button when typed. */
  synonyms: readonly string[];
}

export interface Question {
  id: string;
  fact: FactName;
  text: string;
  choices(facts: Facts): readonly Choice[];
  /** Whether asking helps now (e.g. the iOS version only matters on iOS). */
  needed(facts: Facts): boolean;
  /** The page's probe can find the answer (the platform, or an error): the question offers it. */
  checkable?: true;
}

/** The probe already saw what is wrong (a silent microphone, a black picture, …): no need to ask. */
const probeSawProblem = (f: Facts): boolean =>
  f.audioLevel === 'silent' || f.audioLevel === 'low' || f.videoFrames === 'black' || f.videoFrames === 'frozen' || f.staleDevice === true
  || f.permissionsPolicy?.camera === false || f.permissionsPolicy?.microphone === false;

const choice = (title: string, facts: Facts, ...synonyms: string[]): Choice => ({ title, facts, synonyms });

/** iOS and Safari share their version numbers, so one set of bands (17 or newer, 14 to 16, 13 or older) serves both. */
const versionBands = (name: string, facts: (version: '17' | '14' | '13') => Facts): Choice[] => [
  choice(`${name} 17 or newer`, facts('17'), '17', '18', '26', 'newest', 'latest'),
  choice(`${name} 14 to 16`, facts('14'), '14', '15', '16'),
  choice(`${name} 13 or older`, facts('13'), '13', '12', 'older', 'old'),
];

const mediaSymptoms = (facts: Facts): Choice[] => {
  const media = facts.media ?? [];
  if (media.length === 1 && media[0] === 'screen') {
    return [
      choice('Sharing fails or shows nothing', { symptom: 'screen-share-failed' }, 'fails', 'nothing', 'black', 'wallpaper', 'only wallpaper'),
      choice('It says permission denied', { symptom: 'permission-denied' }, 'denied', 'blocked', 'not allowed'),
      choice('Something else', { symptom: 'other' }, 'else', 'other'),
    ];
  }
  const cantSee = media.includes('camera') || media.length === 0;
  return [
    choice('It says permission denied', { symptom: 'permission-denied' }, 'denied', 'blocked', 'not allowed'),
    choice('It never asks for permission', { symptom: 'no-prompt' }, 'never asks', 'no prompt', 'no popup'),
    choice("It can't find the device", { symptom: 'not-found' }, 'not found', 'no device', 'cannot find', 'not detected'),
    choice('It says the device is in use', { symptom: 'in-use' }, 'in use', 'busy', 'another program'),
    cantSee
      ? choice("Others can't see me", { symptom: 'no-video' }, 'black', 'cannot see', 'no video')
      : choice("Others can't hear me", { symptom: 'no-audio' }, 'cannot hear', 'no sound', 'silent'),
    choice('Poor quality', { symptom: 'poor-quality' }, 'quality', 'choppy', 'laggy', 'echo'),
    choice('Something else', { symptom: 'other' }, 'else', 'other'),
  ];
};

export const questions: readonly Question[] = [
  {
    id: 'media',
    fact: 'media',
    text: "What isn't working?",
    choices: () => [
      choice('Camera', { media: ['camera'] }, 'cam', 'webcam', 'video'),
      choice('Microphone', { media: ['microphone'] }, 'mic', 'audio', 'sound'),
      choice('Screen sharing', { media: ['screen'] }, 'screen', 'share', 'sharing'),
      choice('Camera and microphone', { media: ['camera', 'microphone'] }, 'both', 'all'),
    ],
    needed: (f) => !f.media && !f.errorName && !probeSawProblem(f),
  },
  {
    id: 'symptom',
    checkable: true,
    fact: 'symptom',
    text: 'What happens when you try?',
    choices: mediaSymptoms,
    needed: (f) => !f.symptom && !f.errorName && !probeSawProblem(f),
  },
  {
    id: 'live',
    fact: 'liveConference',
    text: 'Is your session live now, or starting in the next few minutes?',
    choices: () => [
      choice('Yes, very soon', { liveConference: true, urgent: true }, 'yes', 'now', 'soon', 'live', 'yep', 'yeah'),
      choice('No, later', { liveConference: false }, 'no', 'later', 'tomorrow', 'not yet', 'nope', 'not live', 'not now', 'not soon', 'not today'),
    ],
    needed: (f) => f.liveConference === undefined,
  },
  {
    id: 'role',
    fact: 'role',
    text: 'Are you presenting or attending?',
    choices: () => [
      choice('Presenting', { role: 'presenter' }, 'presenter', 'speaker', 'speaking', 'host', 'presenting'),
      choice('Attending', { role: 'attendee' }, 'attendee', 'watching', 'viewer', 'attending'),
    ],
    needed: (f) => f.liveConference === true && !f.role,
  },
  {
    id: 'os',
    checkable: true,
    fact: 'os',
    text: 'Which device are you on?',
    choices: () => [
      choice('Windows PC', { os: 'windows', deviceType: 'desktop' }, 'windows', 'pc'),
      choice('Mac', { os: 'macos', deviceType: 'desktop' }, 'mac', 'macbook', 'imac', 'macos'),
      choice('iPhone', { os: 'ios', deviceType: 'mobile' }, 'iphone', 'ios'),
      choice('iPad', { os: 'ipados', deviceType: 'tablet' }, 'ipad'),
      choice('Android', { os: 'android', deviceType: 'mobile' }, 'android', 'samsung', 'pixel'),
      choice('Linux', { os: 'linux', deviceType: 'desktop' }, 'linux', 'ubuntu'),
      choice('Chromebook', { os: 'chromeos', deviceType: 'desktop' }, 'chromebook', 'chromeos'),
    ],
    needed: (f) => !f.os,
  },
  {
    id: 'live-stream',
    fact: 'liveStream',
    text: 'Will you present into a live-stream from this device?',
    choices: () => [
      choice('Yes', { liveStream: true }, 'yes', 'yep', 'yeah', 'stream', 'streaming'),
      choice('No', { liveStream: false }, 'no', 'nope', 'not'),
    ],
    // The guide warns against phones and tablets for live-streams; elsewhere it does not matter.
    needed: (f) => f.role === 'presenter' && f.liveStream === undefined && (f.deviceType === 'mobile' || f.deviceType === 'tablet' || f.os === 'ios' || f.os === 'ipados' || f.os === 'android'),
  },
  {
    id: 'browser',
    checkable: true,
    fact: 'browser',
    text: 'Which browser are you using?',
    choices: () => [
      choice('Chrome', { browser: 'chrome' }, 'chrome', 'google'),
      choice('Edge', { browser: 'edge' }, 'edge', 'microsoft'),
      choice('Firefox', { browser: 'firefox' }, 'firefox', 'mozilla'),
      choice('Safari', { browser: 'safari' }, 'safari'),
      choice('Other', { browser: 'other' }, 'other', 'opera', 'brave'),
    ],
    // In an app's built-in browser the answer would be the app, and the first step does not depend on it.
    needed: (f) => !f.browser && f.inAppBrowser !== true,
  },
  {
    id: 'ios-version',
    checkable: true,
    fact: 'osVersion',
    text: 'Which iOS version does it run? (Settings → General → About)',
    choices: () => versionBands('iOS', (osVersion) => ({ osVersion })),
    needed: (f) => (f.os === 'ios' || f.os === 'ipados') && !f.osVersion,
  },
  {
    id: 'safari-version',
    checkable: true,
    fact: 'browserVersion',
    text: 'Which Safari version is it? (Safari menu → About Safari)',
    choices: () => versionBands('Safari', (browserVersion) => ({ browserVersion })),
    needed: (f) => f.os === 'macos' && f.browser === 'safari' && !f.browserVersion,
  },
];

export const DONT_KNOW = "I don't know";

/** The question that fills a fact, if the bot has one (the first, for facts two questions fill). */
export function questionFor(fact: FactName): Question | undefined {
  return questions.find((q) => q.fact === fact);
}

export function findQuestion(id: string): Question | undefined {
  return questions.find((q) => q.id === id);
}

/** The next question worth asking, or none: skips facts already known, declined, or unused by the rules. */
export function nextQuestion(facts: Facts, declined: readonly string[], ruleFacts: ReadonlySet<FactName>): Question | undefined {
  return questions.find((q) => ruleFacts.has(q.fact) && !declined.includes(q.id) && q.needed(facts));
}
