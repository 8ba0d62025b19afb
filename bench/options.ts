import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The bench scripts' command lines: `--help` prints the usage; numbers are positive integers. */
export function exitOnHelp(help: boolean | undefined, usage: string): void {
  if (!help) return;
  console.log(usage);
  process.exit(0);
}

export function positiveInteger(name: string, raw: string | undefined, usage: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer (got ${JSON.stringify(raw)})\n${usage}`);
  return value;
}

export interface CommandLine<N extends string> {
  /** The option's value as a positive integer, else an error that shows the usage. */
  positive(name: N): number;
  text(name: N): string | undefined;
  /** Whether a switch (an option whose default is `false`) was given. */
  flag(name: N): boolean;
}

/**
 * Reads the command line of a bench script: each option `--name VALUE` with its default (none
 * where `undefined`), each switch `--name` (default `false`), and `--help`, which prints `usage`
 * and exits.
 */
export function readCommandLine<N extends string>(usage: string, defaults: Record<N, string | false | undefined>): CommandLine<N> {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', default: false } };
  for (const [name, fallback] of Object.entries<string | false | undefined>(defaults)) {
    options[name] = fallback === false ? { type: 'boolean', default: false } : fallback === undefined ? { type: 'string' } : { type: 'string', default: fallback };
  }
  const { values } = parseArgs({ options });
  exitOnHelp(values.help === true, usage);
  const text = (name: N): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { text, flag: (name) => values[name] === true, positive: (name) => positiveInteger(name, text(name), usage) };
}

/**
 * A comma-separated choice among `known` (`--workloads short,urgent`), in the order of `known`;
 * an empty or unknown name is an error that shows the usage.
 */
export function subsetOf<T extends string>(name: string, raw: string | undefined, known: readonly T[], usage: string): T[] {
  const asked = (raw ?? '').split(',').map((part) => part.trim());
  const unknown = asked.filter((part) => !(known as readonly string[]).includes(part));
  if (unknown.length > 0) throw new Error(`--${name}: not one of ${known.join(', ')}: ${unknown.map((part) => JSON.stringify(part)).join(', ')}\n${usage}`);
  return known.filter((k) => asked.includes(k));
}

/** One choice among `known` (`--delivery channel`); anything else is an error that shows the usage. */
export function oneOf<T extends string>(name: string, raw: string | undefined, known: readonly T[], usage: string): T {
  const chosen = known.find((k) => k === raw);
  if (chosen === undefined) throw new Error(`--${name}: one of ${known.join(', ')} (got ${JSON.stringify(raw)})\n${usage}`);
  return chosen;
}
