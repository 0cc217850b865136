/**
 * The audit chain resists rewriting by someone with database access: its hashes are keyed (the
 * key is in the data directory, not the database), so an entry edited and every hash after it
 * recomputed is still named; signed checkpoints of the head (a file, and witness peers) catch a
 * chain rewritten even with the key, and a truncated one; the checkpoint file verifies with the
 * node's public key alone. On SQLite and PostgreSQL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, makeCheckpoint } from '../../src/audit/checkpoints.js';
import { loadIdentity } from '../../src/exchange/identity.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import type { Principal } from '../../src/members/principal.js';
import { entryHash, GENESIS, headMac } from '../../src/store/audit-repo.js';
import type { Db } from '../../src/store/database.js';
import { runCli } from '../support/cli.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';
import { startApi, type TestApi } from '../support/api.js';

/**
 * What an attacker holding the database does after editing entry `from`: recompute every hash from
 * there on and the head, with plain SHA-256 — or with the audit key, if they stole it too.
 */
async function rewriteChain(db: Db, from: number, key?: Buffer): Promise<void> {
  const rows = await db.selectFrom('audit_log').selectAll().where('id', '>=', from).orderBy('id').execute();
  const before = await db.selectFrom('audit_log').select('hash').where('id', '<', from).orderBy('id', 'desc').limit(1).executeTakeFirst();
  let prev = before?.hash ?? GENESIS;
  for (const r of rows) {
    const { id, prev_hash: _p, hash: _h, ...rest } = r;
    const hash = entryHash(prev, rest, key); // without the key: plain SHA-256, all an attacker can do
    await db.updateTable('audit_log').set({ prev_hash: prev, hash }).where('id', '=', id).execute();
    prev = hash;
  }
  const head = await db.selectFrom('audit_head').select('last_id').executeTakeFirstOrThrow();
  // With the key the head's seal can be renewed too; without it, it cannot.
  await db
    .updateTable('audit_head')
    .set({ last_hash: prev, ...(key ? { mac: headMac(key, head.last_id, prev) } : {}) })
    .where('id', '=', 1)
    .execute();
}

