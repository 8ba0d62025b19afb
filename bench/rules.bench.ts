import { measureDiagnose } from '../src/diagnosis';

/**
 * `npm run bench:rules`: median and p99 of diagnose() over a realistic mix of 200 distinct fact
 * objects drawn repeatedly, next to a plain json-rules-engine run of the same rules.
 * SPEC §8 / issue 3 target: diagnose() median ≤ 100 µs.
 */
async function main(): Promise<void> {
  const result = await measureDiagnose();
  const row = (label: string, t: { runs: number; medianUs: number; p99Us: number }) =>
    `${label.padEnd(34)} median ${t.medianUs.toFixed(1).padStart(8)} µs   p99 ${t.p99Us.toFixed(1).padStart(8)} µs   (${t.runs} runs)`;
  console.log(`rules: ${result.rules}, distinct fact objects: ${result.distinctFacts}`);
  console.log(row('diagnose() (memoised)', result.diagnose));
  console.log(row('diagnose() (memo off)', result.diagnoseUncached));
  console.log(row('plain json-rules-engine run', result.plainEngine));
  console.log(`speed-up (plain median / diagnose median): ${result.speedup}×`);
  const target = 100;
  console.log(result.diagnose.medianUs <= target ? `OK: median within ${target} µs` : `OVER TARGET: median above ${target} µs`);
  if (result.diagnose.medianUs > target) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
