/**
 * What a node keeps on disk and prints stays private: under umask 022 a new data directory is 0700
 * and every file in it 0600 (the SQLite database and its -wal/-shm, keys, snapshots, uploads);
 * webhook secrets and addresses are not in the database in clear; request logs carry route
 * templates, not the hashes looked up; the first admin token goes to a 0600 file, not to the log.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const UMASK_022 = ['sh', '-c', 'umask 022 && exec "$0" "$@"'];
const SECRET = 'webhook-secret-0f9e8d7c6b5a';
const URL_TOKEN = 'tok_8d1f4a2b9c7e';
const PDQ = 'f8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

/** Every file and folder under `dir`, with its mode. */
function modes(dir: string): Array<{ path: string; mode: number; dir: boolean }> {
  const out: Array<{ path: string; mode: number; dir: boolean }> = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    out.push({ path: p, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(dir);
  return out;
}

function filesContaining(dir: string, needle: string): string[] {
  return modes(dir)
    .filter((e) => !e.dir)
    .filter((e) => readFileSync(e.path).includes(Buffer.from(needle)))
    .map((e) => e.path);
}

describe('data at rest and what the node prints', () => {
  let parent: string;
  let data: string;
  let receiver: Server;
  let port: number;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'alliance-rest-'));
    chmodSync(parent, 0o755);
    data = join(parent, 'node', 'data');
    receiver = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    port = (receiver.address() as { port: number }).port;
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    receiver.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates a private data directory, keeps secrets and the first token out of the database and the logs', async () => {
    server = await startServer(
      [],
      { ALLIANCE_DATA_DIR: data, ALLIANCE_LOG_LEVEL: 'info', ALLIANCE_FETCH_ALLOWED_HOSTS: `127.0.0.1:${port}` },
      60_000,
      [],
      UMASK_022,
    );
    // No terminal: the token is in a 0600 file the banner names, not in the output.
    const token = server.token!;
    expect(token).toMatch(/^alli_/);
    expect(server.stderr()).not.toContain(token);
    expect(server.stdout()).not.toContain(token);
    expect(statSync(join(data, 'first-admin-token')).mode & 0o777).toBe(0o600);

    const call = (method: string, path: string, body?: unknown) => http(`${server!.url}${path}`, token, method, body);
    expect((await call('POST', '/api/v1/webhooks', { name: 'platform', url: `http://127.0.0.1:${port}/hooks/${URL_TOKEN}`, secret: SECRET })).status).toBe(201);
    expect((await call('GET', '/api/v1/webhooks')).json.webhooks[0]).toMatchObject({ url: `http://127.0.0.1:${port}/hooks/${URL_TOKEN}` });
    await call('POST', '/api/v1/banks', { name: 'KNOWN' });
    await call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'pdq', value: PDQ }] });
    const csv = await fetch(`${server.url}/api/v1/banks/KNOWN/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: `signal_type,signal\nmd5,${'a'.repeat(32)}\n`,
    });
    expect(csv.status).toBe(202);
    expect((await call('GET', `/m/raw_lookup?signal_type=pdq&signal=${PDQ}`)).json.matches).toHaveLength(1);
    await call('POST', '/api/v1/index/snapshot');
    await until(() => (/"route":"\/m\/raw_lookup"/.test(server!.stdout()) ? true : undefined), "the lookup's log line");

    // Request logs name the route, never the looked-up hash or query.
    expect(server.stdout()).toMatch(/"route":"\/m\/raw_lookup"/);
    expect(server.stdout()).not.toContain(PDQ.slice(0, 20));
    expect(server.stdout()).not.toContain('signal_type=pdq');

    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
    const entries = modes(data);
    expect(entries.some((e) => e.path.endsWith('alliance.sqlite-wal') || e.path.endsWith('alliance.sqlite'))).toBe(true);
    expect(entries.some((e) => e.path.endsWith('.snapshot'))).toBe(true);
    for (const e of entries) expect(`${e.path} ${e.mode.toString(8)}`).toBe(`${e.path} ${e.dir ? '700' : '600'}`);
    // The secret and the address's credential are nowhere in the data directory in clear.
    expect(filesContaining(data, SECRET)).toEqual([]);
    expect(filesContaining(data, URL_TOKEN)).toEqual([]);
  });

  it('tightens a data directory an older version left open, and encrypts the secrets it stored in clear', async () => {
    const old = join(parent, 'old');
    // A node made by the CLI under umask 022, then opened up by hand as older versions left it.
    expect((await runCli(['bank', 'create', 'OLD', '--data', old], { wrap: UMASK_022 })).code).toBe(0);
    mkdirSync(join(old, 'imports'), { mode: 0o755 });
    writeFileSync(join(old, 'imports', 'left.csv'), 'x', { mode: 0o644 });
    for (const e of modes(old)) chmodSync(e.path, e.dir ? 0o755 : 0o644);
    // A webhook row written in clear, as before this version.
    const sqlite = (await import('better-sqlite3')).default;
    const db = new sqlite(join(old, 'alliance.sqlite'));
    db.prepare('insert into webhooks (name, url, secret, enabled, created_at) values (?, ?, ?, 1, ?)').run(
      'legacy',
      `http://127.0.0.1:${port}/${URL_TOKEN}`,
      SECRET,
      Date.now(),
    );
    db.close();
    expect(filesContaining(old, SECRET).length).toBeGreaterThan(0);
    const listed = await runCli(['bank', 'list', '--data', old], { wrap: UMASK_022 });
    expect(listed.code, listed.stderr).toBe(0);
    for (const e of modes(old)) expect(`${e.path} ${e.mode.toString(8)}`).toBe(`${e.path} ${e.dir ? '700' : '600'}`);
    // Sealed at the next start; the WAL is checkpointed away by a clean close.
    server = await startServer([], { ALLIANCE_DATA_DIR: old, ALLIANCE_FETCH_ALLOWED_HOSTS: `127.0.0.1:${port}` }, 60_000, [], UMASK_022);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
    const vacuum = new sqlite(join(old, 'alliance.sqlite'));
    vacuum.exec('vacuum');
    const row = vacuum.prepare("select url, secret from webhooks where name = 'legacy'").get() as { url: string; secret: string };
    vacuum.close();
    expect(row.secret).toMatch(/^enc1:/);
    expect(row.url).toMatch(/^enc1:/);
    expect(filesContaining(old, SECRET)).toEqual([]);
  });
});
