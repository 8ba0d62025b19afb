import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { openStore } from '../../src/store';
import { announceSkip, postgresBackend, TEST_DATABASE_URL, tempDir } from '../helpers/stores';

announceSkip(postgresBackend, 'simultaneous migrations');

describe.skipIf(!postgresBackend.available)('migrations on PostgreSQL', () => {
  it('are safe when several instances start at once on a fresh database', async () => {
    const schemas: string[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        const schema = `race_${randomBytes(5).toString('hex')}`;
        schemas.push(schema);
        const stores = await Promise.all(Array.from({ length: 4 }, () => openStore({ dataDir: tempDir(), databaseUrl: TEST_DATABASE_URL, schema })));
        expect(await Promise.all(stores.map((s) => s.health()))).toEqual(stores.map(() => ({ ok: true, kind: 'postgres' })));
        await Promise.all(stores.map((s) => s.close()));
      }
    } finally {
      const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
      for (const schema of schemas) await pool.query(`drop schema if exists "${schema}" cascade`);
      await pool.end();
    }
  });
});
