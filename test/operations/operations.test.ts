/**
 * Joint operations, first part: an operation opened, its targets imported in bulk (CSV, JSON, JSON
 * lines) with every identifier normalised, each attributed to a country from its evidence (IP at
 * the time with the offline database, account country, e-mail domain) with reasons and a
 * confidence, overridden by an analyst, its shared hashes matched against the banks; a bad file
 * imports nothing and names the line. Through the API and the real CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/dialects.js';

const MD5 = 'ab'.repeat(16);

const CSV = [
  'ref,username,email,ip,account_country,payment_ref,device_id,hashes',
  // IP in Germany at the time, account in Germany: high
  `u1,@Board.User,User@Example.com,193.99.144.80@2026-03-01T10:00:00Z,de,PAY-1,dev-1,md5:${MD5.toUpperCase()}`,
  // IP in the Netherlands, account says France: the IP wins, medium
  'u2,second,,145.97.39.155,FR,,,',
  // only an e-mail domain: low
  'u3,third,someone@mail.example.fr,,,,,',
  // nothing that places it: none
  'u4,fourth,,,,,,',
  // a private address places nothing; two American addresses: high
  '"u5",fifth,,"10.1.2.3;8.8.8.8@2026-02-01T00:00:00Z|93.184.216.34",,,,',
].join('\r\n');

describe.each(DIALECTS)('operations on %s', (dialect) => {
  let api: TestApi;
  let dir: string;
  let id: number;

  beforeAll(async () => {
    api = await startApi(dialect, { deconflictionKey: 'ef'.repeat(32) });
    dir = mkdtempSync(join(tmpdir(), 'alliance-operations-'));
    const admin = await api.node.operator();
    await api.node.banks.createBank(admin, { name: 'KNOWN' });
    await api.node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'md5', value: MD5 }], classification: 'industry:A1' });
  });

  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens an operation and refuses an incomplete or duplicate one', async () => {
    const body = {
      name: 'Operation Placeholder',
      legal_basis: 'Placeholder act §1',
      owner_agency: 'Agency A',
      contact_point: 'desk@agency.example',
      notes: 'restricted',
    };
    const res = await api.call('POST', '/api/v1/operations', body);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
    expect(res.json()).toMatchObject({ name: 'Operation Placeholder', targets: 0, notes: 'restricted' });
    expect(res.json().uid).toMatch(/\/operation\/\d+$/);
    expect((await api.call('POST', '/api/v1/operations', body)).json().code).toBe('OPERATION_EXISTS');
    const missing = await api.call('POST', '/api/v1/operations', { ...body, name: 'Other', contact_point: ' ' });
    expect([missing.statusCode, missing.json().code, missing.json().message]).toEqual([400, 'OPERATION_INVALID', 'contact_point: required']);
  });

  it('imports a CSV: identifiers normalised, countries attributed with reasons and confidence, hashes matched', async () => {
    const res = await api.call('POST', `/api/v1/operations/${id}/targets`, CSV, undefined, { 'content-type': 'text/csv' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().imported).toBe(5);
    const targets = (await api.call('GET', `/api/v1/operations/${id}/targets`)).json().targets;
    const by = Object.fromEntries(targets.map((t: { ref: string }) => [t.ref, t]));
    expect(by.u1.identifiers).toEqual({
      usernames: ['board.user'],
      emails: ['user@example.com'],
      ips: [{ ip: '193.99.144.80', at: '2026-03-01T10:00:00.000Z' }],
      account_country: 'DE',
      payment_refs: ['PAY-1'],
      device_ids: ['dev-1'],
      hashes: [`md5:${MD5}`],
    });
    expect(by.u1.attributed).toEqual({
      country: 'DE',
      confidence: 'high',
      reasons: [
        { basis: 'ip', country: 'DE', evidence: '193.99.144.80 at 2026-03-01T10:00:00.000Z' },
        { basis: 'account', country: 'DE', evidence: 'account country DE' },
      ],
    });
    expect(by.u1.matched).toEqual([{ hash: `md5:${MD5}`, banks: ['KNOWN'], classification: 'industry:A1', series: [] }]);
    expect([by.u2.country, by.u2.attributed.confidence, by.u2.attributed.reasons.map((r: { country: string }) => r.country)]).toEqual([
      'NL',
      'medium',
      ['NL', 'FR'],
    ]);
    expect([by.u3.country, by.u3.attributed.confidence, by.u3.attributed.reasons[0].basis]).toEqual(['FR', 'low', 'email_domain']);
    expect([by.u4.country, by.u4.attributed.confidence, by.u4.attributed.reasons]).toEqual([null, 'none', []]);
    expect([by.u5.country, by.u5.attributed.confidence, by.u5.identifiers.ips.length]).toEqual(['US', 'high', 3]);

    const countries = (await api.call('GET', `/api/v1/operations/${id}/countries`)).json().countries;
    expect(countries.map((c: { country: string | null; targets: number; with_matches: number }) => [c.country, c.targets, c.with_matches])).toEqual([
      ['DE', 1, 1],
      ['FR', 1, 0],
      ['NL', 1, 0],
      ['US', 1, 0],
      [null, 1, 0],
    ]);
    expect((await api.call('GET', `/api/v1/operations/${id}/targets?country=none`)).json().targets.map((t: { ref: string }) => t.ref)).toEqual(['u4']);
  });

  it("an analyst's override moves a target, needs a reason, and can be cleared", async () => {
    const url = `/api/v1/operations/${id}/targets/u4/country`;
    expect((await api.call('PUT', url, { country: 'GB' })).json().code).toBe('OPERATION_INVALID');
    expect((await api.call('PUT', url, { country: 'XX', reason: 'r' })).json().code).toBe('OPERATION_INVALID');
    const set = await api.call('PUT', url, { country: 'gb', reason: 'the board admin named the city' });
    expect(set.statusCode, set.body).toBe(200);
    expect([set.json().country, set.json().override.reason, set.json().attributed.country]).toEqual(['GB', 'the board admin named the city', null]);
    expect((await api.call('GET', `/api/v1/operations/${id}/targets?country=GB`)).json().targets.map((t: { ref: string }) => t.ref)).toEqual(['u4']);
    const line = (await api.call('GET', `/api/v1/operations/${id}/countries`)).json().countries.find((c: { country: string }) => c.country === 'GB');
    expect([line.targets, line.overridden]).toEqual([1, 1]);
    const cleared = await api.call('PUT', url, { country: null });
    expect([cleared.json().country, cleared.json().override]).toEqual([null, null]);
    expect((await api.call('PUT', `/api/v1/operations/${id}/targets/nobody/country`, { country: null })).statusCode).toBe(404);
  });

  it('a bad file imports nothing and names the line; a reference imported before is refused', async () => {
    const count = async () => (await api.call('GET', `/api/v1/operations/${id}`)).json().targets;
    const send = (text: string, type = 'text/csv') => api.call('POST', `/api/v1/operations/${id}/targets`, text, undefined, { 'content-type': type });
    const bad = [
      ['ref,ip\nn1,193.99.144.80\nn2,999.1.1.1\n', /^line 3: ip: .*999\.1\.1\.1.*not an IPv4/],
      ['ref,nickname\nn1,x\n', /^line 1: unknown column "nickname"/],
      ['username\nx\n', /^line 1: the header needs a ref column/],
      ['ref,email\nn1,not-an-address\n', /^line 2: email: /],
      ['ref,account_country\nn1,Atlantis\n', /^line 2: account_country: "Atlantis" is not an ISO/],
      ['ref,ip\nn1,193.99.144.80@yesterday\n', /^line 2: ip: "yesterday" is not an ISO 8601 time/],
      ['ref\nn1\nn1\n', /^line 3: ref "n1" is given twice \(first on line 2\)/],
      ['ref,hashes\nn1,"unterminated\n', /malformed CSV/],
      ['ref\nu1\nn9\n', /^1 target is in the operation already \("u1"\): nothing was imported/],
      ['', /the file is empty/],
    ] as const;
    for (const [text, why] of bad) {
      const res = await send(text);
      expect([res.statusCode, res.json().code], text).toEqual([400, 'OPERATION_INVALID']);
      expect(res.json().message, text).toMatch(why);
    }
    const jsonl = await send('{"ref":"j1","ip":[{"ip":"62.210.16.6","at":"2026-01-05T00:00:00Z"}]}\n{"ref":"j2","bogus":1}\n', 'application/x-ndjson');
    expect(jsonl.json().message).toMatch(/unknown field|line 2/);
    expect(await count()).toBe(5);
    expect((await api.call('POST', `/api/v1/operations/999999/targets`, 'ref\nx\n', undefined, { 'content-type': 'text/csv' })).statusCode).toBe(404);
  });

  it('imports JSON and JSON lines too, in any script', async () => {
    const json = await api.call('POST', `/api/v1/operations/${id}/targets`, {
      targets: [{ ref: 'j1', username: ['Ｕｓｅｒ', 'пользователь'], ip: [{ ip: '62.210.16.6', at: '2026-01-05T00:00:00Z' }] }],
    });
    expect(json.statusCode, json.body).toBe(201);
    const j1 = (await api.call('GET', `/api/v1/operations/${id}/targets/j1`)).json();
    expect([j1.identifiers.usernames, j1.country, j1.attributed.confidence]).toEqual([['user', 'пользователь'], 'FR', 'high']);
    const lines = await api.call(
      'POST',
      `/api/v1/operations/${id}/targets`,
      '{"ref":"l1","account_country":"NL"}\n\n{"ref":"l2","email":"a@b.co.uk"}\n',
      undefined,
      {
        'content-type': 'application/x-ndjson',
      },
    );
    expect(lines.statusCode, lines.body).toBe(201);
    const l2 = (await api.call('GET', `/api/v1/operations/${id}/targets/l2`)).json();
    expect([l2.country, l2.attributed.confidence]).toEqual(['GB', 'low']);
  });

  it('deconflicts before referral: a target that meets another case is held with its contact point until released', async () => {
    const admin = await api.node.operator();
    // A German case already holds one account of the board and an address the board's users used — at another time.
    const other = await api.node.deconfliction.openCase(admin, { reference: 'DE-2026-1', contact_point: 'desk-de@police.example' });
    await api.node.deconfliction.addTargets(admin, other.id, [
      { kind: 'username', value: 'Board.User' },
      { kind: 'ip', value: '8.8.8.8', from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' },
    ]);
    expect((await api.call('GET', `/api/v1/operations/${id}/targets/u1`)).json().deconfliction).toBeNull();
    const res = await api.call('POST', `/api/v1/operations/${id}/deconflict`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ checked: 8, held: 1 });
    const u1 = (await api.call('GET', `/api/v1/operations/${id}/targets/u1`)).json().deconfliction;
    expect(u1.held).toBe(true);
    expect(u1.overlaps).toEqual([
      { kind: 'username', hint: 'b…r', other_case: other.uid, other_member: api.node.config.memberName, other_contact: 'desk-de@police.example' },
    ]);
    // 8.8.8.8 in 2026 is not the 2020 user of that address
    expect((await api.call('GET', `/api/v1/operations/${id}/targets/u5`)).json().deconfliction).toMatchObject({ held: false, overlaps: [] });
    // the other case's investigator is told too
    expect((await api.node.deconfliction.alerts(admin, other.id)).map((a) => a.kind)).toContain('username');
    // a second run checks only what is new
    expect((await api.call('POST', `/api/v1/operations/${id}/deconflict`)).json()).toEqual({ checked: 0, held: 0 });
    const de = (await api.call('GET', `/api/v1/operations/${id}/countries`)).json().countries.find((c: { country: string }) => c.country === 'DE');
    expect([de.deconflicted, de.held]).toEqual([1, 1]);

    const url = `/api/v1/operations/${id}/targets/u1/release`;
    expect((await api.call('POST', url, { reason: ' ' })).json().code).toBe('OPERATION_INVALID');
    expect((await api.call('POST', `/api/v1/operations/${id}/targets/u2/release`, { reason: 'x' })).json().message).toMatch(/is not held/);
    const released = await api.call('POST', url, { reason: 'agreed with desk-de: we refer, they hold back' });
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json().deconfliction).toMatchObject({ held: false, released: { reason: 'agreed with desk-de: we refer, they hold back' } });
    expect((await api.call('POST', url, { reason: 'again' })).json().message).toMatch(/is not held/);
  });

  it('without the alliance-wide key, deconfliction says it is off and changes nothing', async () => {
    const off = await startApi(dialect);
    try {
      const made = await off.call('POST', '/api/v1/operations', { name: 'No Key', legal_basis: 'b', owner_agency: 'a', contact_point: 'c' });
      await off.call('POST', `/api/v1/operations/${made.json().id}/targets`, 'ref,username\nx,someone\n', undefined, { 'content-type': 'text/csv' });
      const res = await off.call('POST', `/api/v1/operations/${made.json().id}/deconflict`);
      expect([res.statusCode, res.json().code]).toEqual([503, 'DECONFLICTION_OFF']);
      expect((await off.call('GET', `/api/v1/operations/${made.json().id}/targets/x`)).json().deconfliction).toBeNull();
    } finally {
      await off.close();
    }
  });

  it('is the cases permission: a matcher is refused', async () => {
    expect((await api.call('GET', '/api/v1/operations', undefined, await api.tokenFor('matcher'))).statusCode).toBe(403);
    expect((await api.call('GET', '/api/v1/operations', undefined, await api.tokenFor('analyst'))).statusCode).toBe(200);
  });

  it('the CLI opens, imports a file from disk and shows the countries', async () => {
    const env = api.env.config.databaseUrl ? { ALLIANCE_DATABASE_URL: api.env.config.databaseUrl } : {};
    const cli = (...args: string[]) => runCli([...args, '--data', api.env.dataDir], { env });
    const opened = await cli('operation', 'open', 'Second Operation', '--legal-basis', 'act', '--agency', 'Agency B', '--contact', 'desk-b');
    expect(opened.code, opened.stderr).toBe(0);
    const second = Number(/operation (\d+)/.exec(opened.stdout)![1]);
    const file = join(dir, `targets-${dialect}.csv`);
    writeFileSync(file, `\uFEFF${CSV}\r\n`);
    const imported = await cli('operation', 'import', String(second), file);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^5 targets imported\n/);
    expect(imported.stdout).toMatch(/\nDE\t1\t1\t0\t0\t0\t0\t1\t0\t0\n/);
    const again = await cli('operation', 'import', String(second), file);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/5 targets are in the operation already/);
    const shown = await cli('operation', 'show', String(second), '--json');
    expect(JSON.parse(shown.stdout).countries.reduce((n: number, c: { targets: number }) => n + c.targets, 0)).toBe(5);
    const moved = await cli('operation', 'attribute', String(second), 'u4', 'BE', '--reason', 'analyst');
    expect(moved.stdout).toBe('u4: BE (overridden: analyst)\n');
  });

  it('a 50 MB target file: over HTTP refused for its size, from disk refused at its first oversized field; nothing imported', async () => {
    const opened = await api.call('POST', '/api/v1/operations', { name: 'Big File', legal_basis: 'act', owner_agency: 'Agency C', contact_point: 'desk-c' });
    const big1 = opened.json().id;
    const count = async () => (await api.call('GET', `/api/v1/operations/${big1}`)).json().targets;
    const before = await count();
    // 50 records of a million characters each, after a good one.
    const big = `ref,username\nok1,fine\n${Array.from({ length: 50 }, (_, i) => `big${i},${'x'.repeat(1_000_000)}`).join('\n')}\n`;
    expect(big.length).toBeGreaterThan(50_000_000);
    const res = await api.call('POST', `/api/v1/operations/${big1}/targets`, big, undefined, { 'content-type': 'text/csv' });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/MB|large|limit/i);
    expect(await count()).toBe(before);
    const env = api.env.config.databaseUrl ? { ALLIANCE_DATABASE_URL: api.env.config.databaseUrl } : {};
    const file = join(dir, `big-${dialect}.csv`);
    writeFileSync(file, big);
    const imported = await runCli(['operation', 'import', String(big1), file, '--data', api.env.dataDir], { env });
    expect(imported.code).not.toBe(0);
    expect(imported.stderr).toMatch(/line 3: username: at most 500 characters/);
    expect(await count()).toBe(before);
  });
});