describe.each(DIALECTS)('audit anchoring on %s', (dialect) => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;

  const fresh = async () => {
    env = await testConfig(dialect);
    node = await openNode(env.config);
    admin = await node.operator();
    for (const name of ['BANK_A', 'BANK_B', 'BANK_C']) await node.banks.createBank(admin, { name });
  };
  afterEach(async () => {
    await node?.close();
    env?.cleanup();
  });

  const entries = async () => (await node.audit.list({ limit: 100 })).reverse();

  it('names an edited entry even when every later hash and the head were recomputed', async () => {
    await fresh();
    expect(await node.verifyAudit()).toMatchObject({ ok: true });
    const victim = (await entries()).find((e) => e.action === 'bank.create' && e.target === 'BANK_B')!;
    await sql`update audit_log set target = 'BANK_X' where id = ${victim.id}`.execute(node.store.db);
    await rewriteChain(node.store.db, victim.id);
    const r = await node.verifyAudit();
    expect(r).toMatchObject({ ok: false, problem: { id: victim.id, reason: expect.stringMatching(/edited/) } });
    // The CLI names it too (exit 1).
    if (dialect === 'sqlite') {
      await node.close();
      const cli = await runCli(['audit', 'verify', '--data', env.dataDir]);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(new RegExp(`BROKEN at entry ${victim.id}:`));
      node = await openNode(env.config);
    }
  });

  it('finds the last entries cut off without the key, even after the last checkpoint: the head carries a keyed seal', async () => {
    await fresh();
    const [last, before] = (await entries()).reverse();
    await sql`delete from audit_log where id = ${last.id}`.execute(node.store.db);
    await node.store.db.updateTable('audit_head').set({ last_id: before.id, last_hash: before.hash }).where('id', '=', 1).execute();
    expect(await node.verifyAudit()).toMatchObject({ ok: false, problem: { id: before.id, reason: expect.stringMatching(/does not carry its keyed seal/) } });
  });

  it('refuses to open a database keyed with an audit key this data directory does not hold', async () => {
    await fresh();
    await node.close();
    const other = await testConfig(dialect);
    try {
      if (dialect === 'sqlite') {
        // The database file moved to another data directory without its keys.
        const { copyFileSync } = await import('node:fs');
        copyFileSync(join(env.dataDir, 'alliance.sqlite'), join(other.dataDir, 'alliance.sqlite'));
        await expect(openNode({ ...other.config })).rejects.toThrow(/keyed with audit key .* has no audit\.key/);
      } else {
        await expect(openNode({ ...other.config, databaseUrl: env.config.databaseUrl })).rejects.toThrow(/keyed with audit key .* has no audit\.key/);
      }
    } finally {
      other.cleanup();
      node = await openNode(env.config);
    }
  });

  it('catches a chain rewritten with the stolen key, or cut short, by its signed checkpoints', async () => {
    await fresh();
    const first = await node.checkpointAudit();
    expect(first).toMatchObject({ written: true, checkpoint: { entry: expect.any(Number) } });
    expect(await node.checkpointAudit()).toMatchObject({ written: false }); // the same head: not signed twice
    await node.banks.createBank(admin, { name: 'BANK_D' });
    const second = await node.checkpointAudit();
    expect(second.checkpoint!.entry).toBeGreaterThan(first.checkpoint!.entry);
    expect(await node.verifyAudit()).toMatchObject({ ok: true, checkpoints: { checked: 2, latest_entry: second.checkpoint!.entry } });

    // With the audit key (the attacker has the data directory too), the chain itself is consistent again…
    const key = JSON.parse(readFileSync(join(env.dataDir, 'audit.key'), 'utf8')) as { key: string };
    const victim = (await entries()).find((e) => e.target === 'BANK_B')!;
    const original = await node.store.db.selectFrom('audit_log').selectAll().execute();
    const head = await node.store.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    await sql`update audit_log set target = 'BANK_X' where id = ${victim.id}`.execute(node.store.db);
    await rewriteChain(node.store.db, victim.id, Buffer.from(key.key, 'base64'));
    // …but no longer has the signed hashes: the first checkpoint after the edit is named.
    expect(await node.verifyAudit()).toMatchObject({
      ok: false,
      problem: { id: first.checkpoint!.entry, reason: expect.stringMatching(/no longer has the hash signed in the checkpoint file/) },
    });

    // Put back, then cut the last entries off and repair the head: the later checkpoint reaches past it.
    for (const row of original) await node.store.db.updateTable('audit_log').set(row).where('id', '=', row.id).execute();
    await node.store.db.updateTable('audit_head').set(head).where('id', '=', 1).execute();
    expect(await node.verifyAudit()).toMatchObject({ ok: true });
    const last = (await entries()).at(-1)!;
    const before = (await entries()).at(-2)!;
    await sql`delete from audit_log where id = ${last.id}`.execute(node.store.db);
    // With the key, the attacker seals the shortened head too: only the checkpoint reaching past it tells.
    await node.store.db
      .updateTable('audit_head')
      .set({ last_id: before.id, last_hash: before.hash, mac: headMac(Buffer.from(key.key, 'base64'), before.id, before.hash) })
      .where('id', '=', 1)
      .execute();
    expect(await node.verifyAudit()).toMatchObject({ ok: false, problem: { id: second.checkpoint!.entry, reason: expect.stringMatching(/is gone/) } });
  });

  it('verifies the checkpoint file with the public key alone, and refuses an edited one', async () => {
    await fresh();
    await node.checkpointAudit();
    await node.banks.createBank(admin, { name: 'BANK_E' });
    await node.checkpointAudit();
    const file = join(env.dataDir, CHECKPOINT_FILE);
    const publicKey = node.federation.identity.publicKey;
    const good = await runCli(['audit', 'checkpoints', file, '--key', publicKey]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^2 checkpoint\(s\), all signed by/);
    // Another key does not verify them; an edited line does not verify either.
    const other = loadIdentity(join(env.dataDir, 'other-node'));
    expect((await runCli(['audit', 'checkpoints', file, '--key', other.publicKey])).code).toBe(1);
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [lines[0].replace(/\\"entry\\":(\d+)/, (_m, n) => `\\"entry\\":${Number(n) + 1}`), ...lines.slice(1)].join('\n'));
    const edited = await runCli(['audit', 'checkpoints', file, '--key', publicKey]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/line 1: .*signature does not verify/);
    expect(await node.verifyAudit()).toMatchObject({ ok: false, problem: { reason: expect.stringMatching(/line 1/) } });
    // A checkpoint signed by another key, appended, is refused by name.
    writeFileSync(file, `${lines.join('\n')}${JSON.stringify(makeCheckpoint(other, 'local', { last_id: 1, last_hash: 'a'.repeat(64) }))}\n`);
    expect(await node.verifyAudit()).toMatchObject({ ok: false, problem: { reason: expect.stringMatching(/line 3: not a checkpoint signed by/) } });
  });
});

