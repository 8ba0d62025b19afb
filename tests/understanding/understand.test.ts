import { describe, expect, it } from 'vitest';
import { understand, understandChoice, type Understanding } from '../../src/understanding';

// Messages written the way stressed people type them, and exactly what the bot must take from each.
const facts: [string, Understanding['facts']][] = [
  // the platform, several facts at once
  ['iphone chrome ios 13', { os: 'ios', deviceType: 'mobile', browser: 'chrome', osVersion: '13' }],
  ['Mac with Safari 13.1', { os: 'macos', deviceType: 'desktop', browser: 'safari', browserVersion: '13.1' }],
  ['win 11 edge', { os: 'windows', osVersion: '11', browser: 'edge' }],
  ["I'm on my iPhone with Chrome", { os: 'ios', deviceType: 'mobile', browser: 'chrome' }],
  ['mac, safari 13', { os: 'macos', deviceType: 'desktop', browser: 'safari', browserVersion: '13' }],
  ['win10 laptop google chrome 120', { os: 'windows', osVersion: '10', deviceType: 'desktop', browser: 'chrome', browserVersion: '120' }],
  ['firefox v115 on macos 14.4', { browser: 'firefox', browserVersion: '115', os: 'macos', osVersion: '14.4' }],
  ['ipad', { os: 'ipados', deviceType: 'tablet' }],
  ['iphone 13 with safari', { os: 'ios', deviceType: 'mobile', browser: 'safari' }],
  ['samsung galaxy, samsung internet', { os: 'android', browser: 'samsung' }],
  ['pixel 7 android 14 chrome', { os: 'android', osVersion: '14', browser: 'chrome' }],
  ['cant share my screen from my android phone', { os: 'android', deviceType: 'mobile', media: ['screen'], symptom: 'screen-share-failed' }],
  ['my android tablet mic', { os: 'android', deviceType: 'tablet', media: ['microphone'] }],
  ['chromebook', { os: 'chromeos', deviceType: 'desktop' }],
  ['chrome os', { os: 'chromeos' }],
  ['ubuntu + ff', { os: 'linux', browser: 'firefox' }],
  ['fedora laptop w/ brave', { os: 'linux', deviceType: 'desktop', browser: 'brave' }],
  ['its a pc', { os: 'windows', deviceType: 'desktop' }],
  ['laptop (windows)', { os: 'windows', deviceType: 'desktop' }],
  ['old imac running os x 10.13', { os: 'macos', deviceType: 'desktop', osVersion: '10.13' }],
  ['internet explorer', { browser: 'ie' }],
  ['opera gx', { browser: 'opera' }],
  ['not on windows, on a mac', { os: 'macos', deviceType: 'desktop' }],
  // symptoms
  ['my camera says permission denied', { media: ['camera'], symptom: 'permission-denied' }],
  ['mic blocked', { media: ['microphone'], symptom: 'permission-denied' }],
  ['webcam not allowed?? 😭', { media: ['camera'], symptom: 'permission-denied' }],
  ['it does not ask for permission', { symptom: 'no-prompt' }],
  ['the browser never asks me for the camera', { media: ['camera'], symptom: 'no-prompt' }],
  ["there's no popup at all", { symptom: 'no-prompt' }],
  ["chrome doesn't ask for permission for the mic", { browser: 'chrome', media: ['microphone'], symptom: 'no-prompt' }],
  ['no camera found', { media: ['camera'], symptom: 'not-found' }],
  ["it can't find my mic", { media: ['microphone'], symptom: 'not-found' }],
  ['webcam not detected on my laptop', { media: ['camera'], symptom: 'not-found', deviceType: 'desktop' }],
  ['it says the device is in use', { symptom: 'in-use' }],
  ['camera being used by another program', { media: ['camera'], symptom: 'in-use' }],
  ['nobody can see me', { media: ['camera'], symptom: 'no-video' }],
  ['no one can see me on the call', { media: ['camera'], symptom: 'no-video' }],
  ['my webcam is black', { media: ['camera'], symptom: 'no-video' }],
  ['just a black screen', { symptom: 'no-video' }],
  ['nobody can hear me', { media: ['microphone'], symptom: 'no-audio' }],
  ['they cant hear me!!', { media: ['microphone'], symptom: 'no-audio' }],
  ['no sound', { symptom: 'no-audio' }],
  ['my camera is fine but nobody can hear me', { media: ['microphone'], symptom: 'no-audio' }],
  ['video is choppy and laggy', { media: ['camera'], symptom: 'poor-quality' }],
  ['my voice sounds robotic and theres an echo', { media: ['microphone'], symptom: 'poor-quality' }],
  ['keeps freezing, super pixelated', { symptom: 'poor-quality' }],
  ['cant share my screen', { media: ['screen'], symptom: 'screen-share-failed' }],
  ['screenshare not working on firefox ubuntu', { media: ['screen'], symptom: 'screen-share-failed', browser: 'firefox', os: 'linux' }],
  ['Screen sharing only shows my wallpaper', { media: ['screen'], symptom: 'screen-share-failed' }],
  ['please help, my camera is blocked', { media: ['camera'], symptom: 'permission-denied' }],
  ['the camera is not blocked, it is just black', { media: ['camera'], symptom: 'no-video' }],
  ['not the camera, the mic is dead', { media: ['microphone'], symptom: 'no-audio' }],
  ['I clicked block by accident', { symptom: 'permission-denied' }],
  ['ad blocker is on', {}],
  // typos
  ['my camra doesnt show up', { media: ['camera'], symptom: 'not-found' }],
  ['mircophone not detected', { media: ['microphone'], symptom: 'not-found' }],
  ['permision denied for microphne', { media: ['microphone'], symptom: 'permission-denied' }],
  ['chrme on windwos', { browser: 'chrome', os: 'windows' }],
  ['safar1 on my iphnoe', { browser: 'safari', os: 'ios', deviceType: 'mobile' }],
  ['firefix blokced the webcam', { browser: 'firefox', symptom: 'permission-denied', media: ['camera'] }],
  // pasted browser errors
  ['NotAllowedError: Permission denied by system', { errorName: 'NotAllowedError', errorMessage: 'Permission denied by system', symptom: 'permission-denied' }],
  ['NotAllowedError: Permission denied', { errorName: 'NotAllowedError', errorMessage: 'Permission denied', symptom: 'permission-denied' }],
  ['Permission dismissed', { errorName: 'NotAllowedError', errorMessage: 'Permission dismissed' }],
  ['NotReadableError: Could not start video source', { errorName: 'NotReadableError', errorMessage: 'Could not start video source', symptom: 'in-use', media: ['camera'] }],
  ['it says Concurrent mic process limit.', { errorName: 'NotReadableError', errorMessage: 'Concurrent mic process limit.', symptom: 'in-use', media: ['microphone'] }],
  ['NotReadableError: Failed to allocate videosource', { errorName: 'NotReadableError', errorMessage: 'Failed to allocate videosource', symptom: 'in-use', media: ['camera'] }],
  ['NotFoundError: Requested device not found', { errorName: 'NotFoundError', errorMessage: 'Requested device not found', symptom: 'not-found' }],
  ['AbortError: Timeout starting video source', { errorName: 'AbortError', errorMessage: 'Timeout starting video source', media: ['camera'] }],
  ['OverconstrainedError', { errorName: 'OverconstrainedError' }],
  ['InvalidStateError: Failed to execute getDisplayMedia', { errorName: 'InvalidStateError', errorMessage: 'Failed to execute getDisplayMedia' }],
  ['SecurityError: The operation is insecure.', { errorName: 'SecurityError', errorMessage: 'The operation is insecure.' }],
  [
    "TypeError: Cannot read properties of undefined (reading 'getUserMedia')",
    { errorName: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'getUserMedia')" },
  ],
  // the platform's own error texts
  ['Browser error: Camera unavailable (it is probably in use by another program)', { media: ['camera'], symptom: 'in-use' }],
  ['Browser error: Microphone unavailable (it is probably in use by another program)', { media: ['microphone'], symptom: 'in-use' }],
  ['Permission to access microphone denied', { media: ['microphone'], symptom: 'permission-denied' }],
  ['Permission to access camera denied', { media: ['camera'], symptom: 'permission-denied' }],
  ['Permission to share screen denied', { media: ['screen'], symptom: 'permission-denied' }],
  ['Browser error: Screen-share unavailable (are you sharing your screen in another application?)', { media: ['screen'], symptom: 'in-use' }],
  ['Your browser does not support sharing your screen.', { media: ['screen'], symptom: 'screen-share-failed' }],
  ['No camera available', { media: ['camera'], symptom: 'not-found' }],
  ['Browser error: Failed to unmute', { media: ['microphone'] }],
  // urgency, live sessions and roles
  ["I'm presenting in 5 minutes!", { role: 'presenter', urgent: true, liveConference: true }],
  ['my session starts in 10 min', { urgent: true, liveConference: true }],
  ['session is live right now', { urgent: true, liveConference: true }],
  ["URGENT i'm live and nobody can hear me", { urgent: true, liveConference: true, media: ['microphone'], symptom: 'no-audio' }],
  ['asap pls', { urgent: true, liveConference: true }],
  ['starting in 5', { urgent: true, liveConference: true }],
  ['on stage now and my mic is dead', { urgent: true, liveConference: true, role: 'presenter', media: ['microphone'], symptom: 'no-audio' }],
  ['keynote starting and camra is black', { urgent: true, liveConference: true, media: ['camera'], symptom: 'no-video' }],
  ['my talk starts in ten minutes and the webcam is black', { role: 'presenter', urgent: true, liveConference: true, media: ['camera'], symptom: 'no-video' }],
  ["I'm speaking at the conference tomorrow", { role: 'presenter' }],
  ["it's not urgent, I'm just attending", { role: 'attendee' }],
  ['just watching, no sound', { role: 'attendee', symptom: 'no-audio' }],
  ["i'm doing a live stream from my phone", { liveStream: true, deviceType: 'mobile' }],
  ["i'm livestreaming the keynote", { liveStream: true }],
  // nothing to take
  ['hello there', {}],
  ['the weather is lovely today', {}],
  ['my thing is broken', {}],
  ['', {}],
  ['🙂🙂🙂', {}],
  ['where is the coffee break room?', {}],
  ['my speakers are too loud', {}],
];

