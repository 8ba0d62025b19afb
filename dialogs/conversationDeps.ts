import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { type Diagnosis, type Facts, type FactName, createRecord, type DiagnosticsRecord, type StepOutcome } from '../src/diagnosis';
import type { StaffHandoff } from './handoff';

/** What the dialogs need from the rest of the bot, passed in through constructors. */
export interface ConversationDeps {
  diagnose(facts: Facts): Promise<Diagnosis> | Diagnosis;
  /** Facts the rules look at: the bot asks only about these. */
  ruleFacts: ReadonlySet<FactName>;
  records: StatePropertyAccessor<DiagnosticsRecord>;
  handoff: StaffHandoff;
  /** Told of each step's outcome as the person answers it (metrics). */
  onStepOutcome?: (outcome: StepOutcome) => void;
  /** Whether the person's chat can run the page's probe (declared in its `webchat/join`); no when absent. */
  canProbe?: StatePropertyAccessor<boolean>;
}

export async function clientCanProbe(deps: ConversationDeps, context: TurnContext): Promise<boolean> {
  // No default: one would be written into the state, and cost a write on turns that change nothing else.
  return (await deps.canProbe?.get(context)) === true;
}

/** The conversation's diagnostics record, created on first use (state caches it for the turn). */
export async function loadRecord(deps: ConversationDeps, context: TurnContext): Promise<DiagnosticsRecord> {
  const record = await deps.records.get(context);
  if (record) return record;
  const fresh = createRecord();
  await deps.records.set(context, fresh);
  return fresh;
}
