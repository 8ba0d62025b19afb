import fs from 'node:fs';
import path from 'node:path';
import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { z } from 'zod';
import { noStaffHandoff, MainDialog } from '../dialogs';
import { createDiagnoser, type DiagnosticsRecord } from '../src/diagnosis';

/**
 * The scripted conversations of `bench/conversations/set.json`, played against the real dialogs
 * and rules in-process: how often the first step is right, how many turns it takes to get there,
 * and how often Check again confirms a fix the probe can verify.
 */
export const CONVERSATION_SET = path.join(__dirname, 'conversations', 'set.json');

const probeTurn = z.object({ probe: z.record(z.unknown()) }).strict();
const conversationSchema = z.object({
  name: z.string(),
  open: z.array(z.union([z.string(), probeTurn])).min(1),
  answers: z.record(z.string()),
  firstStep: z.array(z.string()).min(1),
  findings: z.array(z.string()).optional(),
  afterFix: z.record(z.unknown()).optional(),
  stillBroken: z.boolean().optional(),
}).strict();
const setSchema = z.object({ $comment: z.array(z.string()).optional(), conversations: z.array(conversationSchema).min(1) }).strict();
export type ScriptedConversation = z.infer<typeof conversationSchema>;

/** At most this many answers to questions before a conversation counts as never reaching a step. */
const MAX_QUESTIONS = 8;

export interface ConversationOutcome {
  name: string;
  firstStep?: string;
  correct: boolean;
  /** The person's turns until the first step was shown (the opening turns included). */
  turns: number;
  verifiable: boolean;
  checkOffered?: boolean;
  verdict?: string;
  /** The verdict is the right one (fixed when it was, not fixed when it was not). */
  verdictRight?: boolean;
  transcript: string[];
}

export interface ConversationFigures {
  conversations: number;
  correctFirstStep: number;
  averageTurnsToFirstStep: number;
  verifiable: number;
  verifiedFixed: number;
  verifiedFixRate: number;
  verdictsRight: number;
  outcomes: ConversationOutcome[];
}

const adviceOf = (a: Partial<Activity>): string | undefined => {
  const id: unknown = a.channelData?.adviceId;
  return typeof id === 'string' ? id : undefined;
};
const questionOf = (a: Partial<Activity>): string | undefined => {
  const id: unknown = a.channelData?.questionId;
  return typeof id === 'string' ? id : undefined;
};

export async function runConversationSet(file = CONVERSATION_SET): Promise<ConversationFigures> {
  const set = setSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const diagnoser = createDiagnoser();
  const outcomes: ConversationOutcome[] = [];
  for (const conversation of set.conversations) outcomes.push(await play(conversation, diagnoser));
  const reached = outcomes.filter((o) => o.firstStep !== undefined);
  const verifiable = outcomes.filter((o) => o.verifiable);
  const shouldFix = verifiable.filter((o) => !set.conversations.find((c) => c.name === o.name)?.stillBroken);
  const verifiedFixed = shouldFix.filter((o) => o.verdict === 'verified-fixed').length;
  return {
    conversations: outcomes.length,
    correctFirstStep: outcomes.filter((o) => o.correct).length,
    averageTurnsToFirstStep: reached.length ? reached.reduce((sum, o) => sum + o.turns, 0) / reached.length : Number.NaN,
    verifiable: shouldFix.length,
    verifiedFixed,
    verifiedFixRate: shouldFix.length ? verifiedFixed / shouldFix.length : Number.NaN,
    verdictsRight: verifiable.filter((o) => o.verdictRight).length,
    outcomes,
  };
}

async function play(conversation: ScriptedConversation, diagnoser: ReturnType<typeof createDiagnoser>): Promise<ConversationOutcome> {
  const conversationState = new ConversationState(new MemoryStorage());
  const records = conversationState.createProperty<DiagnosticsRecord>('diagnostics');
  const dialog = new MainDialog({ diagnose: (f) => diagnoser.diagnose(f), ruleFacts: new Set(diagnoser.ruleSet.factNames), records, handoff: noStaffHandoff });
  let record: DiagnosticsRecord | undefined;
  const client = new DialogTestClient('webchat', dialog, undefined, [
    {
      onTurn: async (context, next) => {
        if (!(await dialog.prepareTurn(context))) await next();
        record = structuredClone(await records.get(context));
      },
    },
  ], conversationState);
  const transcript: string[] = [];
  const findings = new Set<string>();
  const send = async (input: string | Partial<Activity>, shown: string): Promise<Partial<Activity>[]> => {
    transcript.push(`You: ${shown}`);
    const replies: Partial<Activity>[] = [];
    for (let reply = await client.sendActivity(input); reply; reply = client.getNextReply()) replies.push(reply);
    for (const r of replies) {
      const advice = adviceOf(r);
      if (advice && r.channelData?.adviceKind === 'finding') findings.add(advice);
      if (r.type === 'message' && r.text) {
        const buttons = r.suggestedActions?.actions.map((a) => a.title).filter(Boolean).join(' | ');
        transcript.push(`Bot: ${r.text.replace(/\n+/g, ' ')}${buttons ? `  [${buttons}]` : ''}`);
      }
    }
    return replies;
  };
  const probeEvent = (value: Record<string, unknown>): Partial<Activity> => ({ type: 'event', name: 'diagnostics', value });

  let turns = 0;
  let last: Partial<Activity>[] = [];
  for (const opening of conversation.open) {
    turns++;
    last = typeof opening === 'string' ? await send(opening, opening) : await send(probeEvent(opening.probe), '(runs the check on the page)');
  }
  let step = last.map(adviceOf).find((id): id is string => id !== undefined && isStep(last, id));
  for (let asked = 0; !step && asked < MAX_QUESTIONS; asked++) {
    const question = last.map(questionOf).find((id) => id !== undefined);
    if (!question) break;
    const answer = conversation.answers[question] ?? "I don't know";
    turns++;
    last = await send(answer, answer);
    step = last.map(adviceOf).find((id): id is string => id !== undefined && isStep(last, id));
  }
  const outcome: ConversationOutcome = {
    name: conversation.name,
    firstStep: step,
    correct: step !== undefined && conversation.firstStep.includes(step) && (conversation.findings ?? []).every((id) => findings.has(id)),
    turns,
    verifiable: conversation.afterFix !== undefined, transcript,
  };
  if (!step || !conversation.afterFix) return outcome;

  const stepMessage = last.find((a) => adviceOf(a) === step);
  outcome.checkOffered = (stepMessage?.suggestedActions?.actions ?? []).some((a) => a.title === 'Check again');
  if (!outcome.checkOffered) return outcome;
  const asked = await send('Check again', 'Check again');
  const run = asked.find((a) => a.type === 'event' && a.name === 'probe/run');
  const id: unknown = run?.value && typeof run.value === 'object' && 'id' in run.value ? run.value.id : undefined;
  if (typeof id !== 'string') return outcome;
  await send(probeEvent({ version: 2, ...conversation.afterFix, check: { id } }), '(the page runs the check again)');
  outcome.verdict = record?.checks?.find((c) => c.id === id)?.verdict;
  outcome.verdictRight = outcome.verdict === (conversation.stillBroken ? 'verified-not-fixed' : 'verified-fixed');
  return outcome;
}

function isStep(replies: Partial<Activity>[], id: string): boolean {
  return replies.some((a) => adviceOf(a) === id && a.channelData?.adviceKind === 'step');
}
