import { describe, it, expect } from 'vitest';
import { formatRuleFile } from '../../src/diagnosis/ruleFormat';

const leaf = { value: 'macos', operator: 'equal', fact: 'os' };

describe('the rules format', () => {
  it('writes a short list or object on one line, in the usual key order, and the top of the file one item a line', () => {
    expect(formatRuleFile({ rules: [{ event: { params: { rank: 1, adviceId: 'test-call' }, type: 'step' }, id: 'a' }], topic: 't' })).toBe([
      '{',
      '  "topic": "t",',
      '  "rules": [{ "id": "a", "event": { "type": "step", "params": { "adviceId": "test-call", "rank": 1 } } }]',
      '}',
      '',
    ].join('\n'));
  });

  it('puts one item a line when the line would be longer than 120 characters', () => {
    const text = formatRuleFile({ rules: [{ id: 'a', conditions: { all: [leaf, leaf, leaf] } }] });
    expect(text).toContain([
      '      "conditions": {',
      '        "all": [',
      '          { "fact": "os", "operator": "equal", "value": "macos" },',
    ].join('\n'));
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
  });

  it('keeps the author\'s order of advice ids and shared condition names', () => {
    const text = formatRuleFile({ advice: { title: { text: 'b', title: 'a' }, 'close-other-apps': { title: 'c' } } });
    expect(text.indexOf('"title": {')).toBeLessThan(text.indexOf('"close-other-apps"'));
    expect(text).toContain('{ "title": "a", "text": "b" }');
  });

  it('gives the same text for a file it wrote, and keeps the content', () => {
    const content = { description: 'd', rules: [{ id: 'a', description: 'x'.repeat(150), conditions: { any: [leaf, { not: { condition: 'c' } }] } }] };
    const text = formatRuleFile(content);
    expect(JSON.parse(text)).toEqual(content);
    expect(formatRuleFile(JSON.parse(text))).toBe(text);
  });
});
