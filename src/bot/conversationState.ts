import { ConversationState, type Storage, type TurnContext } from 'botbuilder';
import { isTextStorage } from '../store';

interface Loaded {
  state: Record<string, unknown>;
  /** The eTag the state was read with, or `*` once this turn has saved it. */
  eTag: string;
  /** The state as stored when read (or last saved): a change is detected against it. */
  content: string;
}

/**
 * ConversationState with optimistic concurrency. botbuilder's BotState always saves with eTag
 * `*` (last writer wins), so two turns of one conversation running at once — two browser tabs,
 * or two instances behind a load balancer — would silently lose one turn's update. Here a turn
 * saves with the eTag it loaded; if another turn saved first, the store answers with an eTag
 * conflict and the turn fails cleanly (the person is asked to send the message again).
 *
 * The turn's copy is kept here rather than in BotState's cache, which hashes the state on every
 * read (stringify and SHA-256, ~3 % of a turn in the profile); conversation state is plain JSON,
 * so its JSON text serves for change detection — the text it was read from, and the text the
 * store then writes.
 */
export class OptimisticConversationState extends ConversationState {
  private readonly loadedKey = Symbol('loadedState');

  constructor(storage: Storage) {
    super(storage);
  }

  override async load(context: TurnContext, force = false): Promise<Record<string, unknown>> {
    const cached = this.loaded(context);
    if (cached && !force) return cached.state;
    const key = await this.storageKey(context);
    let loaded: Loaded;
    if (isTextStorage(this.storage)) {
      // The store's own text: parsed once, and kept to compare against at the end of the turn.
      const stored = await this.storage.readText(key);
      const parsed: unknown = stored && JSON.parse(stored.json);
      loaded = stored && isState(parsed) ? { state: parsed, eTag: stored.eTag, content: stored.json } : { state: {}, eTag: '*', content: contentOf({}) };
    } else {
      const item: unknown = (await this.storage.read([key]))[key];
      const state = isState(item) ? item : {};
      loaded = { state, eTag: typeof state.eTag === 'string' ? state.eTag : '*', content: contentOf(state) };
    }
    context.turnState.set(this.loadedKey, loaded);
    return loaded.state;
  }

  override get(context: TurnContext): Record<string, unknown> | undefined {
    return this.loaded(context)?.state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    const loaded = this.loaded(context);
    if (!loaded) return;
    const content = contentOf(loaded.state);
    if (!force && content === loaded.content) return;
    const key = await this.storageKey(context);
    if (isTextStorage(this.storage)) await this.storage.writeText(key, content, loaded.eTag);
    else await this.storage.write({ [key]: { ...loaded.state, eTag: loaded.eTag } });
    // This turn now holds the latest version: a second save in the same turn need not compare.
    context.turnState.set(this.loadedKey, { state: loaded.state, eTag: '*', content } satisfies Loaded);
  }

  override async clear(context: TurnContext): Promise<void> {
    const loaded = this.loaded(context);
    // The next save replaces what is stored (with the eTag read, if any): an empty state.
    context.turnState.set(this.loadedKey, { state: {}, eTag: loaded?.eTag ?? '*', content: '' } satisfies Loaded);
  }

  override async delete(context: TurnContext): Promise<void> {
    context.turnState.delete(this.loadedKey);
    await this.storage.delete([await this.storageKey(context)]);
  }

  private loaded(context: TurnContext): Loaded | undefined {
    const value: unknown = context.turnState.get(this.loadedKey);
    return typeof value === 'object' && value !== null && 'state' in value ? (value as Loaded) : undefined;
  }
}

/** The state as stored, without its eTag (which only a store without text hands back inside it). */
function contentOf(state: Record<string, unknown>): string {
  if (!('eTag' in state)) return JSON.stringify(state);
  const { eTag: _eTag, ...rest } = state;
  return JSON.stringify(rest);
}

function isState(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
