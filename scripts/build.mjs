// Compiles the bot to dist/ and copies the files it reads at run time (rules, web pages) beside
// the compiled code, so dist/ keeps the source tree's relative paths and runs with plain node.
//   node scripts/build.mjs             always builds
//   node scripts/build.mjs --if-stale  builds only when a source is newer than dist/ (npm start)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.built');
const SOURCES = ['src', 'dialogs', 'rules', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const ASSETS = [['rules', 'rules'], ['src/web/public', 'src/web/public'], ['src/escalation/console', 'src/escalation/console']];

function newestMtime(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

function typescriptCompiler() {
  try {
    return createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

const tsc = typescriptCompiler();
if (process.argv.includes('--if-stale')) {
  const built = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  // A production install has no TypeScript: it runs what was built, or says what is missing.
  if (!tsc) {
    if (built > 0) process.exit(0);
    console.error('dist/ is missing and TypeScript is not installed: run `npm ci && npm run build` where the sources are, then copy dist/.');
    process.exit(1);
  }
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  if (built >= newest) process.exit(0);
}
if (!tsc) {
  console.error('TypeScript is not installed: `npm run build` needs the development install (`npm ci`).');
  process.exit(1);
}

fs.rmSync(dist, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
for (const [from, to] of ASSETS) fs.cpSync(path.join(root, from), path.join(dist, to), { recursive: true });
fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.log('built dist/ (run it with: node dist/src/main.js)');
