import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { productionNodeFlags } from '../../bench/servers';
import { understand } from '../../src/understanding';
import { REPO_ROOT } from '../helpers/server';

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

/**
 * Docker does not run on this machine, so the image's install and start are deploy/production.sh,
 * which CI runs (.ci/production-check). These checks keep the Dockerfile, compose file and Teams
 * manifest pointing at what exists and at that script.
 */
describe('deployment files', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+ /.test(line));

  it('the Dockerfile builds in one stage and runs a slim, non-root stage through deploy/production.sh', () => {
    const stages = instructions.filter((line) => line.startsWith('FROM '));
    expect(stages).toHaveLength(2);
    expect(stages[1]).toMatch(/-slim\b/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(runtime).toMatch(/DATA_DIR=\/data/);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/readyz/m);
    expect(runtime).toMatch(/^CMD \["deploy\/production\.sh", "start"\]$/m);
    expect(dockerfile).toMatch(/^RUN npm run build && deploy\/production\.sh install \/app$/m);
  });

  it('everything the Dockerfile copies exists, and the build copies all the build needs', () => {
    const copied = instructions.filter((line) => line.startsWith('COPY ') && !line.includes('--from=')).flatMap((line) => line.split(/\s+/).slice(1, -1));
    for (const source of copied) expect(fs.existsSync(path.join(REPO_ROOT, source)), source).toBe(true);
    const build = read('scripts/build.mjs');
    for (const needed of ['src', 'dialogs', 'rules', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'deploy/production.sh', 'package-lock.json']) {
      expect(copied.some((source) => source === needed || source.startsWith(`${needed}/`)), needed).toBe(true);
    }
    expect(build).toContain('tsconfig.build.json');
  });

  it('deploy/production.sh starts the bot exactly as npm start does, with the young generation the bench measured, and so does the bench', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(read('deploy/production.sh')).toContain(`exec ${start}\n`);
    expect(productionNodeFlags()).toEqual(['--enable-source-maps', '--max-semi-space-size=32']);
  });

  it('compose runs two bot instances on PostgreSQL behind nginx with WebSocket upgrades', () => {
    const compose = read('compose.yaml');
    expect(compose.match(/^ {2}bot-[ab]:\n {4}<<: \*bot$/gm)).toHaveLength(2);
    expect(compose).toMatch(/DATABASE_URL: postgres:\/\/bot:bot@db:5432\/support/);
    expect(compose).toMatch(/image: postgres:/);
    expect(compose).toMatch(/\.\/deploy\/nginx\.conf:/);
    const nginx = read('deploy/nginx.conf');
    expect(nginx).toMatch(/server bot-a:3978/);
    expect(nginx).toMatch(/server bot-b:3978/);
    expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(nginx).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
  });

  it('the Teams manifest has placeholders for the app id, the bot in every scope, and commands the bot understands', () => {
    const manifest: unknown = JSON.parse(read('deploy/teams/manifest.json'));
    expect(manifest).toMatchObject({ id: '{{TEAMS_APP_ID}}', bots: [{ botId: '{{MICROSOFT_APP_ID}}', scopes: ['personal', 'team', 'groupChat'], supportsFiles: false }] });
    const text = JSON.stringify(manifest);
    const titles = [...text.matchAll(/"title":"([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(understand(title).command, title).toBeDefined();
    for (const icon of ['color.png', 'outline.png']) expect(fs.readFileSync(path.join(REPO_ROOT, 'deploy/teams', icon)).subarray(1, 4).toString()).toBe('PNG');
  });
});
