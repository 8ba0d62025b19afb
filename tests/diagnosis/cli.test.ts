import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(script: string, args: string[]) {
  const result = spawnSync(TSX, [path.join(ROOT, 'src/diagnosis', script), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run diagnose', () => {
  it('prints findings and ordered steps with their ids', () => {
    const { code, stdout } = run('cli.ts', ['--os', 'ios', '--browser', 'chrome', '--symptom', 'permission-denied']);
    expect(code).toBe(0);
    expect(stdout).toContain('[platform-ios-browsers-are-safari]');
    expect(stdout).toMatch(/1\. \[browser-site-permissions\]/);
    expect(stdout).toContain('Escalation: none');
  });

  it('reads a user agent and the other flags, and prints JSON', () => {
    const { code, stdout } = run('cli.ts', [
      '--ua', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      '--media', 'camera,microphone', '--error-name', 'NotAllowedError', '--error-message', 'Permission denied by system',
      '--live', '--urgent', '--role', 'presenter', '--tried', 'close-other-apps', '--json',
    ]);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.facts).toMatchObject({ os: 'macos', browser: 'chrome', liveConference: true, urgent: true, role: 'presenter' });
    expect(output.steps[0].id).toBe('os-permissions-macos');
    expect(output.steps.map((s: { id: string }) => s.id)).not.toContain('close-other-apps');
    expect(output.escalation).toBe('staff-now');
  });

  it('refuses an unknown flag with one line and exit code 2', () => {
    const { code, stderr, stdout } = run('cli.ts', ['--colour', 'blue']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--colour');
  });

  it('refuses an impossible value with one line naming the fact', () => {
    const { code, stderr } = run('cli.ts', ['--os', 'beos']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('os');
  });
});

describe('npm run rules:check', () => {
  it('lists each advice with its rules and source and passes', () => {
    const { code, stdout } = run('rulesCheck.ts', []);
    expect(code).toBe(0);
    expect(stdout).toContain('os-permissions-macos  (step, SPEC §4.1)');
    expect(stdout).toContain('rules OK');
  });

  it('refuses a file in another layout, naming it, and --fix rewrites it', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rules-layout-')), 'rules');
    try {
      fs.cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
      const file = path.join(dir, 'quality.json');
      fs.writeFileSync(file, JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))));
      const refused = run('rulesCheck.ts', [dir]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('error: rules/quality.json is not written in the rules\' layout (npm run rules:check -- --fix rewrites it)');
      const fixed = run('rulesCheck.ts', ['--fix', dir]);
      expect(fixed.code).toBe(0);
      expect(fixed.stdout).toContain('formatted rules/quality.json');
      expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'rules/quality.json'), 'utf8'));
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('fails on a broken rule directory', () => {
    const { code, stderr } = run('rulesCheck.ts', [path.join(ROOT, 'tests/diagnosis/fixtures/malformed-json')]);
    expect(code).toBe(1);
    expect(stderr).toContain('error:');
  });
});
