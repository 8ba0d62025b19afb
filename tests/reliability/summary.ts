import fs from 'node:fs';
import path from 'node:path';
import { TALLY_DIR, type Tally } from './tally';

// Prints the reliability run in one line: what was tried, what was checked, what was lost.
const total: Required<Tally> = { fuzzCases: 0, wrongTypeCases: 0, slowestTurnMs: 0, kills: 0, recordsChecked: 0, lost: 0 };
const files = fs.existsSync(TALLY_DIR) ? fs.readdirSync(TALLY_DIR).filter((f) => f.endsWith('.json')) : [];
for (const file of files) {
  const tally: Tally = JSON.parse(fs.readFileSync(path.join(TALLY_DIR, file), 'utf8'));
  total.fuzzCases += tally.fuzzCases ?? 0;
  total.wrongTypeCases += tally.wrongTypeCases ?? 0;
  total.slowestTurnMs = Math.max(total.slowestTurnMs, tally.slowestTurnMs ?? 0);
  total.kills += tally.kills ?? 0;
  total.recordsChecked += tally.recordsChecked ?? 0;
  total.lost += tally.lost ?? 0;
}
console.log(`reliability: fuzz cases tried ${total.fuzzCases} (wrong types ${total.wrongTypeCases}), slowest turn ${total.slowestTurnMs} ms, kills survived ${total.kills}, records checked ${total.recordsChecked}, lost = ${total.lost}`);
process.exitCode = files.length === 0 || total.lost > 0 ? 1 : 0;
