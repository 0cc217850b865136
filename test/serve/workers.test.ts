/**
 * `alliance serve --workers 2` as a real process tree, on SQLite and PostgreSQL: two workers serve one port; a write
 * through one is matched by both; concurrent writes through both keep one audit chain; /metrics
 * sums over the workers; message counts from both add up; a killed worker is replaced; SIGTERM
 * stops everything with exit code 0 and the index snapshot written.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshPgDatabase } from '../support/dialects.js';
import { childPids, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
let dir: string;
let server: ServerProcess;
let token: string;

/**
 * One request on a new connection: the cluster hands connections to the workers in turn. Status 0
 * when it fails or takes over 5 s (a connection in flight to a worker that is killed is lost).
 */
function fresh(path: string, method = 'GET', body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const url = new URL(path, server.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      url,
      { method, agent: false, timeout: 5000, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
    req.on('error', (err) => resolve({ status: 0, json: undefined, text: String(err) }));
    req.end(payload);
  });
}

/** The worker processes: children of the primary. */
const workers = () => childPids(server.proc.pid!);

/** Deterrence messages counted this year, from the indicators. */
async function messagesShown(): Promise<number> {
  return (await fresh(`/api/v1/indicators?period=${new Date().getUTCFullYear()}`)).json.indicators.values['awareness.deterrence_messages'];
}

describe.each(DIALECTS)('alliance serve --workers 2 (%s)', (dialect) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-workers-'));
    const env = {
      ALLIANCE_DATA_DIR: dir,
      ALLIANCE_POLL_INTERVAL_MS: '200',
      ALLIANCE_SNAPSHOT_INTERVAL_MS: '0',
      ...(dialect === 'postgres' ? { ALLIANCE_DATABASE_URL: await freshPgDatabase() } : {}),
    };
    server = await startServer(['--workers', '2', '--demo'], env);
    token = server.token!;
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prepares once and serves from two worker processes', async () => {
    expect(token).toMatch(/^alli_/);
    const err = server.stderr();
    expect(err.match(/Demo banks created/g)).toHaveLength(1);
    expect(err).toMatch(/2 worker processes/);
    expect(err.match(/Listening on/g)).toHaveLength(1);
    await until(() => /Worker 2: index ready/.test(server.stderr()) || undefined, 'worker 2');
    expect(workers()).toHaveLength(2);
    for (let i = 0; i < 6; i++) expect((await fresh('/health')).json).toMatchObject({ status: 'ok', index_ready: true });
  });

  it('a write through one worker is matched by both', async () => {
    expect((await fresh('/api/v1/banks', 'POST', { name: 'WORKERS' })).status).toBe(201);
    expect((await fresh('/api/v1/banks/WORKERS/content', 'POST', { signals: [{ signal_type: 'pdq', value: PDQ }] })).status).toBe(201);
    // Ten lookups in a row on new connections (so on both workers, in turn) all match.
    await until(async () => {
      for (let i = 0; i < 10; i++) {
        const r = await fresh('/api/v1/lookup', 'POST', { signal_type: 'pdq', signal: PDQ });
        expect(r.status, r.text).toBe(200);
        if (!r.json.matches.some((m: { bank: string }) => m.bank === 'WORKERS')) return undefined;
      }
      return true;
    }, 'both workers match the new content');
  });

  it('concurrent writes through both workers: every one lands, one unbroken audit chain', async () => {
    const made = await Promise.all(Array.from({ length: 24 }, (_, i) => fresh('/api/v1/banks', 'POST', { name: `CONCURRENT_${i}` })));
    expect(made.map((r) => r.status)).toEqual(Array(24).fill(201));
    const banks = (await fresh('/api/v1/banks')).json.banks.map((b: { name: string }) => b.name);
    for (let i = 0; i < 24; i++) expect(banks).toContain(`CONCURRENT_${i}`);
    expect((await fresh('/api/v1/audit/verify')).json).toMatchObject({ ok: true });
  });

  it('/metrics sums the requests of both workers, and gives the index size once', async () => {
    const count = async () => {
      const text = (await fresh('/metrics')).text;
      const pdq = /alliance_index_size\{signal_type="pdq"\} (\d+)/.exec(text)?.[1];
      expect(Number(pdq)).toBe((await fresh('/api/v1/index')).json.types.pdq.size); // not twice over
      return Number(/alliance_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/check\/text",status="200"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const n0 = await count();
    for (let i = 0; i < 30; i++)
      expect((await fresh('/api/v1/check/text', 'POST', { text: 'where is the forbiddenterm', country: 'BE' })).json.match).toBe(true);
    expect(await count()).toBe(n0 + 30);
    // Each worker writes its own message counts (within a second); they add up in the store.
    await until(async () => (await messagesShown()) === 30 || undefined, 'both workers flush their counts');
  });

  it('a killed worker is replaced, and the other serves meanwhile', async () => {
    const [first, second] = workers();
    process.kill(first, 'SIGKILL');
    // Whatever was in flight to the killed worker is lost; the other one answers.
    await until(async () => (await fresh('/health')).status === 200 || undefined, 'the other worker answers');
    const now = await until(() => {
      const w = workers();
      return w.length === 2 && !w.includes(first) ? w : undefined;
    }, 'a new worker');
    expect(now).toContain(second);
    await until(() => /starting another/.test(server.stderr()) || undefined, 'the primary says so');
    await until(() => (server.stderr().match(/Worker \d: index ready/g) ?? []).length === 3 || undefined, 'the new worker is ready');
    await until(async () => {
      for (let i = 0; i < 6; i++) if ((await fresh('/health')).json?.index_ready !== true) return undefined;
      return true;
    }, 'the new worker serves');
  });

  it('SIGTERM stops every worker, writes the snapshot, exits 0', async () => {
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    expect(workers()).toEqual([]);
    expect(existsSync(join(dir, 'index')), server.stderr()).toBe(true);
    expect(readdirSync(join(dir, 'index')).some((f) => f.startsWith('pdq'))).toBe(true);
  });
});
