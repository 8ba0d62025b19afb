import fs from 'node:fs';
import path from 'node:path';

/** Where each reliability suite leaves its figures for the one-line summary (`summary.ts`). */
export const TALLY_DIR = path.resolve(__dirname, '../../test-results/reliability');

export interface Tally {
  fuzzCases?: number;
  /** Activities with one field of a wrong type, among the fuzz cases. */
  wrongTypeCases?: number;
  /** The slowest answer to any generated request, in milliseconds. */
  slowestTurnMs?: number;
  kills?: number;
  recordsChecked?: number;
  lost?: number;
}

export function writeTally(suite: string, tally: Tally): void {
  fs.mkdirSync(TALLY_DIR, { recursive: true });
  fs.writeFileSync(path.join(TALLY_DIR, `${suite}.json`), JSON.stringify(tally));
}
