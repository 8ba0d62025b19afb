/**
 * Group commit: work handed in during one turn of the event loop is done together, and each
 * caller's promise settles with its own outcome once its batch is done. What arrives while a batch
 * is being done goes in the next one. Turns running at the same time (state saves, transcript
 * rows) then share a statement or a commit, and none is answered before its own write is done.
 */
export class EventLoopBatches<T> {
  private queue: { item: T; done: (error?: unknown) => void }[] = [];
  private scheduled = false;

  /**
   * @param run does one batch; it returns each item's error (undefined: done), or throws to fail them all.
   * @param limit how much one batch may hold, counted by `size` (one per item by default).
   */
  constructor(
    private readonly run: (items: T[]) => Promise<readonly unknown[] | void>,
    private readonly limit: number,
    private readonly size: (item: T) => number = () => 1,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    let taken = 0;
    let held = 0;
    for (const { item } of this.queue) {
      if (held >= this.limit) break;
      held += this.size(item);
      taken += 1;
    }
    const batch = this.queue.splice(0, taken);
    if (this.queue.length > 0) setImmediate(() => void this.flush());
    else this.scheduled = false;
    try {
      const errors = await this.run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.done(errors?.[i]));
    } catch (error) {
      for (const b of batch) b.done(error);
    }
  }
}
