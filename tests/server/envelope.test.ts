import { describe, expect, it } from 'vitest';
import { activityEnvelope, plainlyValid } from '../../src/server/messages';

/**
 * The hand check of the common activity (`plainlyValid`) stands in for the envelope schema only
 * where the schema accepts too: each activity below is judged by both, and the hand check may say
 * "not sure" (false) where the schema accepts, never "valid" where it refuses.
 */
const base = {
  type: 'message',
  text: 'my camera is not working',
  channelId: 'test',
  serviceUrl: 'http://127.0.0.1:9/unused',
  deliveryMode: 'expectReplies',
  conversation: { id: 'c-1' },
  from: { id: 'person-1', name: 'Alex' },
  recipient: { id: 'bot', name: 'Technical Support' },
  id: 'a-1',
  timestamp: '2026-12-06T18:00:00.000Z',
};

const without = (key: keyof typeof base) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

const cases: [string, unknown, boolean][] = [
  ['a message as the bench and the channels send it', base, true],
  ['an event with a value and channel data', { ...base, type: 'event', name: 'diagnostics', value: { any: 'thing' }, channelData: { clientActivityID: 'x' } }, true],
  ['a reply to an id, with a locale and a local timestamp', { ...base, replyToId: 'a-0', locale: 'en-GB', localTimestamp: '2026-12-06T19:00:00+01:00', textFormat: 'plain' }, true],
  ['no serviceUrl but expectReplies', without('serviceUrl'), true],
  ['no id, no timestamp', Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'id' && k !== 'timestamp')), true],
  ['no serviceUrl and no expectReplies', { ...without('serviceUrl'), deliveryMode: 'normal' }, false],
  ['an ftp serviceUrl', { ...base, serviceUrl: 'ftp://x' }, false],
  ['an empty type', { ...base, type: '' }, false],
  ['a type too long', { ...base, type: 'x'.repeat(65) }, false],
  ['a number as type', { ...base, type: 1 }, false],
  ['no conversation', without('conversation'), false],
  ['a conversation without id', { ...base, conversation: { name: 'x' } }, false],
  ['a conversation id with a control character', { ...base, conversation: { id: 'a\u0007b' } }, false],
  ['an empty conversation id', { ...base, conversation: { id: '' } }, false],
  ['a conversation id too long', { ...base, conversation: { id: 'x'.repeat(257) } }, false],
  ['a conversation that is an array', { ...base, conversation: [{ id: 'x' }] }, false],
  ['no from', without('from'), false],
  ['a recipient of null', { ...base, recipient: null }, false],
  ['no channelId', without('channelId'), false],
  ['a channelId too long', { ...base, channelId: 'x'.repeat(65) }, false],
  ['a text that is not a string', { ...base, text: 42 }, false],
  ['a text of null', { ...base, text: null }, false],
  ['a timestamp that is no date', { ...base, timestamp: 'yesterday-ish' }, false],
  ['a timestamp too long', { ...base, timestamp: `2026-12-06T18:00:00.000Z${' '.repeat(60)}` }, false],
  ['channel data that is an array', { ...base, channelData: [] }, false],
  ['channel data of null', { ...base, channelData: null }, false],
  ['an id of null', { ...base, id: null }, false],
  ['a name too long', { ...base, type: 'event', name: 'x'.repeat(257) }, false],
  ['a locale too long', { ...base, locale: 'x'.repeat(65) }, false],
  ['a deliveryMode too long', { ...base, deliveryMode: 'x'.repeat(33) }, false],
  ['a serviceUrl too long', { ...base, serviceUrl: `http://${'x'.repeat(2048)}` }, false],
];

/** Left to the schema: valid, but not the common shape. */
const leftToSchema: [string, unknown][] = [
  ['members added (the join)', { ...base, type: 'conversationUpdate', membersAdded: [{ id: 'person-1', name: 'Alex' }] }],
  ['attachments', { ...base, attachments: [{ contentType: 'image/png', contentUrl: 'http://x/y.png' }] }],
  ['entities', { ...base, entities: [{ type: 'clientInfo' }] }],
  ['members removed', { ...base, type: 'conversationUpdate', membersRemoved: [{ id: 'person-1' }] }],
  ['channel data without a prototype', { ...base, channelData: Object.create(null) as object }],
];

describe('the hand check of the common activity', () => {
  it.each(cases)('%s: the schema and the hand check agree', (_name, activity, valid) => {
    expect(activityEnvelope.safeParse(activity).success).toBe(valid);
    expect(plainlyValid(activity)).toBe(valid);
  });

  it.each(leftToSchema)('%s: accepted by the schema, left to it by the hand check', (_name, activity) => {
    expect(activityEnvelope.safeParse(activity).success).toBe(true);
    expect(plainlyValid(activity)).toBe(false);
  });

  it('never calls valid what the schema refuses, field by field, for values of every JSON type', () => {
    const values: unknown[] = [undefined, null, true, 0, '', 'x', 'http://x', 'x'.repeat(300), '2026-12-06T18:00:00Z', [], {}, { id: 'x' }, { id: '' }];
    let hand = 0;
    for (const key of [...Object.keys(base), 'name', 'replyToId', 'locale', 'textFormat', 'localTimestamp', 'channelData', 'attachments', 'entities', 'membersAdded']) {
      for (const value of values) {
        const activity = { ...base, [key]: value };
        if (plainlyValid(activity)) {
          hand++;
          expect(activityEnvelope.safeParse(activity).success, `${key}: ${JSON.stringify(value)}`).toBe(true);
        }
      }
    }
    expect(hand).toBeGreaterThan(0);
  });
});
