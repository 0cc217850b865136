/**
 * `alliance serve` as real processes: first start and restart from snapshot, no acknowledged
 * write lost to kill -9 (SQLite and PostgreSQL), and several matcher processes on one PostgreSQL
 * database following each other's writes through LISTEN/NOTIFY.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, freshPgDatabase } from '../support/dialects.js';
import { runCli } from '../support/cli.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

const PDQ = (i: number) => (i.toString(16).padStart(8, '0') + 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c').slice(0, 64);

const running: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function envFor(dialect: (typeof DIALECTS)[number]) {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-serve-'));
  dirs.push(dir);
  return { ALLIANCE_DATA_DIR: dir, ...(dialect === 'postgres' ? { ALLIANCE_DATABASE_URL: await freshPgDatabase() } : {}) };
}

async function start(args: string[], env: NodeJS.ProcessEnv) {
  const s = await startServer(args, env);
  running.push(s);
  return s;
}

describe('alliance serve', () => {
  it('starts with demo banks and a first admin token, and restarts from its snapshot', async () => {
    const env = await envFor('sqlite');
    const first = await start(['--demo'], env);
    expect(first.token).toMatch(/^alli_/);
    expect(first.stderr()).toMatch(/Demo banks created/);
    expect((await http(`${first.url}/health`, undefined)).json).toMatchObject({ status: 'ok' });
    const banks = (await http(`${first.url}/api/v1/banks`, first.token)).json.banks;
    expect(banks.map((b: { name: string }) => b.name)).toEqual(['DEMO_ALLOW', 'DEMO_HAYSTACK', 'DEMO_IMAGES', 'DEMO_SEARCH_TERMS', 'DEMO_VIDEOS']);
    // The server runs background jobs: a CSV import through the API completes on its own.
    const queued = await fetch(`${first.url}/api/v1/banks/DEMO_IMAGES/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.token}`, 'content-type': 'text/csv' },
      body: `signal_type,signal\nsha256,${'e'.repeat(64)}\n`,
    });
    expect(queued.status).toBe(202);
    const { status_url } = (await queued.json()) as { status_url: string };
    let job = { state: 'queued' } as { state: string; result?: unknown };
    for (let t = 0; t < 100 && job.state !== 'done'; t++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await http(`${first.url}${status_url}`, first.token)).json;
    }
    expect(job).toMatchObject({ state: 'done', result: { contents: 1 } });
    expect((await http(`${first.url}/m/raw_lookup?signal_type=sha256&signal=${'e'.repeat(64)}`, first.token)).json.matches).toHaveLength(1);
    expect(await first.stop('SIGTERM')).toBe(0);
    running.pop();

    const second = await start(['--demo'], env);
    expect(second.token).toBeUndefined();
    expect(second.stderr()).toMatch(/from snapshot/);
    const status = (await http(`${second.url}/api/v1/index`, first.token)).json;
    expect(status).toMatchObject({ ready: true, loadedFrom: 'snapshot', types: { pdq: { size: 1376 } } });
    const r = await http(`${second.url}/m/lookup?signal_type=pdq&signal=d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22`, first.token);
    expect(Object.keys(r.json)).toEqual(['DEMO_IMAGES']);
  });

  it.each(DIALECTS)('loses no acknowledged write when killed with SIGKILL (%s)', async (dialect) => {
    const env = await envFor(dialect);
    const server = await start([], env);
    const token = server.token!;
    expect((await http(`${server.url}/api/v1/banks`, token, 'POST', { name: 'STREAM' })).status).toBe(201);
    const acknowledged: Array<{ id: number; hash: string }> = [];
    let i = 0;
    let killed = false;
    // Four writers in parallel; kill -9 once 60 writes are acknowledged, mid-stream.
    const writer = async () => {
      while (!killed) {
        const hash = PDQ(i++);
        try {
          const r = await http(`${server.url}/api/v1/banks/STREAM/content`, token, 'POST', { signals: [{ signal_type: 'pdq', value: hash }] });
          if (r.status === 201) acknowledged.push({ id: r.json.id, hash });
        } catch {
          return; // the connection died with the server: not acknowledged
        }
        if (acknowledged.length >= 60 && !killed) {
          killed = true;
          server.proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    await server.stop();
    running.pop();
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);

    const again = await start([], env);
    for (const { id, hash } of acknowledged) {
      const c = await http(`${again.url}/api/v1/content/${id}`, token);
      expect(c.status, `content ${id}`).toBe(200);
      expect(c.json.signals[0].value).toBe(hash);
      expect((await http(`${again.url}/m/raw_lookup?signal_type=pdq&signal=${hash}`, token)).json.matches).toContain(id);
    }
    expect((await http(`${again.url}/api/v1/audit/verify`, token)).json).toMatchObject({ ok: true });
  });

  it("matcher processes sharing PostgreSQL see each other's writes through notifications", async () => {
    const env = await envFor('postgres');
    const main = await start([], { ...env, ALLIANCE_POLL_INTERVAL_MS: '600000' });
    const token = main.token!;
    const matcherEnv = { ...env, ALLIANCE_DATA_DIR: join(env.ALLIANCE_DATA_DIR, 'm1'), ALLIANCE_POLL_INTERVAL_MS: '600000' };
    // A matcher whose data directory lacks the node's audit key would extend the shared chain with
    // entries nobody can verify: it refuses to start, saying so.
    await expect(startServer(['--role', 'matcher'], { ...matcherEnv, ALLIANCE_DATA_DIR: join(env.ALLIANCE_DATA_DIR, 'keyless') })).rejects.toThrow(
      /keyed with audit key .* has no audit\.key/,
    );
    // The fleet shares the data directory's key files.
    for (const m of ['m1', 'm2']) {
      mkdirSync(join(env.ALLIANCE_DATA_DIR, m), { mode: 0o700 });
      for (const f of ['node-key.pem', 'audit.key', 'secrets.key'])
        if (existsSync(join(env.ALLIANCE_DATA_DIR, f))) copyFileSync(join(env.ALLIANCE_DATA_DIR, f), join(env.ALLIANCE_DATA_DIR, m, f));
    }
    const m1 = await start(['--role', 'matcher'], matcherEnv);
    const m2 = await start(['--role', 'matcher'], { ...matcherEnv, ALLIANCE_DATA_DIR: join(env.ALLIANCE_DATA_DIR, 'm2') });
    expect(m1.token).toBeUndefined();
    await http(`${main.url}/api/v1/banks`, token, 'POST', { name: 'SHARED' });
    const added = await http(`${main.url}/api/v1/banks/SHARED/content`, token, 'POST', { signals: [{ signal_type: 'pdq', value: PDQ(7) }] });
    expect(added.status).toBe(201);
    for (const m of [m1, m2]) {
      let matches: number[] = [];
      // Notifications arrive within milliseconds here, but a loaded 2-core CI machine may take seconds: wait up to 30 s.
      for (let t = 0; t < 300 && matches.length === 0; t++) {
        matches = (await http(`${m.url}/m/raw_lookup?signal_type=pdq&signal=${PDQ(7)}`, token)).json.matches;
        if (matches.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(matches).toEqual([added.json.id]);
    }
    await http(`${main.url}/api/v1/content/${added.json.id}`, token, 'DELETE');
    for (const m of [m1, m2]) {
      let matches: number[] = [added.json.id];
      for (let t = 0; t < 300 && matches.length > 0; t++) {
        matches = (await http(`${m.url}/m/raw_lookup?signal_type=pdq&signal=${PDQ(7)}`, token)).json.matches;
        if (matches.length > 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(matches).toEqual([]);
    }
    // The matchers' audited lookups extend the one chain, keyed with the one key.
    expect((await http(`${main.url}/api/v1/audit/verify`, token)).json).toMatchObject({ ok: true });
  });

  it.each([[[]], [['--workers', '2']]])('a port in use: a clear error and exit code 2, not a hang (%j)', async (extra) => {
    const taken = createServer(() => undefined);
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const env = await envFor('sqlite');
      const r = await runCli(['serve', '--port', String(port), ...extra], { env: { ...env, ALLIANCE_LOG_LEVEL: 'warn' } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(
        `error: 127.0.0.1:${port} is already in use (another alliance serve?): choose another port with --port or ALLIANCE_PORT [USAGE]`,
      );
      if (extra.length) expect(r.stderr).toMatch(/Worker \d stopped \(exit code 2\) before it could serve: stopping the server/);
    } finally {
      taken.close();
    }
  });
});
