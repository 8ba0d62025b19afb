import fs from 'node:fs';
import path from 'node:path';

/**
 * `tsx bench/cpuProfile.ts <file.cpuprofile> [top]`: where a server's CPU went, as self time
 * summed per function and per file (or package), from a `node --cpu-prof` profile
 * (`npm run bench -- --profile <dir>` writes one per server).
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function isCpuProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'samples' in value && 'timeDeltas' in value;
}

/** A package name for node_modules files, a repo-relative path for ours, `(native)` for the rest. */
export function placeOf(url: string): string {
  if (!url) return '(native)';
  const file = url.replace(/^file:\/\//, '');
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (inModules?.[1]) return inModules[1];
  if (file.startsWith('node:')) return file;
  return path.relative(path.resolve(__dirname, '..'), file);
}

export function summariseProfile(profile: CpuProfile): { totalMs: number; byFunction: [string, number][]; byPlace: [string, number][] } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    totalMs += ms;
    const place = placeOf(frame.url);
    const fn = `${frame.functionName || '(anonymous)'} ${place}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { totalMs, byFunction: sorted(byFunction), byPlace: sorted(byPlace) };
}

if (require.main === module) {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx bench/cpuProfile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a .cpuprofile`);
  const top = Number(topArg ?? 30);
  const { totalMs, byFunction, byPlace } = summariseProfile(parsed);
  const pct = (ms: number) => `${((ms / totalMs) * 100).toFixed(1).padStart(5)} %`;
  console.log(`total sampled ${(totalMs / 1000).toFixed(1)} s\n\nself time by file or package:`);
  for (const [place, ms] of byPlace.slice(0, top)) console.log(`${pct(ms)}  ${place}`);
  console.log('\nself time by function:');
  for (const [fn, ms] of byFunction.slice(0, top)) console.log(`${pct(ms)}  ${fn}`);
}
