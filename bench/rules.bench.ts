import { measureDiagnose } from './measure';
import { runConversationSet } from './conversations';

/**
 * `npm run bench:rules`: median and p99 of diagnose() over a realistic mix of 200 distinct fact
 * objects drawn repeatedly, next to a plain json-rules-engine run of the same rules; then the
 * scripted conversations of bench/conversations/set.json: the share that reach a correct first
 * step, the average turns to it, and the verified-fix rate where the probe can check the fix.
 * SPEC §8 / issue 3 target: diagnose() median ≤ 100 µs. `--transcripts` prints each conversation.
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

  const talks = await runConversationSet();
  const percent = (part: number, whole: number) => `${part}/${whole} (${whole ? Math.round((part / whole) * 100) : 0} %)`;
  console.log('');
  console.log(`scripted conversations: ${talks.conversations} (bench/conversations/set.json)`);
  console.log(`  reach a correct first step:     ${percent(talks.correctFirstStep, talks.conversations)}`);
  console.log(`  average turns to the first step: ${talks.averageTurnsToFirstStep.toFixed(2)}`);
  console.log(`  verified-fix rate (Check again): ${percent(talks.verifiedFixed, talks.verifiable)} of the probe-verifiable fixes`);
  console.log(`  check verdicts right:           ${percent(talks.verdictsRight, talks.outcomes.filter((o) => o.verifiable).length)} (a step that did not help is not confirmed)`);
  for (const o of talks.outcomes.filter((x) => !x.correct || (x.verifiable && !x.verdictRight))) {
    console.log(`  MISS ${o.name}: first step ${o.firstStep ?? 'none'}${o.verifiable ? `, check ${o.checkOffered ? o.verdict ?? 'no verdict' : 'not offered'}` : ''}`);
  }
  if (process.argv.includes('--transcripts')) {
    for (const o of talks.outcomes) console.log(`\n— ${o.name}\n${o.transcript.map((line) => `  ${line}`).join('\n')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
