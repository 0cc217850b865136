/**
 * store.grouped: concurrent writes share one transaction (group commit: one commit and one fsync
 * for the group), each in its own savepoint — a write that fails is rolled back alone, the others
 * commit, and each caller is answered after the commit is on disk. Work a write defers to the
 * group's end (the audit entries) is done once, in the group's transaction, without the failed
 * writes' part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAudit, type NewAuditEntry } from '../../src/store/audit-repo.js';
import { openStore, type Db, type Store, type Tx } from '../../src/store/database.js';
import { deferToGroupEnd, GroupCommit, type GroupDeferral, type GroupDurability } from '../../src/store/group-commit.js';
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
    const transactions = new Set<Tx>();
    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        store.grouped(async (tx) => {
          transactions.add(tx);
          await write(`w${i}`)(tx);
          if (i === 7 || i === 31) throw new Error(`write ${i} refused after writing`);
          return i;
        }),
      ),
    );
    expect(settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([
      'Error: write 7 refused after writing',
      'Error: write 31 refused after writing',
    ]);
    expect(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))).toEqual(
      Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 7 && i !== 31),
    );
    const rows = await store.db.selectFrom('audit_log').select('target').where('action', '=', 'test.grouped').orderBy('id').execute();
    // In arrival order (one transaction, the writes one after another).
    expect(rows.map((r) => r.target!)).toEqual(Array.from({ length: 50 }, (_, i) => `w${i}`).filter((t) => t !== 'w7' && t !== 'w31'));
    expect((await verifyAudit(store.db)).ok).toBe(true);
    // The 50 writes that arrived together shared one transaction: run once without savepoints, which
    // the first failure aborted, then once with each write in its own.
    expect(transactions.size).toBe(2);
  });

  it('runs a group whose writes all succeed once, and a lone write that fails without touching others', async () => {
    const transactions = new Set<Tx>();
    const values = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.grouped(async (tx) => {
          transactions.add(tx);
          await write(`ok${i}`)(tx);
          return i;
        }),
      ),
    );
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(transactions.size).toBe(1);
    const lone = store.grouped(async (tx) => {
      await write('lone')(tx);
      throw new Error('lone write refused');
    });
    await expect(lone).rejects.toThrow('lone write refused');
    const targets = await store.db.selectFrom('audit_log').select('target').where('target', 'in', ['lone', 'ok19']).execute();
    expect(targets.map((t) => t.target)).toEqual(['ok19']);
    expect((await verifyAudit(store.db)).ok).toBe(true);
  });

  it("does what the writes deferred once at the group's end, in its transaction, without a failed write's part", async () => {
    const flushed: Array<{ tx: Tx; items: NewAuditEntry[] }> = [];
    const audit: GroupDeferral<NewAuditEntry> = {
      async flush(tx, items) {
        flushed.push({ tx, items });
        await appendAudit(tx, dialect, items);
      },
    };
    const entry = (target: string): NewAuditEntry => ({
      at: Date.now(),
      member_id: null,
      token_id: null,
      actor: 'test',
      action: 'test.deferred',
      target,
      detail: {},
      result_count: null,
    });
    const transactions = new Set<Tx>();
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.grouped(async (tx) => {
          transactions.add(tx);
          expect(deferToGroupEnd(tx, audit, entry(`d${i}`))).toBe(true);
          if (i === 4) throw new Error('write 4 refused after deferring');
          expect(deferToGroupEnd(tx, audit, entry(`d${i}b`))).toBe(true);
          return i;
        }),
      ),
    );
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    // Flushed once, in the group's transaction (its second run: the failure aborted the first).
    expect(flushed).toHaveLength(1);
    expect(transactions.size).toBe(2);
    expect(transactions.has(flushed[0].tx)).toBe(true);
    const expected = Array.from({ length: 20 }, (_, i) => i)
      .filter((i) => i !== 4)
      .flatMap((i) => [`d${i}`, `d${i}b`]);
    expect(flushed[0].items.map((e) => e.target)).toEqual(expected);
    const rows = await store.db.selectFrom('audit_log').select('target').where('action', '=', 'test.deferred').orderBy('id').execute();
    expect(rows.map((r) => r.target)).toEqual(expected);
    expect((await verifyAudit(store.db)).ok).toBe(true);
    // Outside a group nothing is deferred: the caller does the work itself.
    await store.db.transaction().execute(async (tx) => expect(deferToGroupEnd(tx, audit, entry('alone'))).toBe(false));
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

describe('group commit and the disk', () => {
  it('answers a group only once its sync settled, and runs the next group meanwhile', async () => {
    const env = await testConfig('sqlite');
    const store = await openStore({ dataDir: env.dataDir });
    try {
      const syncs: Array<() => void> = [];
      let relaxed = 0;
      const group = new GroupCommit(store.db, {
        durability: {
          relaxed: (work: (db: Db) => Promise<unknown>) => {
            relaxed++;
            return work(store.db);
          },
          sync: () => new Promise<void>((resolve) => syncs.push(resolve)),
        } as GroupDurability,
      });
      const answered: string[] = [];
      const first = group.run(async () => 'first').then((v) => answered.push(v));
      while (syncs.length < 1) await new Promise((r) => setImmediate(r));
      // The first group committed and waits for the disk; a second write is grouped and committed meanwhile.
      const second = group.run(async () => 'second').then((v) => answered.push(v));
      while (syncs.length < 2) await new Promise((r) => setImmediate(r));
      expect(relaxed).toBe(2);
      expect(answered).toEqual([]);
      syncs[1]();
      await second;
      expect(answered).toEqual(['second']);
      syncs[0]();
      await first;
      expect(answered).toEqual(['second', 'first']);
    } finally {
      await store.close();
      env.cleanup();
    }
  });

  it('fails the writes of a group whose sync failed', async () => {
    const env = await testConfig('sqlite');
    const store = await openStore({ dataDir: env.dataDir });
    try {
      const group = new GroupCommit(store.db, {
        durability: {
          relaxed: (work) => work(store.db) as never,
          sync: () => Promise.reject(new Error('fsync: I/O error')),
        },
      });
      await expect(group.run(async () => 'x')).rejects.toThrow('fsync: I/O error');
    } finally {
      await store.close();
      env.cleanup();
    }
  });
});
