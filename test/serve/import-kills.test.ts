/**
 * An API import applies exactly once however the node dies: 20 SIGKILLs of `alliance serve` at
 * random moments of two 200,000-line imports, each followed by a restart. After every restart each
 * bank holds exactly 0 or 200,000 contents (never 400,000: the job is marked done in the import's
 * own transaction), and the interrupted job is resumed at the restart, not after a stale timeout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { http, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const LINES = 200_000;
const BANKS = ['KILLED_A', 'KILLED_B'];
const KILLS = 20;

function csv(bank: number): string {
  const lines = ['signal_type,signal'];
  for (let i = 0; i < LINES; i++) lines.push(`md5,${bank.toString(16)}${i.toString(16).padStart(31, '0')}`);
  return `${lines.join('\n')}\n`;
}

/** A deterministic pseudo-random sequence (the test's kill moments), so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('API imports across SIGKILLs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-kills-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves every bank with exactly 0 or all of its contents, and finishes every job after the last restart', { timeout: 480_000 }, async () => {
    const env = { ALLIANCE_DATA_DIR: dir, ALLIANCE_SYNC_INTERVAL_MS: '0', ALLIANCE_SNAPSHOT_INTERVAL_MS: '0' };
    server = await startServer([], env);
    const token = server.token!;
    const call = (method: string, path: string, body?: unknown) => http(`${server!.url}${path}`, token, method, body);
    const jobs: string[] = [];
    for (const [i, bank] of BANKS.entries()) {
      expect((await call('POST', '/api/v1/banks', { name: bank })).status).toBe(201);
      const r = await fetch(`${server.url}/api/v1/banks/${bank}/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body: csv(i),
      });
      expect(r.status).toBe(202);
      jobs.push(((await r.json()) as { status_url: string }).status_url);
    }
    const counts = async () => Promise.all(BANKS.map(async (b) => (await call('GET', `/api/v1/banks/${b}`)).json.content_count as number));
    const next = random(0x5eed);
    const seen = new Set<string>();
    for (let k = 0; k < KILLS; k++) {
      // Anywhere from just after the start to well past one import's transaction.
      await new Promise((r) => setTimeout(r, 200 + next() * 6000));
      await server.stop('SIGKILL');
      server = await startServer([], env);
      const now = await counts();
      for (const n of now) expect([0, LINES]).toContain(n);
      seen.add(now.join(','));
    }
    // After the last restart the work left is done at once (not after a 10-minute stale timeout).
    const restarted = performance.now();
    await until(
      async () => {
        const states = await Promise.all(jobs.map(async (u) => (await call('GET', u)).json.state as string));
        return states.every((s) => s === 'done') ? true : undefined;
      },
      'every import job done after the last restart',
      900,
    );
    console.log(`import-kills: the jobs left finished ${((performance.now() - restarted) / 1000).toFixed(1)} s after the last restart`);
    expect(await counts()).toEqual(BANKS.map(() => LINES));
    for (const u of jobs) expect((await call('GET', u)).json).toMatchObject({ state: 'done', result: { contents: LINES } });
    // The kills did land mid-way: some restart saw a bank still empty.
    expect([...seen].some((s) => s.split(',').includes('0'))).toBe(true);
  });
});
