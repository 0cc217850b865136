/** The node's CLI: bank, import, lookup, token, member, audit verify — as a user runs them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { FIXTURES, PDQ_IMAGES } from '../support/paths.js';

const BRIDGE_PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

describe('node CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-cli-'));
  const data = ['--data', join(dir, 'data')];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates banks, imports CSV (all or nothing), looks up files and hashes', async () => {
    const created = await runCli(['bank', 'create', 'KNOWN', ...data]);
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/First start: created member "local"/);
    expect((await runCli(['bank', 'create', 'KNOWN', ...data])).stderr).toMatch(/exists already \[BANK_EXISTS\]/);
    expect((await runCli(['bank', 'create', 'bad name', ...data])).code).toBe(2);

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `signal_type,signal,classification\npdq,${BRIDGE_PDQ},uk:A\npdq,nothex,\nmd5,abc,vics:1\n`);
    const refused = await runCli(['import', bad, '--bank', 'KNOWN', ...data]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/nothing was imported[\s\S]*line 3: pdq must be 64 hex digits[\s\S]*line 4: md5 must be 32 hex digits/);
    expect((await runCli(['bank', 'list', '--json', ...data])).stdout).toMatch(/"content_count": 0/);

    const good = join(dir, 'good.csv');
    writeFileSync(good, `signal_type,signal,classification,tags\r\npdq,${BRIDGE_PDQ},uk:A,"series-1;demo"\r\nsha256,${'ab'.repeat(32)},,\r\n`);
    const oneBad = await runCli(['import', good, bad, '--bank', 'KNOWN', ...data]);
    expect([oneBad.code, oneBad.stderr]).toEqual([2, expect.stringMatching(/bad\.csv: nothing was imported/)]);
    expect((await runCli(['bank', 'list', '--json', ...data])).stdout).toMatch(/"content_count": 0/);
    const imported = await runCli(['import', good, '--bank', 'KNOWN', ...data]);
    expect(imported.stdout).toMatch(/imported 2 contents into KNOWN/);
    const banks = JSON.parse((await runCli(['bank', 'list', '--json', ...data])).stdout);
    expect(banks[0]).toMatchObject({ name: 'KNOWN', content_count: 2, signal_counts: { pdq: 1, sha256: 1 } });

    const byFile = await runCli(['lookup', join(PDQ_IMAGES, 'bridge-mods', 'shrink-a-lot.jpg'), ...data]);
    expect(byFile.code).toBe(0);
    expect(byFile.stdout).toMatch(/pdq: 1 match\n.*content 1 in bank KNOWN \(distance \d+\) matches/);
    const byHash = await runCli(['lookup', 'AB'.repeat(32), '--type', 'sha256', '--json', ...data]);
    expect(JSON.parse(byHash.stdout)[0].matches[0]).toMatchObject({ bank: 'KNOWN', classification: null });
    expect((await runCli(['lookup', '0'.repeat(64), ...data])).code).toBe(1);

    expect((await runCli(['bank', 'disable', 'KNOWN', ...data])).code).toBe(0);
    const disabled = await runCli(['lookup', BRIDGE_PDQ, ...data]);
    expect(disabled.code).toBe(1);
    expect(disabled.stdout).toMatch(/matching is disabled on bank KNOWN/);
    await runCli(['bank', 'enable', 'KNOWN', ...data]);
    const badRatio = await runCli(['bank', 'ratio', 'KNOWN', '2', ...data]);
    expect([badRatio.code, badRatio.stderr]).toEqual([2, expect.stringMatching(/the ratio is a number from 0 to 1/)]);
    expect((await runCli(['bank', 'ratio', 'KNOWN', '0.5', ...data])).stdout).toBe('bank KNOWN enabled ratio 0.5\n');
    expect((await runCli(['compare', BRIDGE_PDQ, BRIDGE_PDQ, '--type', 'nope'])).stderr).toMatch(/--type must be one of pdq/);
    expect((await runCli(['bank', 'rename', 'KNOWN', 'KNOWN_V2', ...data])).stdout).toMatch(/renamed to KNOWN_V2/);
  });

  it('creates members and tokens, and revokes them', async () => {
    expect((await runCli(['member', 'create', 'hotline-it', '--kind', 'hotline', '--country', 'it', ...data])).stdout).toMatch(
      /member hotline-it \(hotline, IT\) created/,
    );
    const t = await runCli(['token', 'create', '--member', 'hotline-it', '--role', 'curator', '--label', 'ci', ...data]);
    expect(t.stdout.trim()).toMatch(/^alli_[A-Za-z0-9_-]{43}$/);
    const list = (await runCli(['token', 'list', '--member', 'hotline-it', ...data])).stdout;
    expect(list).toMatch(/curator\tmember \d+\tactive\tci/);
    expect(list).not.toContain(t.stdout.trim());
    const id = list.split('\t')[0];
    expect((await runCli(['token', 'revoke', id, ...data])).code).toBe(0);
    expect((await runCli(['token', 'list', '--member', 'hotline-it', ...data])).stdout).toMatch(/revoked/);
    expect((await runCli(['token', 'revoke', 'x1', ...data])).stderr).toMatch(/<id> must be a positive integer/);
    expect((await runCli(['token', 'create', '--member', 'nobody', '--role', 'admin', ...data])).stderr).toMatch(/no member "nobody" \[MEMBER_NOT_FOUND\]/);
  });

  it('audit verify passes on an intact chain and names an edited entry', async () => {
    const ok = await runCli(['audit', 'verify', ...data]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit chain intact: \d+ entries/);
    const db = new Database(join(dir, 'data', 'alliance.sqlite'));
    const row = db.prepare("select id from audit_log where action = 'content.import'").get() as { id: number };
    db.prepare("update audit_log set actor = 'someone-else' where id = ?").run(row.id);
    db.close();
    const broken = await runCli(['audit', 'verify', ...data]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`entry ${row.id} was edited`);
  });
  it('imports NCMEC pages and VICS files, and exports a bank as VICS and CSV', async () => {
    const ncmec = await runCli([
      'import',
      join(FIXTURES, 'ncmec', 'entries-page-1.xml'),
      join(FIXTURES, 'ncmec', 'entries-page-2.xml'),
      '--bank',
      'FROM_NCMEC',
      '--create',
      ...data,
    ]);
    expect(ncmec.stderr).toBe('');
    expect(ncmec.stdout).toMatch(/^imported \d+ items into FROM_NCMEC in [\d.]+ s: \d+ added, 0 updated, 0 deleted/);
    const vics = join(dir, 'out.json');
    const exported = await runCli(['export', 'FROM_NCMEC', '--out', vics, ...data]);
    expect(exported.stdout).toMatch(/^exported \d+ contents of FROM_NCMEC to /);
    const media = JSON.parse(readFileSync(vics, 'utf8')).value as Array<{ MD5: string; Category: number | null }>;
    expect(media.find((m) => m.MD5 === 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1')?.Category).toBe(1);
    const reimported = await runCli(['import', vics, '--bank', 'FROM_VICS', '--create', ...data]);
    expect(reimported.stdout).toMatch(new RegExp(`^imported ${media.length} items into FROM_VICS`));
    const csv = join(dir, 'out.csv');
    expect((await runCli(['export', 'FROM_VICS', '--out', csv, ...data])).code).toBe(0);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('signal_type,signal,classification,tags,note,content');
    expect(rows.some((r) => /^md5,a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1,vics:1,,,\d+$/.test(r))).toBe(true);
    expect((await runCli(['import', csv, '--bank', 'FROM_CSV', '--create', ...data])).code).toBe(0);
    const missing = await runCli(['import', join(dir, 'nothing.txt'), '--bank', 'FROM_CSV', ...data]);
    expect(missing.stderr).toMatch(/nothing\.txt: no such file/);
    writeFileSync(join(dir, 'nothing.txt'), 'placeholder words\n');
    const bad = await runCli(['import', join(dir, 'nothing.txt'), '--bank', 'FROM_CSV', ...data]);
    expect(bad.stderr).toMatch(/cannot tell the format of .*nothing\.txt from its content or its name: pass --format bundle\|vics\|ncmec\|jsonl\|csv/);
    expect((await runCli(['import', csv, '--bank', 'FROM_CSV', '--category-map', '1=nope', ...data])).stderr).toMatch(
      /--category-map: unknown classification "nope"/,
    );
  });

  it('manages routing, hosting providers, rules and reports', async () => {
    const key = `ed25519:${Buffer.alloc(32, 3).toString('base64')}`;
    expect((await runCli(['peer', 'add', 'bka-de', '--url', 'http://127.0.0.1:9', '--key', key, '--kind', 'authority', '--country', 'DE', ...data])).code).toBe(
      0,
    );
    expect((await runCli(['routing', 'set', 'de', 'bka-de', ...data])).stdout).toBe('reports for DE go to bka-de\n');
    expect((await runCli(['routing', 'set', 'XX', 'bka-de', ...data])).stderr).toMatch(/"XX" is not an ISO 3166-1 alpha-2 country code \[ROUTING_INVALID\]/);
    expect((await runCli(['routing', 'list', ...data])).stdout).toBe('DE\tbka-de\nfall-back\t(none: such reports stay on this node)\n');
    expect(
      (await runCli(['provider', 'add', 'Example Hosting', '--domains', 'cdn.example.org,example.org', '--abuse-url', 'https://example.org/abuse', ...data]))
        .stdout,
    ).toBe('provider Example Hosting added for cdn.example.org, example.org\n');
    expect((await runCli(['provider', 'add', 'No Contact', '--domains', 'x.example', ...data])).stderr).toMatch(/\[PROVIDER_INVALID\]/);
    expect((await runCli(['provider', 'list', ...data])).stdout).toBe('Example Hosting\tcdn.example.org,example.org\t0 notices, 0 removed, median -\n');
    expect((await runCli(['rules', '--json', ...data])).stdout).toBe('[]\n');
    expect((await runCli(['report', 'list', ...data])).stdout).toBe('');
    const missing = await runCli(['report', 'export', '7', '--format', 'xml', ...data]);
    expect([missing.code, missing.stderr]).toEqual([2, 'error: no incident report 7 [REPORT_NOT_FOUND]\n']);
  });
});
