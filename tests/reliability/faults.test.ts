import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnBot, type BotProcess } from '../helpers/server';
import { announceSkip, backends, type TestStore } from '../helpers/stores';
import { Conversation, type ReplyActivity } from '../helpers/talk';
import { writeTally } from './tally';
import { texts as botTexts } from '../../dialogs/texts';

/**
 * kill -9 at random moments while people are mid-conversation, then a restart on the same
 * store (each backend: the turns' saves share commits on SQLite and statements on PostgreSQL):
 * every answer the bot acknowledged must still be in the conversation's record, and every
 * conversation must go on from the question or step it was at.
 */
const PEOPLE = Number(process.env.FAULT_PEOPLE ?? 12);
const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 4);
const newTally = () => ({ kills: 0, interruptedRequests: 0, resendRequests: 0, recordsChecked: 0, messagesChecked: 0, escalationsChecked: 0, supportRecordsChecked: 0, lost: 0 });

interface Person {
  conversation: Conversation;
  /** Every message the bot answered: each must be in the conversation's transcript. */
  acknowledged: string[];
  /** The bot said it called staff: the escalation must exist. */
  escalationAcknowledged: boolean;
  /** The bot said it filed a support record: the record must exist. */
  supportRecordAcknowledged: boolean;
  /** Question ids the bot acknowledged an "I don't know" for. */
  declined: string[];
  /** Step advice ids the bot acknowledged a "Didn't help" for. */
  failedSteps: string[];
  pending: { line: string; answers?: { questionId?: string; adviceId?: string } };
  done: boolean;
}

const openings = [
  'my camera is blocked', 'nobody can hear me', "I'm presenting in 5 minutes and my mic is blocked", 'screen sharing fails',
  'it says the device is in use', 'NotAllowedError: Permission denied by system', 'session is live right now, camera black',
];
const STAFF_TOKEN = 'fault-test-staff-token-0123456789';

function nextMove(replies: ReplyActivity[]): Person['pending'] | undefined {
  const last = replies.at(-1);
  const questionId = typeof last?.channelData?.questionId === 'string' ? last.channelData.questionId : undefined;
  const adviceId = last?.channelData?.adviceKind === 'step' ? last.channelData.adviceId : undefined;
  if (questionId) return { line: "I don't know", answers: { questionId } };
  if (adviceId) return { line: "Didn't help", answers: { adviceId } };
  return undefined;
}

