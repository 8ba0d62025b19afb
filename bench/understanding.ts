import { performance } from 'node:perf_hooks';
import { understand } from '../src/understanding';

/**
 * Cost of understand() per message, for checking the "well under 50 µs" budget by hand:
 * `npx tsx bench/understanding.ts`. Not a test: timings depend on the machine.
 */
const typical = [
  'iphone chrome ios 13',
  "I'm presenting in 5 minutes and nobody can hear me!!",
  'NotAllowedError: Permission denied by system',
  'my camra doesnt show up on my windows laptop',
  'please help, my camera is blocked in chrome',
  'Browser error: Camera unavailable (it is probably in use by another program)',
  "didn't help",
  'can I talk to a person please',
  'screen sharing only shows my wallpaper on mac with safari 13.1',
  'hello there',
];

function perMessageUs(messages: readonly string[], rounds: number): number {
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const m of messages) understand(m);
  return ((performance.now() - started) * 1000) / (rounds * messages.length);
}

// Words never seen before miss the typo cache and pay for the search.
let seed = 1;
const freshWord = () => {
  let word = '';
  for (let i = 0; i < 8; i++) word += String.fromCharCode(97 + ((seed = (seed * 48271) % 2147483647) % 26));
  return word;
};

perMessageUs(typical, 2000); // warm-up: JIT and typo cache
const warm = perMessageUs(typical, 20_000);
const fresh = Array.from({ length: 20_000 }, (_, i) => `${typical[i % typical.length] ?? ''} ${freshWord()} ${freshWord()}`);
const unseen = perMessageUs(fresh, 1);
console.log(`understand(): ${warm.toFixed(1)} µs per typical message; ${unseen.toFixed(1)} µs with two never-seen words each`);