const commands: [string, Understanding][] = [
  ['help', { facts: {}, command: 'help' }],
  ['Help!', { facts: {}, command: 'help' }],
  ['help me pls', { facts: {}, command: 'help' }],
  ['restart', { facts: {}, command: 'restart' }],
  ['start over please', { facts: {}, command: 'restart' }],
  ["ok let's begin again", { facts: {}, command: 'restart' }],
  ['reset', { facts: {}, command: 'restart' }],
  ['human', { facts: {}, command: 'human' }],
  ['agent', { facts: {}, command: 'human' }],
  ['can I talk to a person please', { facts: {}, command: 'human' }],
  ['real person pls', { facts: {}, command: 'human' }],
  ['this is useless, I need a human', { facts: {}, command: 'human' }],
  ['get me someone from support', { facts: {}, command: 'human' }],
  // an explicit request for a person counts even inside a description, and the facts are kept
  ['mic still blocked in chrome, i want to talk to a real person', { facts: { media: ['microphone'], symptom: 'permission-denied', browser: 'chrome' }, command: 'human' }],
  ['status', { facts: {}, command: 'status' }],
  ["what's my position in the queue?", { facts: {}, command: 'status' }],
  ['diagnostics', { facts: {}, command: 'diagnostics' }],
  ['show diagnostics', { facts: {}, command: 'diagnostics' }],
  ['what do you know', { facts: {}, command: 'diagnostics' }],
  // "help" inside a description is a description
  ['please help, my camera is blocked', { facts: { media: ['camera'], symptom: 'permission-denied' } }],
  ['help my mic isnt working in edge', { facts: { media: ['microphone'], browser: 'edge' } }],
  ['can you help me figure out why nothing works for me today', { facts: {} }],
  ['restart on mac did nothing', { facts: { os: 'macos', deviceType: 'desktop' } }],
  ['the agent string says chrome', { facts: { browser: 'chrome' } }],
];

