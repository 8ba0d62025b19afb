import { describe, expect, it } from 'vitest';
import { understand, understandChoice, type Understanding } from '../../src/understanding';

// Messages written the way stressed people type them, with what the bot must take from each.
const messages: [string, Understanding][] = [
  // platform, several facts at once
  ['iphone chrome ios 13', { facts: { os: 'ios', deviceType: 'mobile', browser: 'chrome', osVersion: '13' } }],
  ['Mac with Safari 13.1', { facts: { os: 'macos', deviceType: 'desktop', browser: 'safari', browserVersion: '13.1' } }],
  ['win 11 edge', { facts: { os: 'windows', osVersion: '11', browser: 'edge' } }],
  ["I'm on my iPhone with Chrome", { facts: { os: 'ios', deviceType: 'mobile', browser: 'chrome' } }],
  ['mac, safari 13', { facts: { os: 'macos', deviceType: 'desktop', browser: 'safari', browserVersion: '13' } }],
  ['windows 10 laptop, google chrome', { facts: { os: 'windows', osVersion: '10', deviceType: 'desktop', browser: 'chrome' } }],
  ['ipad', { facts: { os: 'ipados', deviceType: 'tablet' } }],
  ['chromebook mic not found', { facts: { os: 'chromeos', deviceType: 'desktop', media: ['microphone'], symptom: 'not-found' } }],
  ['firefox on ubuntu, screen share not working', { facts: { os: 'linux', deviceType: 'desktop', browser: 'firefox', media: ['screen'], symptom: 'screen-share-failed' } }],
  ['mic blocked on android samsung internet', { facts: { os: 'android', browser: 'samsung', media: ['microphone'], symptom: 'permission-denied' } }],
  ['using firefox 115 on my macbook', { facts: { os: 'macos', deviceType: 'desktop', browser: 'firefox', browserVersion: '115' } }],
  ['Edge', { facts: { browser: 'edge' } }],
  ['its a pc', { facts: { os: 'windows' } }],
  // symptoms
  ['my camera says permission denied', { facts: { media: ['camera'], symptom: 'permission-denied' } }],
  ['nobody can hear me', { facts: { media: ['microphone'], symptom: 'no-audio' } }],
  ['they cant hear me!!', { facts: { media: ['microphone'], symptom: 'no-audio' } }],
  ['no one can see me on the call', { facts: { media: ['camera'], symptom: 'no-video' } }],
  ['it says the device is in use', { facts: { symptom: 'in-use' } }],
  ['it does not ask for permission', { facts: { symptom: 'no-prompt' } }],
  ['the browser never asks me for the camera', { facts: { media: ['camera'], symptom: 'no-prompt' } }],
  ['Screen sharing only shows my wallpaper', { facts: { media: ['screen'], symptom: 'screen-share-failed' } }],
  ['I am attending, video is choppy', { facts: { media: ['camera'], symptom: 'poor-quality', role: 'attendee' } }],
  ['my webcam is black', { facts: { media: ['camera'], symptom: 'no-video' } }],
  ['please help, my camera is blocked', { facts: { media: ['camera'], symptom: 'permission-denied' } }],
  ['cant share my screen', { facts: { media: ['screen'], symptom: 'screen-share-failed' } }],
  ['my voice sounds robotic and echoes', { facts: { symptom: 'poor-quality' } }],
  // typos
  ['my camra doesnt show up', { facts: { media: ['camera'], symptom: 'not-found' } }],
  ['mircophone not detected', { facts: { media: ['microphone'], symptom: 'not-found' } }],
  ['permision denied for microphne', { facts: { media: ['microphone'], symptom: 'permission-denied' } }],
  ['chrme on windwos', { facts: { browser: 'chrome', os: 'windows' } }],
  // pasted browser errors and the platform's own texts
  ['NotAllowedError: Permission denied by system', { facts: { errorName: 'NotAllowedError', errorMessage: 'Permission denied by system', symptom: 'permission-denied' } }],
  ['NotReadableError: Could not start video source', { facts: { errorName: 'NotReadableError', errorMessage: 'Could not start video source', symptom: 'in-use', media: ['camera'] } }],
  ['NotFoundError: Requested device not found', { facts: { errorName: 'NotFoundError', errorMessage: 'Requested device not found', symptom: 'not-found' } }],
  ['it says Concurrent mic process limit.', { facts: { errorName: 'NotReadableError', errorMessage: 'Concurrent mic process limit.', symptom: 'in-use', media: ['microphone'] } }],
  ['AbortError: Timeout starting video source', { facts: { errorName: 'AbortError', errorMessage: 'Timeout starting video source', media: ['camera'] } }],
  ['Permission dismissed', { facts: { errorName: 'NotAllowedError', errorMessage: 'Permission dismissed' } }],
  ['Browser error: Camera unavailable (it is probably in use by another program)', { facts: { media: ['camera'], symptom: 'in-use' } }],
  ['Browser error: Microphone unavailable (it is probably in use by another program)', { facts: { media: ['microphone'], symptom: 'in-use' } }],
  ['Permission to access microphone denied', { facts: { media: ['microphone'], symptom: 'permission-denied' } }],
  ['Permission to share screen denied', { facts: { media: ['screen'], symptom: 'permission-denied' } }],
  // urgency, live session, role
  ["I'm presenting in 5 minutes", { facts: { role: 'presenter', urgent: true, liveConference: true } }],
  ["I'm presenting in 5 minutes!", { facts: { role: 'presenter', urgent: true, liveConference: true } }],
  ['session is live right now', { facts: { urgent: true, liveConference: true } }],
  ['my session starts in 10 min', { facts: { urgent: true, liveConference: true } }],
  ["URGENT i'm live and nobody can hear me", { facts: { urgent: true, liveConference: true, media: ['microphone'], symptom: 'no-audio' } }],
  ['my talk starts in 10 min and the webcam is black', { facts: { role: 'presenter', urgent: true, liveConference: true, media: ['camera'], symptom: 'no-video' } }],
  ["i'm doing a live stream from my phone", { facts: { liveStream: true, deviceType: 'mobile' } }],
  // commands
  ['help', { facts: {}, command: 'help' }],
  ['Help!', { facts: {}, command: 'help' }],
  ['restart', { facts: {}, command: 'restart' }],
  ['start over please', { facts: {}, command: 'restart' }],
  ['human', { facts: {}, command: 'human' }],
  ['agent', { facts: {}, command: 'human' }],
  ['can I talk to a person please', { facts: {}, command: 'human' }],
  ['this is useless, I need a human', { facts: {}, command: 'human' }],
  ['status', { facts: {}, command: 'status' }],
  ['diagnostics', { facts: {}, command: 'diagnostics' }],
  // answers
  ['That fixed it', { facts: {}, answer: 'fixed' }],
  ['yes that worked, thanks', { facts: {}, answer: 'fixed' }],
  ["didn't help", { facts: {}, answer: 'not-fixed' }],
  ['nope still broken', { facts: {}, answer: 'not-fixed' }],
  ['already tried that', { facts: {}, answer: 'already-tried' }],
  ['I dont know', { facts: {}, answer: 'dont-know' }],
  ['no idea', { facts: {}, answer: 'dont-know' }],
  ['idk', { facts: {}, answer: 'dont-know' }],
  ['yes', { facts: {}, answer: 'yes' }],
  ['nope', { facts: {}, answer: 'no' }],
  // nothing to take
  ['hello there', { facts: {} }],
  ['thanks a lot', { facts: {} }],
  ['the weather is lovely today', { facts: {} }],
  ['', { facts: {} }],
];

