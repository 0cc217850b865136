/**
 * store.grouped: concurrent writes share one transaction on SQLite (group commit: one fsync for
 * the group), each in its own savepoint — a write that fails is rolled back alone, the others
 * commit, and each caller is answered after the commit. On PostgreSQL each write is its own
 * transaction; the answers are the same on both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAudit } from '../../src/store/audit-repo.js';
import { openStore, type Store } from '../../src/store/database.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';

describe.each(DIALECTS)('group commit on %s', (dialect) => {
  let env: TestEnv;
  let store: Store;
  beforeAll(async () => {
    env = await testConfig(dialect);
    store = await openStore({ dataDir: env.dataDir, databaseUrl: env.config.databaseUrl });
  });
  afterAll(async () => {
    await store.close();
    env.cleanup();
  });

  const write = (target: string) => (tx: Parameters<Parameters<Store['grouped']>[0]>[0]) =>
    appendAudit(tx, dialect, [
      { at: Date.now(), member_id: null, token_id: null, actor: 'test', action: 'test.grouped', target, detail: {}, result_count: null },
    ]);

  it('commits concurrent writes together, rolls a failing one back alone, and keeps the audit chain whole', async () => {
    const db = store.db as { transaction: () => unknown };
    const begin = db.transaction.bind(store.db);
    let transactions = 0;
    db.transaction = () => {
      transactions++;
      return begin();
    };
    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        store.grouped(async (tx) => {
          await write(`w${i}`)(tx);
          if (i === 7 || i === 31) throw new Error(`write ${i} refused after writing`);
          return i;
        }),
      ),
    );
    delete (db as { transaction?: unknown }).transaction;
    expect(settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([
      'Error: write 7 refused after writing',
      'Error: write 31 refused after writing',
    ]);
    expect(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))).toEqual(
      Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 7 && i !== 31),
    );
    const rows = await store.db.selectFrom('audit_log').select('target').where('action', '=', 'test.grouped').orderBy('id').execute();
    // In arrival order on SQLite (one transaction); PostgreSQL's concurrent transactions commit in any order.
    const targets = rows.map((r) => r.target!);
    const expected = Array.from({ length: 50 }, (_, i) => `w${i}`).filter((t) => t !== 'w7' && t !== 'w31');
    expect(dialect === 'sqlite' ? targets : targets.sort()).toEqual(dialect === 'sqlite' ? expected : expected.sort());
    expect((await verifyAudit(store.db)).ok).toBe(true);
    // SQLite: the 50 writes that arrived together shared one transaction; PostgreSQL: one each.
    expect(transactions).toBe(dialect === 'sqlite' ? 1 : 50);
  });

  it('answers a write that arrives during a commit in the next group', async () => {
    const first = store.grouped(async (tx) => {
      await write('first')(tx);
      return 'first';
    });
    const later = new Promise<string>((resolve, reject) =>
      setImmediate(() =>
        store
          .grouped(async (tx) => {
            await write('later')(tx);
            return 'later';
          })
          .then(resolve, reject),
      ),
    );
    expect(await Promise.all([first, later])).toEqual(['first', 'later']);
    const rows = await store.db.selectFrom('audit_log').select('target').where('target', 'in', ['first', 'later']).orderBy('target').execute();
    expect(rows.map((r) => r.target)).toEqual(['first', 'later']);
  });
});