const answers: [string, Understanding][] = [
  ['That fixed it', { facts: {}, answer: 'fixed' }],
  ['fixed!!', { facts: {}, answer: 'fixed' }],
  ['works now 🎉', { facts: {}, answer: 'fixed' }],
  ['it works', { facts: {}, answer: 'fixed' }],
  ['yes that worked, thanks', { facts: {}, answer: 'fixed' }],
  ['solved', { facts: {}, answer: 'fixed' }],
  ["didn't help", { facts: {}, answer: 'not-fixed' }],
  ['did not help', { facts: {}, answer: 'not-fixed' }],
  ['nope still broken', { facts: {}, answer: 'not-fixed' }],
  ['no luck', { facts: {}, answer: 'not-fixed' }],
  ['didnt help, camera still black', { facts: { media: ['camera'] }, answer: 'not-fixed' }],
  ['already tried that', { facts: {}, answer: 'already-tried' }],
  ['tried that', { facts: {}, answer: 'already-tried' }],
  ['done that already', { facts: {}, answer: 'already-tried' }],
  ['I dont know', { facts: {}, answer: 'dont-know' }],
  ['not sure', { facts: {}, answer: 'dont-know' }],
  ['no idea', { facts: {}, answer: 'dont-know' }],
  ['dunno', { facts: {}, answer: 'dont-know' }],
  ['idk', { facts: {}, answer: 'dont-know' }],
  ['yes', { facts: {}, answer: 'yes' }],
  ['yep', { facts: {}, answer: 'yes' }],
  ['nope', { facts: {}, answer: 'no' }],
  ['no', { facts: {}, answer: 'no' }],
  ['no not live', { facts: {}, answer: 'no' }],
  ["no, it's chrome", { facts: { browser: 'chrome' }, answer: 'no' }],
  // "no" inside a fact phrase is not the answer no; a symptom is not a fix
  ['no camera found', { facts: { media: ['camera'], symptom: 'not-found' } }],
  ['no sound', { facts: { symptom: 'no-audio' } }],
  ['it worked yesterday but now my camera is blocked', { facts: { media: ['camera'], symptom: 'permission-denied' } }],
];

