/**
 * Several processes may write one SQLite file (serve workers, a CLI import beside a running
 * server). A transaction reads before it writes (the audit chain's head, a feed's last position):
 * each one takes the write lock when it begins, so another writer waits for it instead of failing
 * with SQLITE_BUSY half-way, and the audit chain stays one chain. Two threads, two connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { verifyAudit } from '../../src/store/audit-repo.js';
import { REPO } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'alliance-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A writer thread: `n` transactions, each reading the chain's head, yielding, then appending. */
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { openStore } = await import(workerData.database);
  const { appendAudit } = await import(workerData.auditRepo);
  const store = await openStore({ dataDir: workerData.dir });
  let failed = 0;
  for (let i = 0; i < workerData.n; i++) {
    try {
      await store.db.transaction().execute(async (tx) => {
        await new Promise((r) => setImmediate(r));
        await appendAudit(tx, 'sqlite', [{ at: Date.now(), member_id: null, token_id: null, actor: workerData.name, action: 'test.write', target: String(i), detail: {}, result_count: null }]);
      });
    } catch (err) {
      failed++;
      if (failed === 1) parentPort.postMessage({ error: String(err) });
    }
  }
  await store.close();
  parentPort.postMessage({ failed });
})();
`;

function writer(name: string, n: number): Promise<{ failed: number; error?: string }> {
  const dist = (p: string) => pathToFileURL(join(REPO, 'dist', 'store', p)).href;
  const w = new Worker(WRITER, { eval: true, workerData: { dir, name, n, database: dist('database.js'), auditRepo: dist('audit-repo.js') } });
  let error: string | undefined;
  return new Promise((resolve, reject) => {
    w.on('message', (m: { failed?: number; error?: string }) => {
      if (m.error) error = m.error;
      if (m.failed !== undefined) resolve({ failed: m.failed, error });
    });
    w.on('error', reject);
  });
}

describe('SQLite with several writing processes', () => {
  it('two writers interleaving read-then-write transactions: none fails, one unbroken chain', async () => {
    (await openStore({ dataDir: dir })).close(); // migrated once, before the writers start
    const [a, b] = await Promise.all([writer('a', 150), writer('b', 150)]);
    expect([a, b]).toEqual([{ failed: 0 }, { failed: 0 }]);
    const store = await openStore({ dataDir: dir });
    try {
      const report = await verifyAudit(store.db);
      expect(report).toMatchObject({ ok: true, entries: 300 });
    } finally {
      await store.close();
    }
  });
});
