import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import type { ConversationDeps } from '../../dialogs/conversationDeps';
import { noStaffHandoff, type HandoffRequest, type StaffHandoff, type StaffRequestOutcome, type SupportRecordOutcome } from '../../dialogs/handoff';
import { MainDialog } from '../../dialogs/mainDialog';
import { createDiagnoser, type Diagnoser, type DiagnosticsRecord } from '../../src/diagnosis';

let shared: Diagnoser | undefined;
/** One diagnoser for the whole test process, as in production. */
export function testDiagnoser(): Diagnoser {
  return (shared ??= createDiagnoser());
}

/** A staff hand-off that records what the conversation asked of it. */
export class FakeHandoff implements StaffHandoff {
  readonly staffRequests: HandoffRequest[] = [];
  readonly supportRecords: HandoffRequest[] = [];
  constructor(private readonly available = true) {}

  async requestStaff(_context: unknown, request: HandoffRequest): Promise<StaffRequestOutcome> {
    this.staffRequests.push(structuredClone(request));
    return this.available ? { status: 'requested', escalationId: `esc-${this.staffRequests.length}`, position: 2 } : { status: 'unavailable' };
  }
  async fileSupportRecord(_context: unknown, request: HandoffRequest): Promise<SupportRecordOutcome> {
    this.supportRecords.push(structuredClone(request));
    return this.available ? { status: 'filed', id: `SR-${this.supportRecords.length}` } : { status: 'unavailable' };
  }
  async queueStatus() {
    return this.staffRequests.length > 0 && this.available ? { state: 'waiting' as const, position: 2 } : undefined;
  }
  // Nobody here closes a request or asks for details: escalation's follow-ups are tested with the real one.
  latestStaffRequest = noStaffHandoff.latestStaffRequest;
  recordSolved = noStaffHandoff.recordSolved;
  recordSatisfaction = noStaffHandoff.recordSatisfaction;
  latestSupportRecord = noStaffHandoff.latestSupportRecord;
  addSupportDetails = noStaffHandoff.addSupportDetails;
  endSupportFollowUp = noStaffHandoff.endSupportFollowUp;
}

export interface DialogHarness {
  client: DialogTestClient;
  handoff: FakeHandoff;
  /** Sends a message (or activity) and returns every reply of that turn. */
  say(input: string | Partial<Activity>): Promise<Partial<Activity>[]>;
  record(): Promise<DiagnosticsRecord>;
}

/** The main dialog in botbuilder-testing's DialogTestClient, with the real rules and a fake hand-off. */
export function dialogHarness(handoff = new FakeHandoff(), options: { canProbe?: boolean } = {}): DialogHarness {
  const diagnoser = testDiagnoser();
  const conversationState = new ConversationState(new MemoryStorage());
  const records = conversationState.createProperty<DiagnosticsRecord>('diagnostics');
  const canProbe = conversationState.createProperty<boolean>('canProbe');
  const deps: ConversationDeps = {
    diagnose: (facts) => diagnoser.diagnose(facts),
    ruleFacts: new Set(diagnoser.ruleSet.factNames),
    records,
    handoff,
    canProbe,
  };
  const dialog = new MainDialog(deps);
  let lastRecord: DiagnosticsRecord | undefined;
  const client = new DialogTestClient('test', dialog, undefined, [
    {
      onTurn: async (context, next) => {
        // As the page's webchat/join declares it.
        if (options.canProbe) await canProbe.set(context, true);
        // As MainDialog#runTurn: a turn prepareTurn handled (a check staff asked for) runs no dialog.
        if (!(await dialog.prepareTurn(context))) await next();
        lastRecord = structuredClone(await records.get(context));
      },
    },
  ], conversationState);

  return {
    client,
    handoff,
    async say(input) {
      const first = await client.sendActivity(input);
      const replies: Partial<Activity>[] = first ? [first] : [];
      for (let next = client.getNextReply(); next; next = client.getNextReply()) replies.push(next);
      return replies;
    },
    async record() {
      if (!lastRecord) throw new Error('no turn yet');
      return lastRecord;
    },
  };
}

export const adviceIds = (replies: Partial<Activity>[]): string[] =>
  replies.map((r) => (r.channelData as { adviceId?: unknown } | undefined)?.adviceId).filter((id): id is string => typeof id === 'string');

export const buttons = (reply: Partial<Activity> | undefined): string[] =>
  (reply?.suggestedActions?.actions ?? []).map((a) => a.title ?? '');

/** The `probe/run` events a turn sent to the page. */
export const probeRuns = (replies: Partial<Activity>[]) =>
  replies.filter((r) => r.type === 'event' && r.name === 'probe/run').map((r) => r.value as { id: string; media: string[]; ask: boolean });