for (const backend of backends) {
  announceSkip(backend, 'kill -9 rounds');
  describe.skipIf(!backend.available)(`kill -9 mid-conversation (${backend.name})`, () => {
    const faultTally = newTally();
    let store: TestStore | undefined;
    let env: Record<string, string> = {};
    let server: BotProcess | undefined;
    beforeAll(async () => {
      store = await backend.open();
      env = { ...store.env, STAFF_TOKENS: `checker:${STAFF_TOKEN}` };
      // The bot processes alone use the store (on SQLite a second connection would only wait on their locks).
      if (backend.name === 'sqlite') await store.store.close();
    });
    afterAll(async () => {
      await server?.stop('SIGKILL');
      await store?.dispose();
    });

    it(`loses no acknowledged answer over ${ROUNDS} kills with ${PEOPLE} people talking`, async () => {
      server = await spawnBot(env);
      let url = server.url;
      const people: Person[] = [];
      const newPerson = (i: number): Person => ({
        conversation: new Conversation(url, `fault-user-${i}`, `fault-conv-${i}`),
        acknowledged: [],
        escalationAcknowledged: false,
        supportRecordAcknowledged: false,
        declined: [],
        failedSteps: [],
        pending: { line: openings[i % openings.length] ?? 'help' },
        done: false,
      });

      const talk = async (person: Person) => {
        while (!person.done) {
          // People take a moment between messages, so kills land in the middle of conversations.
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
          person.conversation.moveTo(url);
          let replies: ReplyActivity[];
          try {
            replies = await person.conversation.say(person.pending.line);
          } catch {
            faultTally.interruptedRequests += 1;
            continue; // the server is down: try the same message again
          }
          // "Please send that again" is the bot saying it did not take the message: not an acknowledgement.
          if (replies.some((r) => r.text === botTexts.turnError || r.text === botTexts.concurrentTurn)) {
            faultTally.resendRequests += 1;
            continue;
          }
          // Acknowledged: the bot answered, so what this line said must survive any crash from now on.
          person.acknowledged.push(person.pending.line);
          if (replies.some((r) => /called a member of staff/.test(r.text ?? ''))) person.escalationAcknowledged = true;
          if (replies.some((r) => /filed a support record/.test(r.text ?? ''))) person.supportRecordAcknowledged = true;
          if (person.pending.answers?.questionId) person.declined.push(person.pending.answers.questionId);
          if (person.pending.answers?.adviceId) person.failedSteps.push(person.pending.answers.adviceId);
          const move = nextMove(replies);
          if (move) person.pending = move;
          else person.done = true;
        }
      };

      const talking: Promise<void>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < PEOPLE; i++) {
          const person = newPerson(round * PEOPLE + i);
          people.push(person);
          talking.push(talk(person));
        }
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1000));
        await server.stop('SIGKILL');
        faultTally.kills += 1;
        server = await spawnBot(env);
        url = server.url;
      }
      await Promise.all(talking);

      for (const person of people) {
        person.conversation.moveTo(url);
        const replies = await person.conversation.say('diagnostics');
        const record = replies[0]?.attachments?.find((a) => a.name === 'diagnostics.json')?.content as { declined: string[]; steps: { adviceId: string; outcome: string }[] };
        faultTally.recordsChecked += 1;
        const staff = { authorization: `Bearer ${STAFF_TOKEN}` };
        const transcript = (await (await fetch(`${url}/api/conversations/${person.conversation.id}/transcript`, { headers: staff })).json()) as { direction: string; activity: { text?: string; channelData?: Record<string, unknown> } }[];
        const inbound = transcript.filter((e) => e.direction === 'in').map((e) => e.activity.text);
        const missingMessages = person.acknowledged.filter((line) => !inbound.includes(line));
        let missingEscalation = 0;
        if (person.escalationAcknowledged) {
          const escalations = (await (await fetch(`${url}/api/escalations`, { headers: staff })).json()) as { conversationId: string }[];
          if (!escalations.some((e) => e.conversationId === person.conversation.id)) missingEscalation = 1;
          faultTally.escalationsChecked += 1;
        }
        let missingSupportRecord = 0;
        if (person.supportRecordAcknowledged) {
          const records = (await (await fetch(`${url}/api/support-records`, { headers: staff })).json()) as { conversationId: string }[];
          const mine = records.filter((r) => r.conversationId === person.conversation.id);
          if (mine.length === 0) missingSupportRecord = 1;
          // A turn cut off after filing is answered again by filing the same record, not a second one.
          expect(mine.length, `support records of ${person.conversation.id}`).toBe(1);
          faultTally.supportRecordsChecked += 1;
        }
        faultTally.messagesChecked += person.acknowledged.length;
        faultTally.lost += missingMessages.length + missingEscalation + missingSupportRecord;
        expect({ person: person.conversation.id, missingMessages, missingEscalation, missingSupportRecord }).toEqual({ person: person.conversation.id, missingMessages: [], missingEscalation: 0, missingSupportRecord: 0 });
        const missingQuestions = person.declined.filter((q) => !record.declined.includes(q));
        const missingSteps = person.failedSteps.filter((a) => !record.steps.some((s) => s.adviceId === a && s.outcome === 'not-fixed'));
        if (missingQuestions.length + missingSteps.length > 0) {
          // What the bot heard and said, so a failure can be read without running it again.
          const lines = transcript.map((e) => `${e.direction === 'in' ? '>' : '<'} ${(e.activity.text ?? '').slice(0, 70)} ${JSON.stringify(e.activity.channelData ?? {}).slice(0, 90)}`);
          console.error(`${person.conversation.id}: record ${JSON.stringify(record)}\n${lines.join('\n')}`);
        }
        faultTally.lost += missingQuestions.length + missingSteps.length;
        expect({ person: person.conversation.id, missingQuestions, missingSteps }).toEqual({ person: person.conversation.id, missingQuestions: [], missingSteps: [] });
      }
      writeTally(`faults-${backend.name}`, { kills: faultTally.kills, recordsChecked: faultTally.recordsChecked + faultTally.messagesChecked + faultTally.escalationsChecked + faultTally.supportRecordsChecked, lost: faultTally.lost });
      expect(faultTally.escalationsChecked).toBeGreaterThan(0);
      expect(faultTally.supportRecordsChecked).toBeGreaterThan(0);
      expect(faultTally.interruptedRequests).toBeGreaterThan(0); // the kills really landed mid-conversation
      console.info(`faults: ${faultTally.kills} kills, ${faultTally.interruptedRequests} requests cut off, ${faultTally.resendRequests} answered "send again", ${faultTally.recordsChecked} conversations, ${faultTally.messagesChecked} acknowledged messages and ${faultTally.escalationsChecked} escalations and ${faultTally.supportRecordsChecked} support records checked, lost ${faultTally.lost}`);
    }, 600_000);
  });
}
