import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type Store } from '../../src/store';

/** PostgreSQL for tests; CI sets it to the machine's server. Unset → PostgreSQL suites are skipped, and say so. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? '';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  available: boolean;
  /** Opens a fresh, empty store: its own temporary directory or its own PostgreSQL schema. */
  open(): Promise<TestStore>;
}

export interface TestStore {
  store: Store;
  /** Options that open the same store again (e.g. from a second process or after a restart). */
  env: Record<string, string>;
  options: { dataDir: string; databaseUrl?: string; schema?: string };
  dispose(): Promise<void>;
}

export function tempDir(prefix = 'tsb-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const sqliteBackend: TestBackend = {
  name: 'sqlite',
  available: true,
  async open() {
    const dataDir = tempDir();
    const store = await openStore({ dataDir });
    return {
      store,
      env: { DATA_DIR: dataDir },
      options: { dataDir },
      async dispose() {
        await store.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresBackend: TestBackend = {
  name: 'postgres',
  available: TEST_DATABASE_URL !== '',
  async open() {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const dataDir = tempDir();
    const store = await openStore({ dataDir, databaseUrl: TEST_DATABASE_URL, schema });
    return {
      store,
      env: { DATA_DIR: dataDir, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema },
      options: { dataDir, databaseUrl: TEST_DATABASE_URL, schema },
      async dispose() {
        await store.close();
        await dropSchema(schema);
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

export const backends: TestBackend[] = [sqliteBackend, postgresBackend];

async function dropSchema(schema: string): Promise<void> {
  const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    await pool.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await pool.end();
  }
}

/** Prints once per file that a PostgreSQL suite did not run, so a skip is never silent. */
export function announceSkip(backend: TestBackend, suite: string): void {
  if (!backend.available) {
    console.warn(`[skipped] ${suite} on PostgreSQL: TEST_DATABASE_URL is not set`);
  }
}

/** A fresh store of `backend` for every test, disposed after it: call inside the `describe`, read `store` inside the tests. */
export function storePerTest(backend: TestBackend): { readonly store: Store; readonly options: TestStore['options'] } {
  let current: TestStore | undefined;
  beforeEach(async () => {
    current = await backend.open();
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return {
    get store() {
      if (!current) throw new Error('the store opens in beforeEach: read it inside a test');
      return current.store;
    },
    /** What opens the same store again (a second instance). */
    get options() {
      if (!current) throw new Error('the store opens in beforeEach: read it inside a test');
      return current.options;
    },
  };
}
