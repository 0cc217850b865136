/**
 * A server's SQLite store checkpoints its WAL on a thread of its own (store/checkpointer.ts): the
 * commits on the serving thread only append to the WAL, the thread copies it into the database
 * file, and nothing is lost or left running when the store closes.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { FALLBACK_AUTOCHECKPOINT } from '../../src/store/checkpointer.js';
import { openStore, type Store } from '../../src/store/database.js';

const dir = mkdtempSync(join(tmpdir(), 'alliance-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pragma = async (store: Store, name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];

describe('background WAL checkpoints', () => {
  it('copy what the serving connection commits into the database file, which never checkpoints below its floor', async () => {
    const store = await openStore({ dataDir: dir, backgroundCheckpoint: true });
    expect(store.checkpointer).toBeDefined();
    expect(await pragma(store, 'wal_autocheckpoint')).toBe(FALLBACK_AUTOCHECKPOINT);
    const file = join(dir, 'alliance.sqlite');
    const before = statSync(file).size;
    await sql`create table filler (id integer primary key, body text not null)`.execute(store.db);
    // ~3,000 pages, in 300 commits: far past SQLite's own threshold (1,000), far below the floor.
    for (let i = 0; i < 300; i++)
      await store.db.transaction().execute(async (tx) => {
        for (let j = 0; j < 10; j++) await sql`insert into filler (body) values (${`${i}-${j}-`.padEnd(4000, 'x')})`.execute(tx);
      });
    // The pages reach the database file, which only the thread's checkpoints write, by themselves.
    const grown = () => statSync(file).size - before > 3000 * 4000;
    for (let tries = 0; tries < 100 && !grown(); tries++) await new Promise((r) => setTimeout(r, 50));
    expect(grown()).toBe(true);
    const state = await store.checkpointer!.state();
    expect(state.checkpointed).toBe(state.log);
    await store.close();
    const again = await openStore({ dataDir: dir });
    expect(again.checkpointer).toBeUndefined();
    expect(await pragma(again, 'wal_autocheckpoint')).toBe(1000);
    const n = (await sql<{ n: number }>`select count(*) as n from filler`.execute(again.db)).rows[0].n;
    expect(n).toBe(3000);
    await again.close();
  });
});