describe('understand()', () => {
  it.each(messages)('%j', (text, expected) => {
    expect(understand(text)).toEqual(expected);
  });

  it('treats "help" inside a description as a description, not the help command', () => {
    const result = understand('please help, my microphone is blocked in chrome');
    expect(result.command).toBeUndefined();
    expect(result.facts).toMatchObject({ media: ['microphone'], symptom: 'permission-denied', browser: 'chrome' });
  });

  it('does not guess: no value it cannot read', () => {
    expect(understand('my thing is broken').facts).toEqual({});
  });

  it('survives hostile input', () => {
    expect(understand('a'.repeat(100_000)).facts).toEqual({});
    expect(understand('__proto__ constructor prototype').facts).toEqual({});
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('understandChoice()', () => {
  const os = [
    { value: 'Windows PC', synonyms: ['windows', 'pc'] },
    { value: 'Mac', synonyms: ['mac', 'macbook'] },
    { value: 'iPhone', synonyms: ['iphone', 'ios'] },
  ];
  it.each([
    ['Windows PC', 'Windows PC'],
    ['mac', 'Mac'],
    ['its my macbook', 'Mac'],
    ['iphnoe', 'iPhone'],
    ['windows or mac', undefined],
    ['banana', undefined],
    ['', undefined],
  ])('%j → %j', (text, expected) => {
    expect(understandChoice(text, os)).toBe(expected);
  });
});
