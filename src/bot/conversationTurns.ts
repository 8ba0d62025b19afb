/**
 * One conversation's turns run one at a time on this instance: the person's messages, and what
 * staff send into the conversation (a reply, a queue update, a check request). Run together, two
 * of them load the same state and one loses the eTag race, and the person is asked to send again
 * though they sent one message. Other conversations are never held up, and the eTag check still
 * guards two instances.
 *
 * A turn must not wait for another turn of its own conversation: that one would wait for it.
 * Nothing here does: what a turn starts for its own conversation later (a timer's proactive
 * message) queues behind it like any other turn.
 */
export class ConversationTurns {
  /** The last turn queued per conversation; removed when it ends and nothing queued behind it. */
  private readonly tails = new Map<string, Promise<void>>();

  /** How many conversations have a turn running or waiting (metrics, tests). */
  get busy(): number {
    return this.tails.size;
  }

  run(key: string | undefined, turn: () => Promise<void>): Promise<void> {
    if (key === undefined) return turn();
    const previous = this.tails.get(key);
    const mine = (previous ? previous.then(turn) : turn()).finally(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    // The chain goes on whatever this turn's outcome; the caller still sees it.
    const settled = mine.catch(() => undefined);
    this.tails.set(key, settled);
    return mine;
  }
}
