import type { Storage, TurnContext } from 'botbuilder';
import type { HandoffEvents } from '../../dialogs';
import { isDiagnosticsRecord, type DiagnosticsRecord } from '../diagnosis';

/**
 * Runs before the conversation on every turn. Escalation uses it: while staff talk with the
 * person their messages are relayed rather than answered, and hub `handoff.status` events are
 * recorded. What it learns for the conversation it tells it through `conversation`. The bot owns
 * the interface; escalation implements it.
 */
export interface TurnGate {
  /** True when the gate handled the turn and the dialogs must not run. State is saved either way. */
  beforeTurn(context: TurnContext, conversation: HandoffEvents): Promise<boolean>;
}

/**
 * A conversation's diagnostics record read outside a turn (staff views). The key is
 * ConversationState's: `<channelId>/conversations/<conversationId>/`, the record under `diagnostics`.
 */
export function diagnosticsReader(storage: Storage): (channelId: string, conversationId: string) => Promise<DiagnosticsRecord | undefined> {
  return async (channelId, conversationId) => {
    const key = `${channelId}/conversations/${conversationId}/`;
    const state: unknown = (await storage.read([key]))[key];
    if (typeof state !== 'object' || state === null || !('diagnostics' in state)) return undefined;
    const record: unknown = state.diagnostics;
    return isDiagnosticsRecord(record) ? record : undefined;
  };
}
