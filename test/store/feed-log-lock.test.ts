/**
 * Feeds that peers read by position (series, targets, help directory): on PostgreSQL a writer of
 * one log waits for another's commit, so positions become visible in order — a peer whose
 * checkpoint reached position 11 can never have skipped a 10 that was still being written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { lockFeedLog } from '../../src/store/util.js';
import { freshPgDatabase } from '../support/dialects.js';

describe('feed log lock on PostgreSQL', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: '', databaseUrl: await freshPgDatabase() });
  });
  afterAll(() => store?.close());

  it('makes a second writer of the same log wait for the first to commit, and leaves other logs free', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const hasLock = new Promise<void>((r) => (locked = r));
    const first = store.db.transaction().execute(async (tx) => {
      await lockFeedLog(tx, 'help_log');
      await tx.insertInto('help_log').values({ entry_id: 1 }).execute();
      locked();
      await held;
      order.push('first commits');
    });
    await hasLock;
    const second = store.db.transaction().execute(async (tx) => {
      await lockFeedLog(tx, 'help_log');
      order.push('second has the lock');
      await tx.insertInto('help_log').values({ entry_id: 2 }).execute();
    });
    // Another log is not held up by the first writer.
    await store.db.transaction().execute(async (tx) => {
      await lockFeedLog(tx, 'series_log');
      order.push('series writer');
    });
    await new Promise((r) => setTimeout(r, 200));
    const whileHeld = [...order];
    release();
    await Promise.all([first, second]);
    expect(whileHeld).toEqual(['series writer']);
    expect(order).toEqual(['series writer', 'first commits', 'second has the lock']);
    const rows = await store.db.selectFrom('help_log').select(['seq', 'entry_id']).orderBy('seq').execute();
    expect(rows.map((r) => r.entry_id)).toEqual([1, 2]);
  });
});
