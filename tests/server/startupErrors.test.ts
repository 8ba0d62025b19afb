import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { startBot } from '../../src/main';
import { memoryLogger, spawnBot } from '../helpers/server';
import { tempDir } from '../helpers/stores';

/** A start that cannot work says which setting to fix, in one line, and leaves nothing running. */
describe('start-up errors', () => {
  const start = (env: Record<string, string>) => startBot(loadConfig({ PORT: '0', DATA_DIR: tempDir(), LOG_LEVEL: 'silent', ...env }), memoryLogger().log);

  it('an unreachable database names DATABASE_URL, without its password', async () => {
    const failure = start({ DATABASE_URL: 'postgres://bot:s3cret-pass@127.0.0.1:1/support' });
    await expect(failure).rejects.toThrow(/^DATABASE_URL: cannot connect to PostgreSQL at postgres:\/\/bot:\*\*\*@127\.0\.0\.1:1\/support \(.*ECONNREFUSED/);
    await expect(failure).rejects.not.toThrow(/s3cret-pass/);
  });

  it('a port in use names PORT', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      await expect(start({ PORT: String(port) })).rejects.toThrow(`PORT: port ${port} is already in use`);
    } finally {
      taken.close();
    }
  });

  it('a DATA_DIR that cannot hold the SQLite file names DATA_DIR', async () => {
    const file = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(file, '');
    await expect(start({ DATA_DIR: file })).rejects.toThrow(/^DATA_DIR: cannot open the SQLite store in /);
  });

  it.each([
    [{ PORT: 'abc' }, 'Configuration error: PORT: must be a whole number from 0 to 65535'],
    [{ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' }, 'Failed to start: DATABASE_URL: cannot connect to PostgreSQL at postgres://postgres@127.0.0.1:1/test'],
  ])('the process started with %o exits with one clear line', async (env, line) => {
    const started = spawnBot({ DATA_DIR: tempDir(), ...env });
    await expect(started).rejects.toThrow(/bot exited with 1/);
    await expect(started).rejects.toThrow(line);
  });
});
