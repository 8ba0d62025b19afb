import { describe, expect, it } from 'vitest';
import { inert } from '../../dialogs/inertText';
import { dialogHarness } from '../helpers/dialogs';

// Web Chat's markdown engine (markdown-it, installed with botframework-webchat) with the options
// Web Chat renders messages with: raw HTML on, linkify on. Whatever it turns into an element
// would show on the person's page.
const markdownIt: (options: object) => { render(text: string): string } = require('markdown-it');
const webChatMarkdown = markdownIt({ html: true, linkify: true, typographer: true });
const elements = (markdown: string) => [...webChatMarkdown.render(markdown).matchAll(/<(\w+)/g)].map((m) => m[1]).filter((tag) => tag !== 'p');

const HOSTILE = [
  '[click here](https://evil.example/login)',
  '![pixel](https://evil.example/p.png)',
  '<img src=x onerror=alert(1)>',
  '<a href="https://evil.example">support</a>',
  'https://evil.example/reset',
  'www.evil.example',
  'evil.com',
  'help@evil.example',
  '**URGENT** call +1 555 0100',
  '# Heading\n\n- list',
  '`code` and <script>alert(1)</script>',
  'javascript:alert(1)',
];

describe('text the bot repeats from a client', () => {
  it.each(HOSTILE)('%j renders as plain text in Web Chat', (hostile) => {
    expect(elements(inert(hostile))).toEqual([]);
    // and reads as what was sent
    expect(webChatMarkdown.render(inert(hostile)).replace(/<\/?p>|\n/g, '')).not.toBe('');
  });

  it.each(['Permission denied by system', 'Could not start video source', '120', '10.15.7'])('%j stays as it is', (plain) => {
    expect(inert(plain)).toBe(plain);
  });

  it('flattens line breaks and control characters, and keeps at most 300 characters', () => {
    expect(inert('a\nb\r\n\u0000c')).toBe('a b c');
    expect(inert('x'.repeat(1000))).toHaveLength(300);
  });

  it("the probe sentence and the diagnostics card repeat the browser's message without a link or image", async () => {
    const h = dialogHarness();
    const message = '[Reset your password](https://evil.example) ![x](https://evil.example/x.png) <img src=x> www.evil.example';
    const replies = await h.say({
      type: 'event',
      name: 'diagnostics',
      value: {
        userAgentData: { brands: [{ brand: 'Google Chrome', version: '[1](https://evil.example)' }], mobile: false, platform: 'Windows' },
        getUserMedia: { requested: ['camera'], ok: false, errorName: 'NotReadableError', errorMessage: message },
      },
    });
    const sentence = replies[0]?.text ?? '';
    expect(sentence).toContain('NotReadableError');
    expect(elements(sentence)).toEqual([]);

    const card = (await h.say('diagnostics'))[0]?.attachments?.[0];
    const cardText = JSON.stringify(card?.content);
    expect(cardText).toContain('Reset your password');
    const texts = [...cardText.matchAll(/"(?:text|value)":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1] ?? ''}"`) as string);
    for (const text of texts) expect(elements(text), text).toEqual([]);
  });
});
