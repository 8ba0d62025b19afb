import type { Logger } from './logger';

/** Something to end when the process stops accepting: a stream closes with a code that tells its client to reconnect. */
export type Closer = () => void | Promise<void>;

/**
 * The process's shutdown state, shared by the parts that need it: `/readyz` reads `draining`,
 * and parts holding long-lived connections (the staff feed, Direct Line streams) register a
 * closer, run once the listener has stopped accepting so in-flight requests can finish.
 */
export class Lifecycle {
  draining = false;
  private readonly closers: { name: string; close: Closer }[] = [];

  onStop(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  /** Runs every closer once, together; one that fails is logged and does not stop the others. */
  async runClosers(log: Logger): Promise<void> {
    const closers = this.closers.splice(0);
    await Promise.all(
      closers.map(async ({ name, close }) => {
        try {
          await close();
        } catch (error) {
          log.warn({ err: error, closer: name }, 'could not close on shutdown');
        }
      }),
    );
  }
}
