/**
 * A fleet on PostgreSQL (issue 19): real `alliance serve` processes over one real database — the
 * node (role all) and a matcher (`--role matcher`). A signal written or deleted through either is
 * matched (or no longer) by the other, with the 1 s poll turned off so that only the database's
 * notifications can carry it; and when PostgreSQL drops their listening connections (a restart or
 * failover does), the processes keep serving, listen again and catch up on what they missed.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshPgDatabase } from '../support/dialects.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

/** Hashes far apart (about 128 bits): each matches only itself. */
const PDQ = (i: number) => createHash('sha256').update(`fleet ${i}`).digest('hex');

const running: ServerProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
  for (const c of cleanups.splice(0)) await c();
});

/** The node and one matcher on a fresh database, neither polling (notifications only), and a client on the database. */
async function fleet() {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-fleet-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const url = await freshPgDatabase();
  const env = { ALLIANCE_DATABASE_URL: url, ALLIANCE_POLL_INTERVAL_MS: '600000', ALLIANCE_SNAPSHOT_INTERVAL_MS: '0' };
  const a = await startServer([], { ...env, ALLIANCE_DATA_DIR: join(dir, 'a') });
  running.push(a);
  // Every process of a fleet holds the node's key files.
  mkdirSync(join(dir, 'b'), { mode: 0o700 });
  for (const f of ['node-key.pem', 'audit.key', 'secrets.key']) if (existsSync(join(dir, 'a', f))) copyFileSync(join(dir, 'a', f), join(dir, 'b', f));
  const b = await startServer(['--role', 'matcher'], { ...env, ALLIANCE_DATA_DIR: join(dir, 'b') });
  running.push(b);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  cleanups.push(() => db.end());
  const token = a.token!;
  expect((await http(`${a.url}/api/v1/banks`, token, 'POST', { name: 'FLEET' })).status).toBe(201);
  return { a, b, db, token };
}

const matches = async (s: ServerProcess, token: string, hash: string): Promise<number[]> => {
  const r = await http(`${s.url}/m/raw_lookup?signal_type=pdq&signal=${hash}`, token);
  expect(r.status, r.text).toBe(200);
  return r.json.matches;
};

async function add(s: ServerProcess, token: string, hash: string): Promise<number> {
  const r = await http(`${s.url}/api/v1/banks/FLEET/content`, token, 'POST', { signals: [{ signal_type: 'pdq', value: hash }] });
  expect(r.status, r.text).toBe(201);
  return r.json.id;
}

async function remove(s: ServerProcess, token: string, id: number): Promise<void> {
  const r = await http(`${s.url}/api/v1/content/${id}`, token, 'DELETE');
  expect(r.status, r.text).toBeLessThan(300);
}

/** Waits (polling, up to 20 s) until `s` matches `hash` with exactly `ids`. */
const seen = (s: ServerProcess, token: string, hash: string, ids: number[], what: string) =>
  until(async () => {
    const m = await matches(s, token, hash);
    return JSON.stringify(m) === JSON.stringify(ids) ? m : undefined;
  }, what);

/** The database connections listening for index changes. */
const listening = async (db: pg.Client): Promise<number[]> =>
  (await db.query(`select pid from pg_stat_activity where datname = current_database() and query ilike 'LISTEN %'`)).rows.map((r: { pid: number }) => r.pid);

describe('a fleet of serve processes on one PostgreSQL', () => {
  it('a signal written or deleted through either process is matched (or no longer) by the other', async () => {
    const { a, b, token } = await fleet();
    // Written through the matcher: the node matches it; the writer itself at once.
    const viaB = await add(b, token, PDQ(1));
    expect(await matches(b, token, PDQ(1))).toEqual([viaB]);
    await seen(a, token, PDQ(1), [viaB], 'the node to match a signal written through the matcher');
    // Written through the node: the matcher matches it.
    const viaA = await add(a, token, PDQ(2));
    expect(await matches(a, token, PDQ(2))).toEqual([viaA]);
    await seen(b, token, PDQ(2), [viaA], 'the matcher to match a signal written through the node');
    // Deleted through the other process than the one that wrote it: gone from both.
    await remove(b, token, viaA);
    expect(await matches(b, token, PDQ(2))).toEqual([]);
    await seen(a, token, PDQ(2), [], 'the node to stop matching a signal deleted through the matcher');
    await remove(a, token, viaB);
    expect(await matches(a, token, PDQ(1))).toEqual([]);
    await seen(b, token, PDQ(1), [], 'the matcher to stop matching a signal deleted through the node');
    // Both indexes hold the same: each at the change log's head, no signal left.
    const status = await Promise.all([a, b].map(async (s) => (await http(`${s.url}/api/v1/index`, token)).json));
    expect(status[0].seq).toBe(status[1].seq);
    expect(status.map((s) => s.types.pdq.size)).toEqual([0, 0]);
  });

  it('processes whose listening connections PostgreSQL drops keep serving, listen again and catch up', async () => {
    const { a, b, db, token } = await fleet();
    const before = await listening(db);
    expect(before).toHaveLength(2);
    for (const pid of before) await db.query('select pg_terminate_backend($1)', [pid]);
    // Written at once, before or after the matcher listens again: either the notification or the
    // catch-up that follows the new connection brings it.
    const id = await add(a, token, PDQ(3));
    await seen(b, token, PDQ(3), [id], 'the matcher to match a signal written while its connection was down');
    await until(async () => ((await listening(db)).length === 2 ? true : undefined), 'both processes to listen again');
    expect((await listening(db)).some((pid) => before.includes(pid))).toBe(false);
    expect([a, b].map((s) => s.proc.exitCode)).toEqual([null, null]);
    // The new connections carry the next changes both ways.
    const viaB = await add(b, token, PDQ(4));
    await seen(a, token, PDQ(4), [viaB], 'the node to match a signal written through the matcher after the reconnect');
    await remove(a, token, id);
    await seen(b, token, PDQ(3), [], 'the matcher to stop matching a signal deleted after the reconnect');
  });
});
