import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { texts as botTexts } from '../../dialogs/texts';
import { startTestBot } from '../helpers/server';
import { STAFF, STAFF_TOKENS, StaffClient, asList } from '../helpers/staff';
import { announceSkip, backends, type TestStore } from '../helpers/stores';
import { Conversation, texts } from '../helpers/talk';

for (const backend of backends) {
  announceSkip(backend, 'NUL bytes in what a person types');
  describe.skipIf(!backend.available)(`a NUL byte in what a person types (${backend.name})`, () => {
    let store: TestStore;
    let bot: Awaited<ReturnType<typeof startTestBot>>;
    beforeAll(async () => {
      store = await backend.open();
      bot = await startTestBot({ ...store.env, STAFF_TOKENS });
    });
    afterAll(async () => {
      await bot?.close();
      await store?.dispose();
    });

    it('is dropped, so the note and contact after a support record are stored on every backend', async () => {
      const person = new Conversation(bot.url);
      let replies = await person.say('my camera shows a black screen on my windows laptop in chrome');
      for (let turn = 0; turn < 40 && !texts(replies).some((t) => t.includes('support record')); turn++) {
        const buttons = replies.at(-1)?.suggestedActions?.actions.map((a) => a.title ?? '') ?? [];
        replies = await person.say(buttons.includes(botTexts.stepButtons.notFixed) ? botTexts.stepButtons.notFixed : buttons.includes("I don't know") ? "I don't know" : buttons.at(-1) ?? 'no');
      }
      expect(texts(replies).some((t) => t.includes('support record'))).toBe(true);

      const answered = texts(await person.say('note: it flickers\u0000 badly, reach me at alex\u0000@example.com'));
      expect(answered).not.toContain(botTexts.turnError);
      const records = asList((await new StaffClient(bot.url, STAFF.sam).get('/api/support-records')).body);
      expect(JSON.stringify(records.find((r) => r.conversationId === person.id))).toContain('it flickers badly');
    });
  });
}
