import { describe, expect, it } from 'vitest';
import { findContactHandle } from '../../src/understanding';

describe('a contact handle in what the person typed', () => {
  it.each([
    ['It worked yesterday. Reach me at pat@example.com', 'pat@example.com'],
    ['mail <kim.lee+conf@mail.example.co.uk>, thanks', 'kim.lee+conf@mail.example.co.uk'],
    ['email:pat@example.com.', 'pat@example.com'],
    ['I am @pat.lee on the conference Slack', '@pat.lee'],
    ['@sam', '@sam'],
    ['call me on +44 20 7946 0958 please', '+44 20 7946 0958'],
    ['(020) 7946-0958', '020) 7946-0958'],
    ['my phone: 0171 123456', '0171 123456'],
    ['+1 (555) 010-9999 or +1 555 010 8888', '+1 (555) 010-9999'],
    ['first @kim then kim@example.org', '@kim'],
    ['first kim@example.org then @kim', 'kim@example.org'],
  ])('%j → %j', (text, contact) => {
    expect(findContactHandle(text)).toBe(contact);
  });

  it.each([
    ['no contact here'],
    ['version 13.1.2 of safari'],
    ['error code 1234567'],
    ['order 1234 5678 9012 3456 7890'],
    ['a@b is not an address'],
    ['name@localhost'],
    ['x@@y.com'],
    ['me@.com'],
    ['mail@me'],
    ['an@ sign alone'],
    ['e@x'],
  ])('%j → nothing', (text) => {
    expect(findContactHandle(text)).toBeUndefined();
  });

  it.each([
    ['a', undefined],
    ['a@', undefined],
    ['a.', undefined],
    [' ', undefined],
    ['1 ', undefined],
    ['a.b@c', 'a.b@ca.b'],
    [' @ab', '@ab'],
  ])('a long run of %j (20 000 characters) → %j', (run, contact) => {
    // The old pattern took seconds on such runs; the time is checked by the long-message test, the answer here.
    expect(findContactHandle(run.repeat(Math.ceil(20_000 / run.length)))).toBe(contact);
  });
});
