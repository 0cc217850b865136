/**
 * Where sources disagree, triage takes the newer statement and names it (both databases): a VICS
 * Media says a victim is identified; a series registered by hand afterwards says "unidentified"
 * and wins until its victim is recorded; a series an import created from a name says nothing of
 * its own. Importing a name a peer's series has links to that series and never changes it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importExchangeFiles } from '../../src/exchange/files.js';
import type { TriageInput } from '../../src/cases/triage.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import type { Principal } from '../../src/members/principal.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';

const MD5 = (n: number) => n.toString(16).padStart(32, '0');

function vicsMedia(media: Array<Record<string, unknown>>): string {
  return JSON.stringify({ '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media', value: media });
}

describe.each(DIALECTS)('triage facts on %s', (dialect) => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  const dir = mkdtempSync(join(tmpdir(), 'alliance-facts-'));

  const importVics = async (name: string, media: Array<Record<string, unknown>>) => {
    const file = join(dir, name);
    writeFileSync(file, vicsMedia(media));
    return importExchangeFiles(node.banks, admin, 'CASE', 'vics', [file], { linkSeries: (tx, links) => node.series.linkNamed(tx, admin, links) });
  };
  const triage = async (name: string, inputs: TriageInput[]) => {
    const { run } = await node.triage.run(admin, { input: name, kind: 'hashes', caseNumber: name, out: join(dir, name), inputs });
    return (await node.triage.items(admin, run.id, {})).items;
  };

  beforeAll(async () => {
    env = await testConfig(dialect);
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.operator();
    await node.banks.createBank(admin, { name: 'CASE' });
  });
  afterAll(async () => {
    await node.close();
    env.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the newer of the VICS record and the series registry, and names the source', async () => {
    const r = await importVics('a.json', [
      { MediaID: 1, MD5: MD5(1), Category: 1, VictimIdentified: true, DateUpdated: '2021-01-01T00:00:00Z', Series: 'Imported' },
      { MediaID: 2, MD5: MD5(2), Category: 1, VictimIdentified: 'true', DateUpdated: '2021-01-01T00:00:00Z' },
    ]);
    expect(r.series).toEqual({ created: 1, linked: 1 });
    // Content 1: only an import-made series, which says nothing → the VICS record's word.
    // Content 2: a series registered by hand now, after the VICS record → "unidentified" wins.
    const contents = await node.banks.listContent(admin, 'CASE', { limit: 10 });
    const byMd5 = (m: string) => contents.find((c) => c.signals.some((s) => s.value === m))!.id;
    const manual = await node.series.create(admin, { name: 'Registered' });
    await node.series.link(admin, manual.id, [byMd5(MD5(2))]);
    const input = (n: number): TriageInput => ({ path: `f${n}`, size: 1, signals: { md5: MD5(n) }, error: null });

    let items = await triage('one', [input(1), input(2)]);
    expect(items.map((i) => [i.path, i.victim_identified, i.facts?.sources.victim_identified?.source])).toEqual([
      ['f1', true, 'bank CASE, VICS MediaID 1'],
      ['f2', false, `series Registered (${manual.uid})`],
    ]);
    expect(items[0].facts?.sources.victim_identified?.at).toBe('2021-01-01T00:00:00.000Z');

    // The victim is recorded in the registry: the newest statement is now the series', and it says identified.
    await node.series.identifyVictim(admin, manual.id, { identified_on: '2026-11-30' });
    items = await triage('two', [input(2)]);
    expect([items[0].victim_identified, items[0].facts?.sources.victim_identified?.source]).toEqual([true, `series Registered (${manual.uid})`]);
    // A newer VICS record saying "not identified" does not beat the registry's later identification…
    await importVics('b.json', [{ MediaID: 2, MD5: MD5(2), Category: 1, DateUpdated: '2025-01-01T00:00:00Z' }]);
    expect((await triage('three', [input(2)]))[0].victim_identified).toBe(true);
  });

  it("links a name a peer's series has to that series, and never changes it", async () => {
    const peer = await node.federation.addPeer(admin, {
      name: 'hotline-de',
      url: 'http://127.0.0.1:9',
      publicKey: `ed25519:${Buffer.alloc(32, 7).toString('base64')}`,
      country: 'DE',
      kind: 'hotline',
    });
    const t = Date.parse('2025-06-01T00:00:00Z');
    await node.store.db
      .insertInto('series')
      .values({
        uid: 'hotline-de/series/9',
        name: 'Shared Name',
        owner_member: 'hotline-de',
        owner_country: 'DE',
        agency: null,
        contact_point: 'de@example.org',
        status: 'offender_identified',
        first_seen_at: null,
        opened_at: t,
        victim_identified_at: null,
        offender_identified_at: t,
        closed_at: null,
        notes: null,
        received_from: peer.id,
        created_at: t,
        updated_at: t,
      })
      .execute();
    const before = await node.store.db.selectFrom('series').selectAll().where('uid', '=', 'hotline-de/series/9').executeTakeFirstOrThrow();
    const r = await importVics('c.json', [{ MediaID: 30, MD5: MD5(30), Category: 1, Series: 'shared name', DateUpdated: '2024-01-01T00:00:00Z' }]);
    expect(r.series).toEqual({ created: 0, linked: 1 });
    const after = await node.store.db.selectFrom('series').selectAll().where('uid', '=', 'hotline-de/series/9').executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    expect((await node.series.search(admin, { text: 'shared' })).map((s) => s.uid)).toEqual(['hotline-de/series/9']);
    const lookup = await node.lookup.lookup('md5', MD5(30));
    expect(lookup.matches[0].series?.map((s) => s.uid)).toEqual(['hotline-de/series/9']);
    const items = await triage('peer', [{ path: 'g', size: 1, signals: { md5: MD5(30) }, error: null }]);
    expect([items[0].facts?.offender_identified, items[0].facts?.sources.offender_identified?.source]).toEqual([
      true,
      'series Shared Name (hotline-de/series/9)',
    ]);
  });
});
