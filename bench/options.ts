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
