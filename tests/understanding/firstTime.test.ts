import { describe, expect, it } from 'vitest';
import { understand, understandChoice } from '../../src/understanding';

// Written the way people describe their situation in a support chat, typos and all.
describe('an app\'s built-in browser, from the words alone', () => {
  it.each([
    'I tapped the link in the Facebook app and the camera wont work',
    'opened it from linkedin',
    'clicked the link in teams',
    'the link in slack opens this page',
    "im in the slack app",
    'I followed the link on Instagram',
    'opening it inside wechat',
    'it opened in the instagram browser',
    "i'm using the in-app browser",
    'tapped the link in my twitter app',
    'the built in browser of messenger',
  ])('%j → inAppBrowser', (text) => {
    expect(understand(text).facts.inAppBrowser).toBe(true);
  });

  it.each([
    'teams is using my camera',
    'the camera works in the teams app but not here',
    'I closed slack and zoom',
    'i opened the link from an email in outlook',
  ])('%j is not an in-app browser', (text) => {
    expect(understand(text).facts.inAppBrowser).toBeUndefined();
  });
});

describe('a device the employer or school manages', () => {
  it.each([
    ["it's my company laptop", { managedDevice: true, deviceType: 'desktop' }],
    ['work laptop, IT locked it down', { managedDevice: true, deviceType: 'desktop' }],
    ['chrome says your browser is managed by your organization', { managedDevice: true, browser: 'chrome' }],
    ['my school chromebook wont ask for the camera', { managedDevice: true, os: 'chromeos', deviceType: 'desktop', media: ['camera'], symptom: 'no-prompt' }],
    ['on my work macbook', { managedDevice: true, os: 'macos', deviceType: 'desktop' }],
    ['our it department blocks the webcam', { managedDevice: true, media: ['camera'], symptom: 'permission-denied' }],
    ['the admin disabled the microphone i think', { managedDevice: true, media: ['microphone'] }],
    ['blocked by your administrator', { managedDevice: true, symptom: 'permission-denied' }],
    ['its a corporate pc', { managedDevice: true, deviceType: 'desktop' }],
    ['group policy maybe?', { managedDevice: true }],
  ] as const)('%j', (text, expected) => {
    expect(understand(text).facts).toEqual(expected);
  });

  it.each(['it locked up', 'my camera works at work', 'I work from home'])('%j is not a managed device', (text) => {
    expect(understand(text).facts.managedDevice).toBeUndefined();
  });
});

describe('a conference inside another site or portal', () => {
  it.each([
    'the conference is embedded in our university portal',
    'it runs inside our intranet',
    "we watch it inside the company's sharepoint",
    'the event is part of another website',
    'its in an iframe on our site',
    'it is shown inside another website',
    'embedded on the members page',
  ])('%j → inIframe', (text) => {
    expect(understand(text).facts.inIframe).toBe(true);
  });

  it.each(['the page is blank', 'I opened the website'])('%j is not a frame', (text) => {
    expect(understand(text).facts.inIframe).toBeUndefined();
  });
});

describe('two values for one fact: settled by context, or asked', () => {
  it.each([
    ['close all other windows and it still fails on my mac', { os: 'macos', deviceType: 'desktop' }],
    ['I have two windows open, chrome', { browser: 'chrome' }],
    ['opened in a new window on safari', { browser: 'safari' }],
    ['i tried to be brave and clicked allow on firefox', { browser: 'firefox' }],
  ] as const)('an ordinary word is not a value: %j', (text, expected) => {
    const understood = understand(text);
    expect(understood.facts).toMatchObject(expected);
    expect(understood.ambiguous).toBeUndefined();
  });

  it.each([
    ["I have a mac but I'm using windows right now", 'os', ['macos', 'windows']],
    ['my windows laptop with the chrome browser, firefox didnt work either', 'browser', ['chrome', 'firefox']],
    ['it fails in chrome and in firefox', 'browser', ['chrome', 'firefox']],
    ['iphone or android, i have both', 'os', ['ios', 'android']],
  ] as const)('%j → asks which %s', (text, fact, values) => {
    const understood = understand(text);
    expect(understood.facts[fact]).toBeUndefined();
    expect(understood.ambiguous).toEqual([{ fact, values }]);
  });
});

describe('common phrasings of symptoms and answers', () => {
  it.each([
    ["can't find the device", 'not-found'],
    ['device not found', 'not-found'],
    ['it cant find my device', 'not-found'],
    ['says no devices', 'not-found'],
    ["it doesn't ask", 'no-prompt'],
    ["it doesn't even ask me", 'no-prompt'],
    ['no popup', 'no-prompt'],
  ])('%j → %s', (text, symptom) => {
    expect(understand(text).facts.symptom).toBe(symptom);
  });

  it.each([
    'no clue', 'beats me', 'not a clue tbh', 'idk lol', "haven't got a clue", 'no idea sorry', 'dunno tbh', 'who knows',
    "I don't know", 'not sure', 'search me',
  ])('%j → I don\'t know', (text) => {
    expect(understand(text).answer).toBe('dont-know');
  });
});

describe('a typed answer almost word for word a button title is that button', () => {
  const symptoms = [
    { value: 'It says permission denied', synonyms: [] },
    { value: 'It never asks for permission', synonyms: [] },
    { value: "It can't find the device", synonyms: [] },
    { value: "Others can't see me", synonyms: [] },
    { value: 'Something else', synonyms: [] },
  ];
  const live = [
    { value: 'Yes, very soon', synonyms: [] },
    { value: 'No, later', synonyms: [] },
  ];
  it.each([
    ["can't find the device", "It can't find the device"],
    ['it cant find the device', "It can't find the device"],
    ['never asks for permission', 'It never asks for permission'],
    ['it says permission is denied', 'It says permission denied'],
    ['others cant see me', "Others can't see me"],
    ['yes soon', 'Yes, very soon'],
    ['soon', undefined],
    ['yes very soon', 'Yes, very soon'],
  ])('%j → %j', (text, expected) => {
    expect(understandChoice(text, [...symptoms, ...live])).toBe(expected);
  });
});

describe('thanks and goodbyes', () => {
  it.each(['thanks', 'ok bye', 'great', 'thanks a lot', 'lol ok', 'cheers!', 'thank you so much', 'great, thanks for your help', 'perfect thanks', 'ok cool bye', 'ty', 'awesome 👍'])('%j closes', (text) => {
    expect(understand(text)).toMatchObject({ closing: true, facts: {} });
  });
  it.each(['thanks, but the mic is still blocked', 'ok my camera is black now', 'great, now the screen share fails', 'bye the way it is on windows'])('%j does not', (text) => {
    expect(understand(text).closing).toBeUndefined();
  });
});

describe('"that\'s wrong" corrects what was understood', () => {
  it.each(["that's wrong", 'thats not right', 'wrong', 'no, thats wrong', 'you misunderstood'])('%j', (text) => {
    expect(understand(text).command).toBe('correct');
  });
  it('is not read from a longer message about the problem', () => {
    expect(understand('something is wrong with my camera').command).toBeUndefined();
  });
});
