/**
 * Offline exchange: a hotline writes a signed bundle of a published bank for an air-gapped lab
 * (CLI only, no server, no network); the lab verifies and applies it under the same agreement as a
 * sync. Repeated and overlapping bundles apply each change once; altered, foreign, misaddressed
 * and truncated bundles change nothing and say why.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'alliance-bundle-'));
const md5 = (i: number) => createHash('md5').update(`item-${i}`).digest('hex');

function nodeCli(name: string, kind: string, country: string) {
  const env = { ALLIANCE_MEMBER_NAME: name, ALLIANCE_MEMBER_KIND: kind, ALLIANCE_MEMBER_COUNTRY: country };
  const data = ['--data', join(dir, name)];
  return async (...args: string[]) => runCli([...args, ...data], { env });
}

describe('signed bundles', () => {
  const hotline = nodeCli('hotline-nl', 'hotline', 'NL');
  const lab = nodeCli('lab-de', 'authority', 'DE');
  const other = nodeCli('hotline-nl-impostor', 'hotline', 'NL');
  const file = (n: string) => join(dir, n);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const keyOf = async (cli: typeof hotline) => /public key\s+(\S+)/.exec((await cli('identity')).stdout)![1];
  const labItems = async () => {
    const out = (await lab('bank', 'list', '--json')).stdout;
    return (JSON.parse(out) as Array<{ name: string; content_count: number }>).find((b) => b.name === 'NL_KNOWN')?.content_count ?? 0;
  };
  const labHas = async (i: number) => (await lab('lookup', md5(i), '--type', 'md5')).code === 0;

  it('carries what the agreement allows, once, and refuses altered or foreign bundles', async () => {
    const [hotlineKey, labKey, impostorKey] = [await keyOf(hotline), await keyOf(lab), await keyOf(other)];
    expect((await hotline('peer', 'add', 'lab-de', '--url', 'http://127.0.0.1:9', '--key', labKey, '--kind', 'authority', '--country', 'DE')).code).toBe(0);
    expect((await lab('peer', 'add', 'hotline-nl', '--url', 'http://127.0.0.1:9', '--key', hotlineKey, '--kind', 'hotline', '--country', 'NL')).code).toBe(0);
    const csv = ['signal_type,signal,classification', `md5,${md5(1)},industry:A1`, `md5,${md5(2)},uk:B`, `md5,${md5(3)},industry:A2`].join('\n');
    writeFileSync(file('items.csv'), csv);
    expect((await hotline('import', file('items.csv'), '--bank', 'KNOWN', '--create')).code).toBe(0);
    expect((await hotline('publish', 'KNOWN', '--countries', 'DE', '--abroad', 'baseline')).code).toBe(0);

    const exported = await hotline('bundle', 'export', 'KNOWN', '--to', 'lab-de', '--out', file('b1.bundle'));
    expect(exported.stdout).toMatch(/^wrote 1 signed pages \(\d+ changes, positions 0…\d+\) of KNOWN for lab-de/);

    // Altered: one character of a signed page changed.
    const original = readFileSync(file('b1.bundle'), 'utf8');
    writeFileSync(file('altered.bundle'), original.replace(md5(1), md5(9)));
    const altered = await lab('bundle', 'import', file('altered.bundle'), '--from', 'hotline-nl', '--bank', 'NL_KNOWN');
    expect(altered.code).not.toBe(0);
    expect(altered.stderr).toMatch(/altered\.bundle, line 2: the signature does not verify/);
    // Truncated: the last line cut in the middle.
    writeFileSync(file('cut.bundle'), original.slice(0, original.length - 40));
    expect((await lab('bundle', 'import', file('cut.bundle'), '--from', 'hotline-nl')).stderr).toMatch(/cut\.bundle, line 2: the line is not JSON/);
    // Signed by another node claiming the same name.
    await other('peer', 'add', 'lab-de', '--url', 'http://127.0.0.1:9', '--key', labKey, '--kind', 'authority', '--country', 'DE');
    await other('import', file('items.csv'), '--bank', 'KNOWN', '--create');
    await other('publish', 'KNOWN', '--countries', 'DE');
    await other('bundle', 'export', 'KNOWN', '--to', 'lab-de', '--out', file('impostor.bundle'));
    const forged = readFileSync(file('impostor.bundle'), 'utf8')
      .replace('"publisher":"hotline-nl-impostor"', '"publisher":"hotline-nl"')
      .replaceAll(impostorKey, hotlineKey);
    writeFileSync(file('forged.bundle'), forged);
    expect((await lab('bundle', 'import', file('forged.bundle'), '--from', 'hotline-nl')).stderr).toMatch(/line 2: the signature does not verify/);
    expect(await labItems()).toBe(0);
    // Not a bundle at all.
    expect((await lab('bundle', 'import', file('items.csv'), '--from', 'hotline-nl')).stderr).toMatch(/items\.csv, line 1: not an Alliance bundle/);

    const applied = await lab('bundle', 'import', file('b1.bundle'), '--from', 'hotline-nl', '--bank', 'NL_KNOWN');
    expect(applied.stdout).toMatch(/^applied 1 pages into NL_KNOWN: \+2 ~0 -0/);
    expect([await labHas(1), await labHas(2), await labHas(3)]).toEqual([true, false, true]);
    // The same bundle again: nothing new.
    expect((await lab('bundle', 'import', file('b1.bundle'), '--from', 'hotline-nl')).stdout).toMatch(/\+0 ~0 -0/);

    // New items at the hotline (one baseline, one nationally illegal); a full bundle again overlaps the first.
    writeFileSync(file('more.csv'), `signal_type,signal,classification\nmd5,${md5(4)},industry:B2\nmd5,${md5(5)},industry:A1`);
    await hotline('import', file('more.csv'), '--bank', 'KNOWN');
    const contents = JSON.parse((await hotline('bank', 'list', '--json')).stdout);
    expect(contents.find((b: { name: string }) => b.name === 'KNOWN').content_count).toBe(5);
    expect((await hotline('bundle', 'export', 'KNOWN', '--to', 'lab-de', '--out', file('b2.bundle'))).code).toBe(0);
    const second = await lab('bundle', 'import', file('b2.bundle'), '--from', 'hotline-nl');
    expect(second.stdout).toMatch(/\+1 ~0 -0/);
    expect([await labHas(4), await labHas(5)]).toEqual([false, true]);
    expect(await labItems()).toBe(3);

    // A bundle for someone else is refused before anything is read.
    await hotline('peer', 'add', 'platform-de', '--url', 'http://127.0.0.1:9', '--key', impostorKey, '--kind', 'platform', '--country', 'DE');
    await hotline('bundle', 'export', 'KNOWN', '--to', 'platform-de', '--out', file('other.bundle'));
    expect((await lab('bundle', 'import', file('other.bundle'), '--from', 'hotline-nl')).stderr).toMatch(
      /addressed to "platform-de", not to this node \("lab-de"\)/,
    );
    expect(await labItems()).toBe(3);
  }, 300_000); // some thirty CLI runs, each a fresh process
});
