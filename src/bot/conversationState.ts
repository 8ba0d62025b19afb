import { ConversationState, type Storage, type TurnContext } from 'botbuilder';

/**
 * ConversationState with optimistic concurrency. botbuilder's BotState always saves with eTag
 * `*` (last writer wins), so two turns of one conversation running at once — two browser tabs,
 * or two instances behind a load balancer — would silently lose one turn's update. Here a turn
 * saves with the eTag it loaded; if another turn saved first, the store answers with an eTag
 * conflict and the turn fails cleanly (the person is asked to send the message again).
 */
export class OptimisticConversationState extends ConversationState {
  private readonly loadedKey = Symbol('loadedVersion');

  constructor(storage: Storage) {
    super(storage);
  }

  override async load(context: TurnContext, force = false): Promise<Record<string, unknown>> {
    const state: Record<string, unknown> = await super.load(context, force);
    if (force || !context.turnState.has(this.loadedKey)) {
      context.turnState.set(this.loadedKey, { eTag: typeof state.eTag === 'string' ? state.eTag : '*', hash: contentOf(state) });
    }
    return state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    const loaded: unknown = context.turnState.get(this.loadedKey);
    const { eTag, hash } = isLoaded(loaded) ? loaded : { eTag: '*', hash: '' };
    const state: unknown = this.get(context);
    if (typeof state !== 'object' || state === null) return;
    const content = contentOf(state);
    if (!force && content === hash) return;
    const key = await this.storageKey(context);
    await this.storage.write({ [key]: { ...state, eTag } });
    // This turn now holds the latest version: a second save in the same turn need not compare.
    context.turnState.set(this.loadedKey, { eTag: '*', hash: content });
  }
}

/**
 * What a change is detected on: the state as stored, without its eTag. Conversation state is
 * plain JSON, so the JSON text itself serves (botbuilder's hash stringifies and then hashes it).
 */
function contentOf(state: object): string {
  const { eTag: _eTag, ...rest } = state as Record<string, unknown>;
  return JSON.stringify(rest);
}

function isLoaded(value: unknown): value is { eTag: string; hash: string } {
  return typeof value === 'object' && value !== null && 'eTag' in value && 'hash' in value;
}
