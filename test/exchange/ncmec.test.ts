/**
 * NCMEC hash-sharing v2 XML: the sample queryResult pages import into the right signals (images,
 * videos, deletions, later versions), and hostile or malformed XML — external entities, entity
 * expansion, broken tags, bad fingerprints — is refused with its line, storing nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importExchangeFiles } from '../../src/exchange/files.js';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { testConfig, type TestEnv } from '../support/dialects.js';
import { SHARED } from '../support/paths.js';

const page = (n: string) => join(SHARED, 'fixtures', 'ncmec', n);
const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

const video = (id: string, md5: string, extra = '') => `
        <video>
            <member id="101">TX Example</member>
            <timestamp>2019-11-26T15:10:00Z</timestamp>
            <id>${id}</id>
            <classification>A2</classification>
            <fingerprints><md5>${md5}</md5>${extra}</fingerprints>
        </video>`;
const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
    <videos count="1" maxTimestamp="2019-11-26T15:10:00Z">${body}
    </videos>
</queryResult>
`;

describe('NCMEC v2 entries', () => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;

  afterEach(async () => {
    await node?.close();
    env?.cleanup();
  });

  async function fresh() {
    env = await testConfig('sqlite');
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.operator();
    await node.banks.createBank(admin, { name: 'NCMEC' });
  }
  const write = (name: string, text: string) => {
    const path = join(env.dataDir, name);
    writeFileSync(path, text);
    return path;
  };
  const byUid = async () => {
    const rows = await node.store.db.selectFrom('bank_content').select(['id', 'uid']).execute();
    const views = await Promise.all(rows.map((r) => node.banks.getContent(admin, r.id)));
    return new Map(rows.map((r, i) => [r.uid!, views[i]]));
  };

  it('imports images, videos and deletions from the sample pages, and later versions update', async () => {
    await fresh();
    const r = await importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [page('entries-page-1.xml'), page('entries-page-2.xml')]);
    expect(r.items).toBeGreaterThan(0);
    let got = await byUid();
    const image1 = got.get('ncmec/42/image/image1')!;
    expect(image1.signals.map((s) => [s.signal_type, s.value])).toEqual([
      ['md5', 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'],
      ['sha1', 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'],
    ]);
    expect(image1.classification).toMatchObject({ scheme: 'industry', value: 'A1', legal: 'baseline' });
    expect(image1.first_seen).toBe('2017-10-24T15:00:00.000Z');
    const meta = image1.metadata!.ncmec as Record<string, any>;
    expect(meta.member).toEqual({ id: '42', name: 'Example Member' });
    expect(meta.fingerprints.pdna).toMatch(/^a1a1/);
    expect(meta.feedback.negativeFeedback[0].reasons.reason[0]['@guid']).toBe('01234567-abcd-0123-4567-012345678900');
    expect(got.get('ncmec/42/video/video1')!.signals.map((s) => s.signal_type)).toEqual(['md5', 'sha1']);
    expect(got.get('ncmec/42/image/image10')).toBeDefined();
    // An exact lookup finds the imported MD5.
    const hits = await node.lookup.lookup('md5', 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1');
    expect(hits.matches.map((m) => m.content_id)).toContain(image1.id);

    await importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [page('entries-page-3-updates.xml')]);
    got = await byUid();
    expect(got.get('ncmec/101/video/willupdate')!.signals[0].value).toBe('facefacefacefacefacefacefaceface');
    expect(got.get('ncmec/101/video/willdelete')).toBeDefined();

    // A later page: willupdate gets a new MD5 and a PDQ, willdelete is deleted.
    const later = doc(`${video('willupdate', 'abcdefabcdefabcdefabcdefabcdefab', `<pdq>${PDQ}</pdq><netclean>opaque</netclean>`)}
        <deletedVideo><member id="101">TX Example</member><id>willdelete</id><timestamp>2019-11-26T15:10:00Z</timestamp></deletedVideo>`);
    const r2 = await importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [write('later.xml', later)]);
    expect(r2).toMatchObject({ updated: 1, deleted: 1 });
    got = await byUid();
    const updated = got.get('ncmec/101/video/willupdate')!;
    expect(updated.signals.map((s) => [s.signal_type, s.value])).toEqual([
      ['md5', 'abcdefabcdefabcdefabcdefabcdefab'],
      ['pdq', PDQ],
    ]);
    expect(updated.classification).toMatchObject({ value: 'A2' });
    expect((updated.metadata!.ncmec as Record<string, any>).fingerprints).toEqual({ netclean: 'opaque' });
    expect(got.has('ncmec/101/video/willdelete')).toBe(false);
    expect((await node.lookup.lookup('md5', 'facefacefacefacefacefacefaceface')).matches).toHaveLength(0);
  });

  it('refuses external entities, entity expansion, malformed XML and bad fingerprints with their line; nothing is stored', async () => {
    await fresh();
    const count = async () =>
      (
        await node.store.db
          .selectFrom('bank_content')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE queryResult [\n  <!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2"><videos>${video('x', '&secret;')}</videos></queryResult>`;
    await expect(importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [write('xxe.xml', xxe)])).rejects.toThrow(/line 2: <!DOCTYPE is not allowed/);
    const bomb = `<?xml version="1.0"?>\n<!ENTITY a "aaaaaaaaaa">\n<queryResult/>`;
    await expect(importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [write('bomb.xml', bomb)])).rejects.toThrow(/line 2: <!ENTITY is not allowed/);
    const broken = doc(video('ok', 'abcdefabcdefabcdefabcdefabcdefab')).replace('</videos>', '</video>');
    await expect(importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [write('broken.xml', broken)])).rejects.toThrow(/line \d+: malformed XML/);
    const badMd5 = doc(video('good', 'abcdefabcdefabcdefabcdefabcdefab') + video('bad', 'not-a-hash'));
    await expect(importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [write('bad-md5.xml', badMd5)])).rejects.toThrow(
      /line 14: video bad: fingerprint <md5> is not a valid md5/,
    );
    // A good first page and a bad second one: nothing of either is stored.
    await expect(importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [page('entries-page-1.xml'), write('bad2.xml', badMd5)])).rejects.toMatchObject({
      code: 'IMPORT_INVALID',
    });
    await expect(importExchangeFiles(node.banks, admin, 'NCMEC', 'ncmec', [write('other.xml', '<?xml version="1.0"?><html><body/></html>')])).rejects.toThrow(
      /not an NCMEC queryResult/,
    );
    expect(Number(await count())).toBe(0);
  });
});
