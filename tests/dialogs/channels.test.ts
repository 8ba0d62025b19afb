import { describe, expect, it } from 'vitest';
import { capabilitiesOf, withChoices, type Where } from '../../dialogs/channels';

const titles = (n: number) => Array.from({ length: n }, (_, i) => `Choice ${i + 1}`);

function rendered(where: Where, count: number) {
  const message = withChoices(where, { type: 'message', text: 'Pick one' }, titles(count));
  const cards = (message.attachments ?? []).map((a) => {
    const content: unknown = a.content;
    const buttons = typeof content === 'object' && content !== null && 'buttons' in content && Array.isArray(content.buttons) ? content.buttons : [];
    return { contentType: a.contentType, buttons: buttons.length, types: [...new Set(buttons.map((b: { type?: string }) => b.type))] };
  });
  return { suggested: message.suggestedActions?.actions.length ?? 0, cards, text: message.text };
}

/** Buttons as each channel shows them (ChoiceFactory's rules, with Teams as documented). */
describe('buttons per channel', () => {
  it.each([
    ['Web Chat / Direct Line, 8 choices', { channelId: 'directline' }, 8, { suggested: 8, cards: [] }],
    ['the Emulator, 8 choices', { channelId: 'emulator' }, 8, { suggested: 8, cards: [] }],
    ['Teams personal, 3 choices', { channelId: 'msteams', conversationType: 'personal' }, 3, { suggested: 3, cards: [] }],
    ['Teams personal, 8 choices', { channelId: 'msteams', conversationType: 'personal' }, 8, { suggested: 0, cards: [{ buttons: 6, types: ['messageBack'] }, { buttons: 2, types: ['messageBack'] }] }],
    ['Teams channel, 2 choices', { channelId: 'msteams', conversationType: 'channel' }, 2, { suggested: 0, cards: [{ buttons: 2, types: ['messageBack'] }] }],
    ['Teams group chat, 3 choices', { channelId: 'msteams', conversationType: 'groupChat' }, 3, { suggested: 0, cards: [{ buttons: 3, types: ['messageBack'] }] }],
    ['Facebook, 8 choices', { channelId: 'facebook' }, 8, { suggested: 8, cards: [] }],
    ['Facebook, 12 choices', { channelId: 'facebook' }, 12, { suggested: 0, cards: [{ buttons: 3, types: ['imBack'] }, { buttons: 3, types: ['imBack'] }, { buttons: 3, types: ['imBack'] }, { buttons: 3, types: ['imBack'] }] }],
    ['Slack, 4 choices', { channelId: 'slack' }, 4, { suggested: 0, cards: [{ buttons: 4, types: ['imBack'] }] }],
  ])('%s', (_name, where, count, expected) => {
    expect(rendered(where, count)).toMatchObject(expected);
  });

  it('a channel it does not know gets the choices in the text, as bullets a person can type', () => {
    expect(rendered({ channelId: 'sms' }, 3)).toEqual({ suggested: 0, cards: [], text: 'Pick one\n\n- Choice 1\n- Choice 2\n- Choice 3' });
  });

  it.each([
    ['directline', true, true],
    ['msteams', false, false],
    ['sms', false, false],
  ])('%s: inline JSON attachments %s, hand-off events %s', (channelId, json, handoff) => {
    expect(capabilitiesOf({ channelId })).toMatchObject({ jsonAttachments: json, handoffEvents: handoff });
  });
});
