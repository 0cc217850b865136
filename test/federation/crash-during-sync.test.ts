/**
 * Acceptance: kill -9 of a subscriber in the middle of a large sync, then a restart: the final
 * bank equals the publisher's exactly — nothing lost, nothing twice.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { CLI } from '../support/paths.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

const N = 30_000; // six pages of 5,000

describe('a subscriber killed mid-sync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-crash-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const envA = { ALLIANCE_MEMBER_NAME: 'hotline-a', ALLIANCE_MEMBER_KIND: 'hotline', ALLIANCE_MEMBER_COUNTRY: 'NL' };
  const envB = { ALLIANCE_MEMBER_NAME: 'authority-b', ALLIANCE_MEMBER_KIND: 'authority', ALLIANCE_MEMBER_COUNTRY: 'DE' };
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (data: string, env: NodeJS.ProcessEnv, ...args: string[]) => runCli([...args, '--data', data], { env });

  it("ends with exactly the publisher's bank", async () => {
    const csv = join(dir, 'big.csv');
    const rows = ['signal_type,signal,classification'];
    for (let i = 0; i < N; i++) rows.push(`pdq,${createHash('sha256').update(`n${i}`).digest('hex')},industry:A1`);
    writeFileSync(csv, `${rows.join('\n')}\n`);
    expect((await cli(a, envA, 'bank', 'create', 'BIG')).code).toBe(0);
    expect((await cli(a, envA, 'import', csv, '--bank', 'BIG')).stdout).toMatch(`imported ${N}`);
    const keyOf = async (data: string, env: NodeJS.ProcessEnv) => /public key\s+(\S+)/.exec((await cli(data, env, 'identity')).stdout)![1];
    const keyA = await keyOf(a, envA);
    const keyB = await keyOf(b, envB);
    expect(
      (await cli(a, envA, 'peer', 'add', 'authority-b', '--url', 'http://127.0.0.1:9', '--key', keyB, '--kind', 'authority', '--country', 'DE')).code,
    ).toBe(0);
    expect((await cli(a, envA, 'publish', 'BIG', '--members', 'authority-b')).code).toBe(0);
    server = await startServer([], { ALLIANCE_DATA_DIR: a, ...envA });
    expect((await cli(b, envB, 'peer', 'add', 'hotline-a', '--url', server.url, '--key', keyA, '--kind', 'hotline', '--country', 'NL')).code).toBe(0);
    expect((await cli(b, envB, 'subscribe', 'hotline-a', 'BIG')).code).toBe(0);

    // Sync in a child process and kill -9 it once some pages, but not all, are applied.
    const child = spawn(process.execPath, [CLI, 'sync', '--data', b], { env: { ...process.env, ...envB }, stdio: 'ignore' });
    const checkpoint = () => {
      const db = new Database(join(b, 'alliance.sqlite'), { readonly: true, fileMustExist: true });
      try {
        return Number((db.prepare('select checkpoint from subscriptions').get() as { checkpoint: number }).checkpoint);
      } finally {
        db.close();
      }
    };
    let at = 0;
    for (let t = 0; t < 600 && at === 0; t++) {
      await new Promise((r) => setTimeout(r, 25));
      at = checkpoint();
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const killedAt = checkpoint();
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(N);

    const resumed = await cli(b, envB, 'sync');
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);

    const read = (file: string, sqlText: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sqlText).all() as Array<{ uid: string; value: string }>;
      } finally {
        db.close();
      }
    };
    const published = read(
      join(a, 'alliance.sqlite'),
      "select 'hotline-a/' || c.id as uid, s.value from bank_content c join signals s on s.content_id = c.id join banks b on b.id = c.bank_id where b.name = 'BIG'",
    );
    const received = read(
      join(b, 'alliance.sqlite'),
      "select c.uid as uid, s.value from bank_content c join signals s on s.content_id = c.id join banks b on b.id = c.bank_id where b.name = 'HOTLINE_A_BIG'",
    );
    expect(published).toHaveLength(N);
    expect(received).toHaveLength(N); // no duplicates
    const key = (r: { uid: string; value: string }) => `${r.uid} ${r.value}`;
    expect(new Set(received.map(key))).toEqual(new Set(published.map(key)));
    const status = JSON.parse((await cli(b, envB, 'subscriptions', '--json')).stdout)[0];
    expect(status).toMatchObject({ checkpoint: N, lag: 0, last_error: null });
  });
});
