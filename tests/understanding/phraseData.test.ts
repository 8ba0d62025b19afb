import { describe, expect, it } from 'vitest';
import { PhraseDataError, createUnderstanding, understand } from '../../src/understanding';

/** The smallest phrase data the schema accepts: one phrase per command and answer, two facts. */
function tinyPhrases() {
  const one = (word: string) => ({ alone: [word] });
  return {
    normalise: { contractions: { 'does not': 'doesnt' }, numbers: ['two'], filler: ['please', 'my'], keep: ['there'], typos: ['camera'] },
    negation: { negators: ['not', 'doesnt'], bridges: ['on'], mediaWorks: ['is fine'] },
    values: { media: { camera: ['camera', 'webcam'] }, os: { macos: ['mac'], windows: ['windows', 'pc'] } },
    phrases: [{ say: ['camera blocked'], facts: { symptom: 'permission-denied' } }],
    commands: { help: one('help'), restart: one('restart'), human: { alone: ['human'], anywhere: ['talk to a person'] }, status: one('status'), diagnostics: one('diagnostics'), correct: one('wrong') },
    closing: { strong: ['thanks'], also: ['much'] },
    answers: { fixed: ['fixed'], 'not-fixed': ['still broken'], 'already-tried': ['tried that'], 'dont-know': ['dunno'], yes: ['yes'], no: ['^no'] },
  };
}
type Tiny = ReturnType<typeof tinyPhrases>;

describe('createUnderstanding over other phrase data', () => {
  const tiny = createUnderstanding(tinyPhrases(), 'tiny');

  it.each<[string, ReturnType<typeof tiny.understand>]>([
    ['my camra is blocked on a mac', { facts: { media: ['camera'], os: 'macos' } }],
    // a phrase inside a longer one is part of it: "camera" inside "camera blocked"
    ['camera blocked', { facts: { symptom: 'permission-denied' } }],
    ['not on windows, on a mac', { facts: { os: 'macos' } }],
    ['mac or pc', { facts: {}, ambiguous: [{ fact: 'os', values: ['macos', 'windows'] }] }],
    ['my webcam is fine', { facts: {} }],
    ['help please', { facts: {}, command: 'help' }],
    ['can I talk to a person about my camera', { facts: { media: ['camera'] }, command: 'human' }],
    ['still broken', { facts: {}, answer: 'not-fixed' }],
    ['thanks much', { facts: {}, closing: true }],
    ['my iphone', { facts: {} }],
  ])('%j → %j', (text, expected) => {
    expect(tiny.understand(text)).toEqual(expected);
  });

  it('knows only its own words: the project data reads "iphone", the tiny set does not', () => {
    expect(understand('my iphone').facts.os).toBe('ios');
    expect(tiny.understandChoice('pc', [{ value: 'Windows', synonyms: ['windows', 'pc'] }, { value: 'Mac', synonyms: ['mac'] }])).toBe('Windows');
  });
});

/** A change to the tiny data that must be refused, and what the refusal says. */
const refused: [string, (data: Tiny) => void, RegExp][] = [
  ['a word twice in one list', (d) => d.normalise.filler.push('please'), /^tiny: normalise\.filler: "please" is written twice/],
  ['a negator twice', (d) => d.negation.negators.push('not'), /negation\.negators: "not" is written twice/],
  ['a phrase twice under one value', (d) => d.values.media.camera.push('webcam'), /values\.media: "webcam" is written twice in values\.media\.camera/],
  ['a phrase under two values of one fact', (d) => d.values.os.macos.push('pc'), /values\.os: "pc" is in both values\.os\.macos and values\.os\.windows/],
  ['a phrase in two fact phrases', (d) => d.phrases.push({ say: ['camera blocked'], facts: { symptom: 'not-found' } }), /phrases: "camera blocked" is in both phrases\[0\] and phrases\[1\]/],
  ['a phrase for two commands', (d) => d.commands.status.alone.push('help'), /commands: "help" is in both commands\.help and commands\.status/],
  ['a phrase for two answers', (d) => d.answers.yes.push('fixed'), /answers: "fixed" is in both answers\.fixed and answers\.yes/],
  ['a closing word both strong and also', (d) => d.closing.also.push('thanks'), /closing: "thanks" is in both closing\.strong and closing\.also/],
  ['a word kept and dropped as filler', (d) => d.normalise.keep.push('please'), /normalise\.keep: "please" is both kept \(normalise\.keep\) and dropped as filler \(normalise\.filler\)/],
  ['a word kept that normalising replaces', (d) => { d.normalise.keep.push('cannot'); Object.assign(d.normalise.contractions, { cannot: 'cant' }); }, /normalise\.keep: "cannot" is kept \(normalise\.keep\) but normalising replaces it with "cant"/],
  ['a missing answer', (d) => Reflect.deleteProperty(d.answers, 'yes'), /answers\.yes: Required/],
  ['an unknown fact value', (d) => Object.assign(d.values.os, { beos: ['beos'] }), /values\.os\.beos: /],
  ['a typo target no phrase uses', (d) => d.normalise.typos.push('printer'), /normalise\.typos: "printer" is in no phrase/],
  ['a phrase written unfolded', (d) => d.answers['not-fixed'].push('does not work'), /"does not" never survives normalising; write "doesnt"/],
];

describe('phrase data that is refused', () => {
  it('the tiny data itself is accepted', () => {
    expect(() => createUnderstanding(tinyPhrases())).not.toThrow();
  });

  it.each(refused)('%s', (_, change, message) => {
    const data = tinyPhrases();
    change(data);
    let error: unknown;
    try {
      createUnderstanding(data, 'tiny');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PhraseDataError);
    expect(error instanceof Error ? error.message : '').toMatch(message);
  });

  it('names every problem at once', () => {
    const data = tinyPhrases();
    data.normalise.filler.push('please');
    data.answers.yes.push('fixed');
    expect(() => createUnderstanding(data, 'tiny')).toThrow(/filler: "please" is written twice; answers: "fixed" is in both/);
  });
});