describe.each(DIALECTS)('witness peers of the audit chain on %s', (dialect) => {
  let a: TestApi;
  let witness: TestApi;

  beforeAll(async () => {
    witness = await startApi(dialect === 'sqlite' ? 'postgres' : 'sqlite', { memberName: 'secretariat', memberKind: 'secretariat' });
    const wUrl = await witness.app.listen({ port: 0, host: '127.0.0.1' });
    a = await startApi(dialect, { memberName: 'hotline-nl', memberKind: 'hotline', memberCountry: 'NL', auditWitnesses: 'secretariat' });
    const aUrl = await a.app.listen({ port: 0, host: '127.0.0.1' });
    const aId = (await a.call('GET', '/api/v1/identity')).json();
    const wId = (await witness.call('GET', '/api/v1/identity')).json();
    expect((await a.call('POST', '/api/v1/peers', { name: 'secretariat', url: wUrl, public_key: wId.public_key, kind: 'secretariat' })).statusCode).toBe(201);
    expect(
      (await witness.call('POST', '/api/v1/peers', { name: 'hotline-nl', url: aUrl, public_key: aId.public_key, kind: 'hotline', country: 'NL' })).statusCode,
    ).toBe(201);
  });
  afterAll(async () => {
    await a?.close();
    await witness?.close();
  });

  it('keeps every checkpoint, refuses one that contradicts a kept one (audited), and catches a rewrite the node signed and sent', async () => {
    await a.call('POST', '/api/v1/banks', { name: 'WITNESSED' });
    const made = (await a.call('POST', '/api/v1/audit/checkpoints')).json();
    expect(made).toMatchObject({ written: true, witness_failures: [] });
    const kept = await witness.node.store.db.selectFrom('audit_witness').selectAll().execute();
    expect(kept).toMatchObject([{ entry: made.checkpoint.entry, hash: made.checkpoint.hash }]);
    expect((await a.call('GET', '/api/v1/audit/verify')).json()).toMatchObject({
      ok: true,
      checkpoints: { witnesses: 1 },
      unreachable_witnesses: [],
      witness_errors: [],
    });

    // Another hash for an entry the witness holds: refused, audited on the witness, and flagged on the sender.
    const forged = makeCheckpoint(a.node.federation.identity, 'hotline-nl', { last_id: made.checkpoint.entry, last_hash: 'b'.repeat(64) });
    const refused = await a.node.auditWitnesses.publish(forged);
    expect(refused).toMatchObject([{ witness: 'secretariat', error: expect.stringMatching(/contradicts/) }]);
    expect((await witness.call('GET', '/api/v1/audit?action=audit.checkpoint_refused')).json().entries).toHaveLength(1);

    // The attacker holds the whole data directory: rewrites the chain with the key and empties the
    // local checkpoint file; the node then signs the forged head and sends it — the witness takes it.
    const key = JSON.parse(readFileSync(join(a.env.dataDir, 'audit.key'), 'utf8')) as { key: string };
    const victim = (await a.node.audit.list({ limit: 100 })).find((e) => e.target === 'WITNESSED')!;
    await sql`update audit_log set target = 'RENAMED' where id = ${victim.id}`.execute(a.node.store.db);
    await rewriteChain(a.node.store.db, victim.id, Buffer.from(key.key, 'base64'));
    writeFileSync(join(a.env.dataDir, CHECKPOINT_FILE), '');
    await a.call('POST', '/api/v1/banks', { name: 'LATER' }); // the head moves on
    const next = (await a.call('POST', '/api/v1/audit/checkpoints')).json();
    expect(next).toMatchObject({ written: true, witness_failures: [] });
    expect(await witness.node.store.db.selectFrom('audit_witness').selectAll().execute()).toHaveLength(2);
    // The checkpoint the witness kept from before still names the old hash.
    const r = (await a.call('GET', '/api/v1/audit/verify')).json();
    expect(r).toMatchObject({ ok: false, problem: { id: made.checkpoint.entry, reason: expect.stringMatching(/signed in witness secretariat/) } });
  });
});
