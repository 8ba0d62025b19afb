import type { TurnContext } from 'botbuilder';

/**
 * Writes that belong to a turn and must be done before it is answered (the turn's transcript
 * rows; the staff feed's events of what the turn changed, already on their way), finished
 * alongside the conversation state's save instead of one after another: on PostgreSQL each is a
 * round trip the person waits for. A write registered here is started once. One the turn must not
 * end without (the transcript) is awaited by whoever registered it too, as the same promise.
 */
const WRITES = Symbol('turnEndWrites');

export function writeWithStateSave(context: TurnContext, start: () => Promise<void>): void {
  const writes: unknown = context.turnState.get(WRITES);
  if (Array.isArray(writes)) writes.push(start);
  else context.turnState.set(WRITES, [start]);
}

/** Starts the turn's registered writes (each once); the state save goes on beside them. */
export function startTurnEndWrites(context: TurnContext): Promise<void>[] {
  const writes: unknown = context.turnState.get(WRITES);
  context.turnState.delete(WRITES);
  return Array.isArray(writes) ? writes.map((start: () => Promise<void>) => start()) : [];
}