describe('understand(): facts', () => {
  it.each(facts)('%j', (text, expected) => {
    expect(understand(text)).toEqual({ facts: expected });
  });
});

describe('understand(): commands only when the message is essentially the command', () => {
  it.each(commands)('%j', (text, expected) => {
    expect(understand(text)).toEqual(expected);
  });
});

describe('understand(): answers to step and question buttons', () => {
  it.each(answers)('%j', (text, expected) => {
    expect(understand(text)).toEqual(expected);
  });
});

describe('understand(): robustness', () => {
  it('survives hostile input without guessing', () => {
    expect(understand('a'.repeat(100_000))).toEqual({ facts: {} });
    expect(understand('__proto__ constructor prototype hasOwnProperty')).toEqual({ facts: {} });
    expect(understand('{media} {osVersion} ^no * |')).toEqual({ facts: {} });
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('hands out readings nobody can change for the next caller (the same words are read once and remembered)', () => {
    const first = understand('camera blocked');
    expect(() => first.facts.media?.push('screen')).toThrow(TypeError);
    expect(() => Object.assign(first.facts, { os: 'windows' })).toThrow(TypeError);
    expect(understand('camera blocked').facts).toEqual({ media: ['camera'], symptom: 'permission-denied' });
    // Read once: a turn reads its text two or three times, and button words come back all day.
    expect(understand("Didn't help")).toBe(understand("Didn't help"));
  });

  it('keeps a pasted error message whole, at most 300 characters', () => {
    const long = `NotAllowedError: ${'x'.repeat(1000)}`;
    expect(understand(long).facts.errorMessage).toHaveLength(300);
  });

  it('leaves out a fact given two different values instead of guessing', () => {
    expect(understand('it fails in chrome and in firefox').facts).toEqual({});
  });
});

describe('understandChoice()', () => {
  const os = [
    { value: 'Windows PC', synonyms: ['windows', 'pc'] },
    { value: 'Mac', synonyms: ['mac', 'macbook'] },
    { value: 'iPhone', synonyms: ['iphone', 'ios'] },
  ];
  const live = [
    { value: 'Yes, live now', synonyms: ['live', 'yes'] },
    { value: 'Not live', synonyms: ['no', 'not live'] },
    { value: "I don't know", synonyms: ['dont know'] },
  ];

  it.each([
    ['Windows PC', 'Windows PC'],
    ['windows pc', 'Windows PC'],
    ['mac', 'Mac'],
    ['its my macbook', 'Mac'],
    ['iphnoe', 'iPhone'],
    ['my iphnoe', 'iPhone'],
    ['windows or mac', undefined],
    ['banana', undefined],
    ['', undefined],
    ['   ', undefined],
  ])('%j → %j', (text, expected) => {
    expect(understandChoice(text, os)).toBe(expected);
  });

  it.each([
    ['not live', 'Not live'],
    ["I don't know", "I don't know"],
    ['i dont know', "I don't know"],
    ['Yes, live now', 'Yes, live now'],
  ])('%j → %j (multi-word choices)', (text, expected) => {
    expect(understandChoice(text, live)).toBe(expected);
  });

  it('does not pick a button whose word the person negated', () => {
    const soon = [
      { value: 'Yes, very soon', synonyms: ['yes', 'soon', 'live'] },
      { value: 'No, later', synonyms: ['no', 'later'] },
    ];
    expect(understandChoice('not live', soon)).toBeUndefined();
    expect(understandChoice('its not soon', soon)).toBeUndefined();
    expect(understandChoice('its live', soon)).toBe('Yes, very soon');
  });
});
