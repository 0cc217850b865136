/**
 * Group commit loses nothing: 32 clients send submissions (each with its own URL) to a real
 * `alliance serve` as fast as it answers; the server is SIGKILLed mid-stream, three times, and
 * restarted. Every submission it acknowledged is in the database exactly once, under the id it
 * answered with; an unacknowledged one is there at most once. On SQLite and on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

describe.each(DIALECTS)('submissions across SIGKILLs on %s', (dialect) => {
  let test: TestEnv;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    test = await testConfig(dialect);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    test.cleanup();
  });

  it('keeps every acknowledged submission exactly once, under the id it was answered with', { timeout: 240_000 }, async () => {
    const env = {
      ALLIANCE_DATA_DIR: test.dataDir,
      ALLIANCE_SYNC_INTERVAL_MS: '0',
      ALLIANCE_SNAPSHOT_INTERVAL_MS: '0',
      ...(test.config.databaseUrl ? { ALLIANCE_DATABASE_URL: test.config.databaseUrl } : {}),
    };
    const acknowledged = new Map<string, number>();
    const sent = new Set<string>();
    let token: string | undefined;
    for (let round = 0; round < 3; round++) {
      server = await startServer([], env);
      token ??= server.token!;
      const url = server.url;
      let stop = false;
      const client = async (c: number) => {
        for (let i = 0; !stop; i++) {
          const page = `https://host.example/r${round}/c${c}/${i}`;
          sent.add(page);
          try {
            const r = await fetch(`${url}/api/v1/submissions`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ signals: { md5: randomBytes(16).toString('hex') }, url: page }),
            });
            if (r.status === 201) acknowledged.set(page, ((await r.json()) as { id: number }).id);
          } catch {
            return; // the server is gone: this request's answer never came
          }
        }
      };
      const clients = Array.from({ length: 32 }, (_, c) => client(c));
      await new Promise((r) => setTimeout(r, 1500 + round * 700));
      await server.stop('SIGKILL');
      stop = true;
      await Promise.all(clients);
    }
    expect(acknowledged.size).toBeGreaterThan(100);
    const store = await openStore({ dataDir: test.config.dataDir, databaseUrl: test.config.databaseUrl });
    try {
      const rows = await store.db.selectFrom('submissions').select(['id', 'url']).execute();
      const byUrl = new Map<string, number[]>();
      for (const r of rows) byUrl.set(r.url!, [...(byUrl.get(r.url!) ?? []), r.id]);
      const missing = [...acknowledged].filter(([page, id]) => byUrl.get(page)?.[0] !== id);
      expect(missing).toEqual([]);
      expect([...byUrl.values()].filter((ids) => ids.length > 1)).toEqual([]);
      expect([...byUrl.keys()].filter((page) => !sent.has(page))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
