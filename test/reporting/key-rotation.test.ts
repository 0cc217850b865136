/**
 * A member's key rotation keeps its earlier country reports: the secretariat records the key each
 * report was verified with, keeps every key a member had with when it was valid, and verifies a
 * stored report against the key it was signed with — so after `alliance peer update --key` the
 * reports signed before are still listed and verifiable, the new key's reports join them, and the
 * old key signs nothing new.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { fingerprint, publicKeyString, type NodeIdentity } from '../../src/exchange/identity.js';
import { signRequest } from '../../src/exchange/request-signing.js';
import type { CountryReport } from '../../src/reporting/country-report.js';
import { startApi, type TestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/dialects.js';

function identity(): NodeIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKeyString(publicKey), fingerprint: 'test', sign: (d) => sign(null, Buffer.from(d), privateKey).toString('base64') };
}

function quarter(back: number): string {
  const d = new Date();
  const q = d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3) - back;
  return `${Math.floor(q / 4)}-Q${(q % 4) + 1}`;
}

describe.each(DIALECTS)("a member's key rotation on %s", (dialect) => {
  let sec: TestApi;
  let url: string;
  let base: CountryReport;
  const first = identity();
  const second = identity();
  const cli = (...args: string[]) =>
    runCli([...args, '--data', sec.env.dataDir], { env: sec.env.config.databaseUrl ? { ALLIANCE_DATABASE_URL: sec.env.config.databaseUrl } : {} });

  beforeAll(async () => {
    sec = await startApi(dialect, { memberName: 'secretariat', memberKind: 'secretariat' });
    url = await sec.app.listen({ port: 0, host: '127.0.0.1' });
    const admin = await sec.node.operator();
    await sec.node.federation.addPeer(admin, { name: 'police-be', url: 'http://127.0.0.1:9', publicKey: first.publicKey, country: 'BE', kind: 'authority' });
    // A well-formed report to send as police-be (the figures do not matter here).
    base = (await sec.node.countryReports.build(admin, quarter(0))).report as CountryReport;
  });
  afterAll(() => sec?.close());

  /** police-be's node sends a report for `period`, sealed and requested with `key`. */
  const submit = (key: NodeIdentity, period: string) => {
    const body = JSON.stringify(
      seal(key, { ...base, member: 'police-be', country: 'BE', period, narrative: { summary: `signed by ${fingerprint(key.publicKey)}` } }),
    );
    return fetch(`${url}/federation/v1/country-reports`, {
      method: 'POST',
      headers: { ...signRequest(key, 'police-be', 'secretariat', 'POST', '/federation/v1/country-reports', body), 'content-type': 'application/json' },
      body,
    });
  };
  const received = async () =>
    (await sec.call('GET', '/api/v1/alliance/reports')).json().reports as Array<{ member: string; period: string; key: string; report: CountryReport }>;

  it('keeps the reports signed before the rotation listed and verified, beside those after it', async () => {
    expect((await submit(first, quarter(1))).status).toBe(200);
    expect((await received()).map((r) => [r.period, r.key])).toEqual([[quarter(1), fingerprint(first.publicKey)]]);

    const rotated = await cli('peer', 'update', 'police-be', '--key', second.publicKey);
    expect(rotated.stdout, rotated.stderr).toMatch(new RegExp(`^peer police-be updated \\(http://127\\.0\\.0\\.1:9, key ${fingerprint(second.publicKey)}\\)`));
    // The old key signs nothing new; the new one does.
    expect((await submit(first, quarter(0))).status).toBe(401);
    expect((await submit(second, quarter(0))).status).toBe(200);

    const reports = await received();
    expect(reports.map((r) => [r.member, r.period, r.key, r.report.narrative.summary]).sort()).toEqual(
      [
        ['police-be', quarter(0), fingerprint(second.publicKey), `signed by ${fingerprint(second.publicKey)}`],
        ['police-be', quarter(1), fingerprint(first.publicKey), `signed by ${fingerprint(first.publicKey)}`],
      ].sort(),
    );
    const dashboard = (await sec.call('GET', '/api/v1/alliance/dashboard?kind=quarter')).json();
    expect(dashboard.alliance.map((a: { period: string }) => a.period)).toEqual(expect.arrayContaining([quarter(0), quarter(1)]));

    // The key history says which key was valid when.
    const keys = (await sec.call('GET', '/api/v1/peers/police-be/keys')).json().keys;
    expect(keys).toMatchObject([
      { public_key: first.publicKey, fingerprint: fingerprint(first.publicKey), valid_from: expect.any(String), valid_to: expect.any(String) },
      { public_key: second.publicKey, valid_from: keys[0].valid_to, valid_to: null },
    ]);
    const listed = await cli('peer', 'keys', 'police-be');
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual([fingerprint(first.publicKey), fingerprint(second.publicKey)]);
    const audit = (await sec.call('GET', '/api/v1/audit?action=peer.update')).json().entries;
    expect(audit[0].detail).toEqual({ fingerprint: { before: fingerprint(first.publicKey), after: fingerprint(second.publicKey) } });
  });

  it('verifies each stored report against the key recorded at its receipt, not the current one', async () => {
    const db = sec.node.store.db;
    const [k1, k2] = await db.selectFrom('member_keys').selectAll().where('member', '=', 'police-be').orderBy('id').execute();
    const old = await db.selectFrom('received_country_reports').select(['id', 'key_id']).where('period', '=', quarter(1)).executeTakeFirstOrThrow();
    expect(old.key_id).toBe(k1.id);
    // Pointed at the current key instead, the earlier report no longer verifies and is not shown.
    await db.updateTable('received_country_reports').set({ key_id: k2.id }).where('id', '=', old.id).execute();
    expect((await received()).map((r) => r.period)).toEqual([quarter(0)]);
    await db.updateTable('received_country_reports').set({ key_id: k1.id }).where('id', '=', old.id).execute();
    expect((await received()).map((r) => r.period).sort()).toEqual([quarter(0), quarter(1)].sort());
  });

  it('keeps them through the older way of rotating too (remove the peer, add it again)', async () => {
    const admin = await sec.node.operator();
    await sec.node.federation.removePeer(admin, 'police-be');
    expect(await received()).toEqual([]); // a member that left is not shown
    const third = identity();
    await sec.node.federation.addPeer(admin, { name: 'police-be', url: 'http://127.0.0.1:9', publicKey: third.publicKey, country: 'BE', kind: 'authority' });
    expect((await received()).map((r) => r.period).sort()).toEqual([quarter(0), quarter(1)].sort());
    expect((await sec.node.federation.keyHistory(admin, 'police-be')).map((k) => [k.public_key, k.valid_to === null])).toEqual([
      [first.publicKey, false],
      [second.publicKey, false],
      [third.publicKey, true],
    ]);
  });
});
