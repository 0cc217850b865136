/**
 * Storage tests run once per database: the embedded SQLite and a real PostgreSQL (a fresh
 * database on the suite's server for each call).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

let counter = 0;

/** A new, empty PostgreSQL database on the suite's server; returns its URL. */
export async function freshPgDatabase(): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `alliance_t${process.pid}_${Date.now()}_${counter++}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/postgres$/, `/${name}`);
}

export interface TestEnv {
  config: Readonly<Config>;
  dataDir: string;
  cleanup(): void;
}

/** A configuration for a fresh node on `dialect`, with its own data directory. */
export async function testConfig(dialect: TestDialect, flags: Partial<Record<keyof Config, string>> = {}): Promise<TestEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), `alliance-${dialect}-`));
  const databaseUrl = dialect === 'postgres' ? await freshPgDatabase() : undefined;
  const config = loadConfig({ dataDir, databaseUrl, logLevel: 'silent', checkResponses: '1', ...flags }, {});
  return { config, dataDir, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}
