/**
 * The node's services on both databases: members and tokens, banks and content, lookups with
 * their reasons (disabled, ratio, negative banks), instant index updates, snapshots, audit chain.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { getBankByName } from '../../src/store/banks-repo.js';
import { insertContent, insertSignals } from '../../src/store/content-repo.js';
import { claimJob, completeJob, enqueueJob, failJob } from '../../src/store/jobs.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { hostname } from 'node:os';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readSnapshot, writeSnapshot } from '../../src/index/snapshot.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';

const PDQ_A = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const PDQ_A_NEAR = 'd8f8f0cee0f4a84f0637022a038f67f0b36e2ed596631e1d33e6339c4e9c9b22'; // 2 bits off
const PDQ_B = 'e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064';

describe.each(DIALECTS)('node services on %s', (dialect) => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  const open = async () => {
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.members.authenticate(node.firstAdminToken ?? firstToken);
    return node;
  };
  let firstToken = '';

  afterEach(async () => {
    await node?.close();
    env?.cleanup();
  });

  async function fresh() {
    env = await testConfig(dialect);
    await open();
    firstToken = node.firstAdminToken!;
  }

  it('bootstraps the node member and one admin token, once', async () => {
    await fresh();
    expect(firstToken).toMatch(/^alli_/);
    expect(admin).toMatchObject({ memberName: 'local', role: 'admin' });
    await node.close();
    node = await openNode(env.config, { loadIndex: true });
    expect(node.firstAdminToken).toBeUndefined();
    expect((await node.members.listMembers()).map((m) => m.name)).toEqual(['local']);
  });

  it('authenticates tokens by hash and refuses revoked ones at once', async () => {
    await fresh();
    await node.members.createMember(admin, { name: 'hotline-de', kind: 'hotline', country: 'de' });
    const { token, record } = await node.members.createToken(admin, 'hotline-de', 'curator', 'ci');
    expect(await node.members.authenticate(token)).toMatchObject({ memberName: 'hotline-de', role: 'curator' });
    await node.members.revokeToken(admin, record.id);
    await expect(node.members.authenticate(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(node.members.authenticate('alli_nope')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const stored = await node.store.db.selectFrom('tokens').select('token_hash').execute();
    expect(stored.map((t) => t.token_hash).join()).not.toContain(token);
  });

  it('manages banks: create, list with counts, rename, disable, delete; names and owners enforced', async () => {
    await fresh();
    await node.banks.createBank(admin, { name: 'KNOWN_CSAM' });
    await expect(node.banks.createBank(admin, { name: 'KNOWN_CSAM' })).rejects.toMatchObject({ code: 'BANK_EXISTS' });
    await expect(node.banks.createBank(admin, { name: 'bad-name' })).rejects.toMatchObject({ code: 'BANK_NAME_INVALID' });
    await node.banks.addContent(admin, 'KNOWN_CSAM', {
      signals: [
        { signal_type: 'pdq', value: PDQ_A },
        { signal_type: 'md5', value: 'A'.repeat(32) },
      ],
      classification: 'industry:A1',
      tags: ['series-x'],
    });
    const [bank] = await node.banks.listBanks(admin);
    expect(bank).toMatchObject({ name: 'KNOWN_CSAM', content_count: 1, signal_counts: { pdq: 1, md5: 1 }, matching_enabled: true, enabled_ratio: 1 });
    await node.banks.updateBank(admin, 'KNOWN_CSAM', { name: 'KNOWN', matching_enabled: false });
    expect((await node.banks.getBank(admin, 'KNOWN')).matching_enabled).toBe(false);
    await expect(node.banks.getBank(admin, 'KNOWN_CSAM')).rejects.toMatchObject({ code: 'BANK_NOT_FOUND' });
    // Another member's curator cannot touch it.
    await node.members.createMember(admin, { name: 'other', kind: 'platform' });
    const { token } = await node.members.createToken(admin, 'other', 'curator');
    const other = await node.members.authenticate(token);
    await expect(node.banks.updateBank(other, 'KNOWN', { matching_enabled: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(node.banks.deleteBank(other, 'KNOWN')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await node.banks.createBank(other, { name: 'OTHERS' });
    expect(await node.banks.deleteBank(admin, 'KNOWN')).toEqual({ signals_removed: 2 });
    expect((await node.banks.listBanks(admin)).map((b) => b.name)).toEqual(['OTHERS']);
  });

  it('matches a new signal in the very next lookup, and never after it is disabled or deleted', async () => {
    await fresh();
    await node.banks.createBank(admin, { name: 'BANK_A' });
    expect((await node.lookup.lookup('pdq', PDQ_A_NEAR)).matches).toEqual([]);
    const c = await node.banks.addContent(admin, 'BANK_A', { signals: [{ signal_type: 'pdq', value: PDQ_A }], classification: 'uk:B' });
    const r = await node.lookup.lookup('pdq', PDQ_A_NEAR);
    expect(r.matches).toMatchObject([
      { bank: 'BANK_A', content_id: c.id, distance: 2, classification: { scheme: 'uk', value: 'B', vics: 1, legal: 'national' } },
    ]);
    expect(r.explanation[0]).toMatch(/matches/);

    await node.banks.updateContent(admin, c.id, { disabled_until: Date.now() + 3_600_000 });
    const disabled = await node.lookup.lookup('pdq', PDQ_A_NEAR);
    expect(disabled.matches).toEqual([]);
    expect(disabled.not_counted[0].reason).toMatch(/disabled until/);
    expect((await node.lookup.lookup('pdq', PDQ_A_NEAR, { raw: true })).matches).toHaveLength(1);

    await node.banks.updateContent(admin, c.id, { disabled_until: null });
    await node.banks.updateBank(admin, 'BANK_A', { enabled_ratio: 0 });
    expect((await node.lookup.lookup('pdq', PDQ_A)).not_counted[0].reason).toMatch(/enabled ratio/);
    await node.banks.updateBank(admin, 'BANK_A', { enabled_ratio: 1 });

    await node.banks.deleteContent(admin, c.id);
    const gone = await node.lookup.lookup('pdq', PDQ_A, { raw: true });
    expect([...gone.matches, ...gone.not_counted]).toEqual([]);
  });

  it('a negative bank match suppresses the positive match and says so', async () => {
    await fresh();
    await node.banks.createBank(admin, { name: 'KNOWN' });
    await node.banks.createBank(admin, { name: 'ALLOW', kind: 'negative' });
    const known = await node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'pdq', value: PDQ_A }] });
    expect((await node.lookup.lookup('pdq', PDQ_A)).matches).toHaveLength(1);
    const allow = await node.banks.addContent(admin, 'ALLOW', { signals: [{ signal_type: 'pdq', value: PDQ_A_NEAR }], note: 'widely shared meme' });
    const r = await node.lookup.lookup('pdq', PDQ_A);
    expect(r.matches).toEqual([]);
    expect(r.allow_listed).toMatchObject([{ bank: 'ALLOW', content_id: allow.id, distance: 2 }]);
    expect(r.suppressed).toMatchObject([{ bank: 'KNOWN', content_id: known.id, suppressed_by: { bank: 'ALLOW', content_id: allow.id, distance: 2 } }]);
    expect(r.explanation.join('\n')).toMatch(/suppressed: the content is on negative bank ALLOW/);
    // Restricting the lookup to the positive bank leaves the negative one out.
    expect((await node.lookup.lookup('pdq', PDQ_A, { banks: ['KNOWN'] })).matches).toHaveLength(1);
  });

  it('restarts from a snapshot and replays the writes made after it', async () => {
    await fresh();
    await node.banks.createBank(admin, { name: 'BANK_A' });
    await node.banks.addContent(admin, 'BANK_A', {
      signals: [
        { signal_type: 'pdq', value: PDQ_A },
        { signal_type: 'sha1', value: 'b'.repeat(40) },
      ],
    });
    expect((await node.matcher.snapshot()).files).toBeGreaterThan(0);
    expect(await node.matcher.snapshot()).toMatchObject({ files: 0, bytes: 0 }); // unchanged: not rewritten
    await node.banks.addContent(admin, 'BANK_A', { signals: [{ signal_type: 'pdq', value: PDQ_B }] });
    await node.close();
    await open();
    expect(node.matcher.status()).toMatchObject({ ready: true, loadedFrom: 'snapshot' });
    expect((await node.matcher.snapshot()).files).toBeGreaterThan(0); // B was replayed after the restored snapshot
    expect((await node.lookup.lookup('pdq', PDQ_A)).matches).toHaveLength(1);
    expect((await node.lookup.lookup('pdq', PDQ_B)).matches).toHaveLength(1);
    expect((await node.lookup.lookup('sha1', 'B'.repeat(40))).matches).toHaveLength(1);
  });

  it('rebuilds from the database when the keyword snapshot was made by another reduction (an earlier release)', async () => {
    await fresh();
    await node.banks.createBank(admin, { name: 'TERMS' });
    await node.banks.addContent(admin, 'TERMS', { signals: [{ signal_type: 'keyword', value: 'ꜰᴏʀʙɪᴅᴅᴇɴᴛᴇʀᴍ' }] });
    await node.matcher.snapshot();
    await node.close();
    // What an earlier release wrote: skeletons without the name of the reduction that made them.
    const file = join(env.config.dataDir, 'index', 'keyword.snapshot');
    const old = await readSnapshot(file);
    await writeSnapshot(file, { ...old, meta: { seq: old.meta.seq } });
    await open();
    expect(node.matcher.status()).toMatchObject({ ready: true, loadedFrom: 'database' });
    expect((await node.lookup.lookup('keyword', 'where is forbidden term')).matches).toHaveLength(1);
    await node.matcher.snapshot();
    await node.close();
    await open();
    expect(node.matcher.status()).toMatchObject({ ready: true, loadedFrom: 'snapshot' }); // the new one names this reduction
  });

  it('keeps a hash-chained audit log that detects edits and deletions', async () => {
    await fresh();
    await node.banks.createBank(admin, { name: 'BANK_A' });
    await node.banks.updateBank(admin, 'BANK_A', { description: 'x' });
    await node.banks.createBank(admin, { name: 'BANK_B' });
    node.audit.recordRead(admin, 'lookup', 'pdq', {}, 0);
    expect(await node.audit.verify()).toMatchObject({ ok: true, entries: 6 });
    const entries = await node.audit.list({ limit: 10 });
    expect(entries.map((e) => e.action)).toEqual(['lookup', 'bank.create', 'bank.update', 'bank.create', 'token.create', 'member.create']);
    const victim = entries[2];
    await sql`update audit_log set detail = '{"description":"y"}' where id = ${victim.id}`.execute(node.store.db);
    expect(await node.audit.verify()).toMatchObject({ ok: false, problem: { id: victim.id, reason: expect.stringMatching(/edited/) } });
    await sql`delete from audit_log where id = ${victim.id}`.execute(node.store.db);
    expect(await node.audit.verify()).toMatchObject({ ok: false, problem: { id: victim.id + 1, reason: expect.stringMatching(/deleted or edited/) } });
  });

  it('detects a deleted last audit entry through the chain head', async () => {
    await fresh();
    await node.banks.createBank(admin, { name: 'BANK_A' });
    const [last] = await node.audit.list({ limit: 1 });
    await sql`delete from audit_log where id = ${last.id}`.execute(node.store.db);
    expect(await node.audit.verify()).toMatchObject({ ok: false, problem: { reason: expect.stringMatching(/last entries were deleted/) } });
  });

  it('runs durable jobs: claim once, retry on failure, complete', async () => {
    await fresh();
    const id = await enqueueJob(node.store.db, 'snapshot', { why: 'test' });
    const job = await claimJob(node.store.db, 'w1', ['snapshot']);
    expect(job).toMatchObject({ id, state: 'running', attempts: 1, data: { why: 'test' } });
    expect(await claimJob(node.store.db, 'w2', ['snapshot'])).toBeUndefined();
    await failJob(node.store.db, job!, 'boom');
    const row = await node.store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'queued', last_error: 'boom' });
    expect(row.run_after).toBeGreaterThan(Date.now());
    // Due again, claimed again, finished inside a transaction of its effects.
    await node.store.db
      .updateTable('jobs')
      .set({ run_after: Date.now() - 1 })
      .where('id', '=', id)
      .execute();
    const again = await claimJob(node.store.db, 'w1', ['snapshot']);
    await expect(
      node.store.db.transaction().execute(async (tx) => {
        expect(await completeJob(tx, id, { ok: false })).toBe(true);
        throw new Error('the effects failed after all');
      }),
    ).rejects.toThrow(/effects failed/);
    expect((await node.store.db.selectFrom('jobs').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('running'); // rolled back with them
    await node.store.db.transaction().execute((tx) => completeJob(tx, id, { ok: true }));
    // A job done with its effects is never put back: not by a late failure, not by a second completion.
    await failJob(node.store.db, again!, 'too late');
    expect(await completeJob(node.store.db, id, { ok: 'twice' })).toBe(false);
    expect(await node.store.db.selectFrom('jobs').select(['state', 'result']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
      state: 'done',
      result: '{"ok":true}',
    });
  });

  it('resumes a job whose process died at the next start, not after the lease', async () => {
    await fresh();
    const id = await enqueueJob(node.store.db, 'snapshot', {});
    // Claimed by a process of this machine that no longer runs (pid 2^22 + 1 is above Linux's pid_max).
    await claimJob(node.store.db, `${hostname()}/${readlinkSync('/proc/self/ns/pid')}:4194305`, ['snapshot']);
    const other = await enqueueJob(node.store.db, 'snapshot', {});
    await claimJob(node.store.db, 'another-host:123', ['snapshot']); // alive for all we know: its lease runs
    const ran: number[] = [];
    const runner = new JobRunner(node.store, { snapshot: async (_data, ctx) => void ran.push(ctx.jobId) });
    await runner.start();
    await runner.tick();
    await runner.stop();
    expect(ran).toEqual([id]);
    expect((await node.store.db.selectFrom('jobs').select('state').where('id', '=', other).executeTakeFirstOrThrow()).state).toBe('running');
  });

  it('lets only the runner holding a job finish or fail it', async () => {
    await fresh();
    const id = await enqueueJob(node.store.db, 'snapshot', {});
    const held = (await claimJob(node.store.db, 'runner-a:1', ['snapshot']))!;
    // Runner A's lease ran out and runner B took the job over.
    await node.store.db.updateTable('jobs').set({ locked_by: 'runner-b:2' }).where('id', '=', id).execute();
    await failJob(node.store.db, held, 'A failed late', 5, false, 'runner-a:1');
    expect(await completeJob(node.store.db, id, { by: 'A' }, 'runner-a:1')).toBe(false);
    expect(await node.store.db.selectFrom('jobs').select(['state', 'locked_by']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
      state: 'running',
      locked_by: 'runner-b:2',
    });
    expect(await completeJob(node.store.db, id, { by: 'B' }, 'runner-b:2')).toBe(true);
  });
});

describe('the index change log on PostgreSQL', () => {
  it('a matcher never skips a change whose transaction commits after a later one', async () => {
    const env = await testConfig('postgres');
    const node = await openNode(env.config, { loadIndex: true });
    try {
      const admin = await node.members.authenticate(node.firstAdminToken!);
      await node.banks.createBank(admin, { name: 'SLOW_AND_FAST' });
      const bank = await getBankByName(node.store.db, 'SLOW_AND_FAST');
      let inserted!: () => void;
      let release!: () => void;
      const wroteFirst = new Promise<void>((r) => (inserted = r));
      const gate = new Promise<void>((r) => (release = r));
      // The slow writer logs its change first and commits last.
      const slow = node.store.db.transaction().execute(async (tx) => {
        const c = await insertContent(tx, { bank_id: bank.id, classification: null, tags: [], note: null, source_member: null, disabled_until: null });
        await insertSignals(tx, c.id, bank.id, [{ signal_type: 'pdq', value: PDQ_A }]);
        inserted();
        await gate;
      });
      await Promise.race([wroteFirst, slow]);
      const fast = node.banks.addContent(admin, 'SLOW_AND_FAST', { signals: [{ signal_type: 'pdq', value: PDQ_B }] });
      // Give the fast writer the chance to commit, had nothing held it back, and the matcher to read the log.
      await Promise.race([fast, new Promise((r) => setTimeout(r, 300))]);
      await node.matcher.catchUp();
      release();
      await Promise.all([slow, fast]);
      await node.matcher.catchUp();
      for (const value of [PDQ_A, PDQ_B]) expect((await node.lookup.lookup('pdq', value)).matches, value).toHaveLength(1);
    } finally {
      await node.close();
      env.cleanup();
    }
  });
});
