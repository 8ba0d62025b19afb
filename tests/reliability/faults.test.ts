import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { spawnBot, type BotProcess } from '../helpers/server';
import { tempDir } from '../helpers/stores';
import { Conversation, type ReplyActivity } from '../helpers/talk';
import { writeTally } from './tally';

/**
 * kill -9 at random moments while people are mid-conversation, then a restart on the same
 * store: every answer the bot acknowledged must still be in the conversation's record, and
 * every conversation must go on from the question or step it was at.
 */
const PEOPLE = Number(process.env.FAULT_PEOPLE ?? 12);
const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 4);
export const faultTally = { kills: 0, interruptedRequests: 0, recordsChecked: 0, lost: 0 };

interface Person {
  conversation: Conversation;
  /** Question ids the bot acknowledged an "I don't know" for. */
  declined: string[];
  /** Step advice ids the bot acknowledged a "Didn't help" for. */
  failedSteps: string[];
  pending: { line: string; answers?: { questionId?: string; adviceId?: string } };
  done: boolean;
}

const openings = ['my camera is blocked', 'nobody can hear me', 'screen sharing fails', 'it says the device is in use', 'NotAllowedError: Permission denied by system'];

function nextMove(replies: ReplyActivity[]): Person['pending'] | undefined {
  const last = replies.at(-1);
  const questionId = typeof last?.channelData?.questionId === 'string' ? last.channelData.questionId : undefined;
  const adviceId = last?.channelData?.adviceKind === 'step' ? last.channelData.adviceId : undefined;
  if (questionId) return { line: "I don't know", answers: { questionId } };
  if (adviceId) return { line: "Didn't help", answers: { adviceId } };
  return undefined;
}

describe('kill -9 mid-conversation', () => {
  const dataDir = tempDir();
  let server: BotProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses no acknowledged answer over ${ROUNDS} kills with ${PEOPLE} people talking`, async () => {
    server = await spawnBot({ DATA_DIR: dataDir });
    let url = server.url;
    const people: Person[] = [];
    const newPerson = (i: number): Person => ({
      conversation: new Conversation(url, `fault-user-${i}`, `fault-conv-${i}`),
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
        // Acknowledged: the bot answered, so what this line said must survive any crash from now on.
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
      server = await spawnBot({ DATA_DIR: dataDir });
      url = server.url;
    }
    await Promise.all(talking);

    for (const person of people) {
      person.conversation.moveTo(url);
      const replies = await person.conversation.say('diagnostics');
      const record = replies[0]?.attachments?.find((a) => a.name === 'diagnostics.json')?.content as { declined: string[]; steps: { adviceId: string; outcome: string }[] };
      faultTally.recordsChecked += 1;
      const missingQuestions = person.declined.filter((q) => !record.declined.includes(q));
      const missingSteps = person.failedSteps.filter((a) => !record.steps.some((s) => s.adviceId === a && s.outcome === 'not-fixed'));
      faultTally.lost += missingQuestions.length + missingSteps.length;
      expect({ person: person.conversation.id, missingQuestions, missingSteps }).toEqual({ person: person.conversation.id, missingQuestions: [], missingSteps: [] });
    }
    writeTally('faults', { kills: faultTally.kills, recordsChecked: faultTally.recordsChecked, lost: faultTally.lost });
    expect(faultTally.interruptedRequests).toBeGreaterThan(0); // the kills really landed mid-conversation
    console.info(`faults: ${faultTally.kills} kills, ${faultTally.interruptedRequests} requests cut off, ${faultTally.recordsChecked} conversations checked, lost ${faultTally.lost}`);
  }, 600_000);
});
