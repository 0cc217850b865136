/**
 * VICS 2.0 JSON: a file written here from REFERENCE.md's field list, with the quirks of real
 * exporters, round-trips import → export → import without losing a modelled field; other models
 * need an explicit category map; malformed files are refused with line and field, and nothing of
 * them is stored.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContentView } from '../../src/banks/bank-service.js';
import { exportBankFile, importExchangeFiles } from '../../src/exchange/files.js';
import { parseCategoryMap } from '../../src/exchange/formats/vics.js';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';

const CONTEXT = 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media';
const md5 = (n: number) => n.toString(16).padStart(2, '0').repeat(16);
const sha1 = (n: number) => n.toString(16).padStart(2, '0').repeat(20);

/** Three Media: every listed field, quirks in their raw form (CRLF, tabs, bare 64-bit id, "true", offset+Z). */
function quirkyMediaFile(): string {
  const lines = [
    '{\r',
    `\t"@odata.context": "${CONTEXT}",\r`,
    '\t"value": [\r',
    '\t\t{\r',
    '\t\t\t"MediaID": 9007199254740993,\r', // above 2^53: must survive exactly
    '\t\t\t"Category": 1,\r',
    `\t\t\t"MD5": "${md5(0xab).toUpperCase()}",\r`,
    `\t\t\t"SHA1": "${sha1(0xcd)}",\r`,
    '\t\t\t"PhotoDNA": "AAECAwQFBgcICQ==",\r',
    '\t\t\t"MediaSize": 123456,\r',
    '\t\t\t"DateUpdated": "2021-03-04T05:06:07.000+01:00Z",\r',
    '\t\t\t"IsPrecategorized": "true",\r',
    '\t\t\t"Series": "series-7",\r',
    '\t\t\t"VictimIdentified": "true",\r',
    '\t\t\t"OffenderIdentified": false,\r',
    '\t\t\t"IsDistributed": true,\r',
    '\t\t\t"IsSuspected": "false",\r',
    '\t\t\t"SelfGenerated": "true",\r',
    '\t\t\t"Tags": "reviewed,second-opinion",\r',
    '\t\t\t"Comments": "generated test item, no content",\r',
    '\t\t\t"MimeType": "image/jpeg",\r',
    '\t\t\t"RelativeFilePath": "export\\\\a\\\\1.jpg",\r',
    '\t\t\t"Exifs": [{"PropertyName": "Make", "PropertyValue": "TestCam"}, {"PropertyName": "Model", "PropertyValue": "X1"}],\r',
    '\t\t\t"MediaFiles": [{"MD5": "' +
      md5(0xab) +
      '", "FileName": "1.jpg", "FilePath": "C:\\\\cases\\\\1.jpg", "Created": "2020-01-01T00:00:00Z", "Written": "2020-01-02T00:00:00Z", "Accessed": "2020-01-03T00:00:00Z", "Unallocated": "true", "Deleted": "false", "ParentMD5": "' +
      md5(0x01) +
      '", "ParentFileName": "archive.zip", "PhysicalLocation": 4096, "SourceID": 2}]\r',
    '\t\t},\r',
    // Category omitted (= 0), flags omitted (= false), a second Media with the same MD5 as the next one.
    `\t\t{"MediaID": 2, "MD5": "${md5(0x22)}"},\r`,
    `\t\t{"MediaID": "3", "Category": 3, "MD5": "${md5(0x22)}", "Tags": ["a;b", "c"], "DateUpdated": "2022-12-31T23:59:59Z"}\r`,
    '\t]\r',
    '}\r',
  ];
  return lines.join('\n');
}

/** What Alliance models of a content, for comparing two imports. */
const modelled = (c: ContentView) => ({
  signals: c.signals.map((s) => `${s.signal_type}:${s.value}`),
  classification: c.classification && `${c.classification.scheme}:${c.classification.value}`,
  tags: c.tags,
  note: c.note,
  metadata: c.metadata,
});

describe.each(DIALECTS)('VICS 2.0 on %s', (dialect) => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;

  afterEach(async () => {
    await node?.close();
    env?.cleanup();
  });

  async function fresh() {
    env = await testConfig(dialect);
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.operator();
    for (const name of ['FIRST', 'SECOND']) await node.banks.createBank(admin, { name });
  }

  const write = (name: string, text: string) => {
    const path = join(env.dataDir, name);
    writeFileSync(path, text);
    return path;
  };
  const contents = (bank: string) => node.banks.listContent(admin, bank, { limit: 1000 });

  it('round-trips a quirky Media file: import → export → import keeps every modelled field', async () => {
    await fresh();
    const first = await importExchangeFiles(node.banks, admin, 'FIRST', 'vics', [write('in.json', quirkyMediaFile())]);
    expect(first).toMatchObject({ items: 3, added: 3, updated: 0 });
    const a = await contents('FIRST');
    const byId = new Map(a.map((c) => [(c.metadata!.vics as Record<string, unknown>).MediaID, c]));
    const big = byId.get('9007199254740993')!;
    expect(big.signals.map((s) => [s.signal_type, s.value])).toEqual([
      ['md5', md5(0xab)],
      ['sha1', sha1(0xcd)],
    ]);
    expect(big.classification).toMatchObject({ scheme: 'vics', value: '1', legal: 'national' });
    expect(big.tags).toEqual(['reviewed', 'second-opinion']);
    expect(big.note).toBe('generated test item, no content');
    expect(big.metadata!.vics).toMatchObject({
      DateUpdated: '2021-03-04T04:06:07.000Z',
      MediaSize: 123456,
      IsPrecategorized: true,
      VictimIdentified: true,
      IsDistributed: true,
      SelfGenerated: true,
      PhotoDNA: 'AAECAwQFBgcICQ==',
      Series: 'series-7',
      MediaFiles: [expect.objectContaining({ ParentFileName: 'archive.zip', Unallocated: 'true' })],
    });
    expect(big.metadata!.vics).not.toHaveProperty('OffenderIdentified');
    expect(big.metadata!.vics).not.toHaveProperty('IsSuspected');
    expect(byId.get('2')!.classification).toMatchObject({ scheme: 'vics', value: '0', legal: 'not_illegal' });
    expect(byId.get('3')!.tags).toEqual(['a;b', 'c']);
    // Two Media share an MD5: both kept, one lookup finds both.
    const shared = byId.get('2')!.signals[0];
    expect(shared.value).toBe(byId.get('3')!.signals[0].value);
    const found = await node.lookup.lookup(shared.signal_type, shared.value, { banks: ['FIRST'] });
    expect(found.matches.map((m) => m.content_id).sort()).toEqual([byId.get('2')!.id, byId.get('3')!.id].sort());

    const out = join(env.dataDir, 'out.json');
    expect(await exportBankFile(node.banks, admin, 'FIRST', 'vics', out)).toEqual({ written: 3, skipped: 0 });
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('"MediaID":9007199254740993,');
    expect(JSON.parse(text)['@odata.context']).toBe(CONTEXT);

    const second = await importExchangeFiles(node.banks, admin, 'SECOND', 'vics', [out]);
    expect(second).toMatchObject({ items: 3, added: 3 });
    const b = await contents('SECOND');
    expect(b.map(modelled)).toEqual(a.map(modelled));

    // Importing the same file again updates the items it brought, it does not duplicate them.
    const again = await importExchangeFiles(node.banks, admin, 'SECOND', 'vics', [out]);
    expect(again).toMatchObject({ added: 0, updated: 3 });
    expect(await contents('SECOND')).toHaveLength(3);
  });

  it('reads case exports and the v1.3 form; models other than US need an explicit category map', async () => {
    await fresh();
    const cases = write(
      'cases.json',
      JSON.stringify({
        '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases',
        value: [
          {
            CaseID: '{6f1c2b7a-1111-4222-8333-944455556666}',
            CaseNumber: 'OP-12',
            ContactEmail: 'case@example.org',
            SourceApplicationName: 'TestTool',
            TotalMediaFiles: 2,
            Media: [
              { MediaID: 10, Category: 1, MD5: md5(0x10) },
              { MediaID: 11, Category: 3, MD5: md5(0x11) },
            ],
          },
        ],
      }),
    );
    await expect(importExchangeFiles(node.banks, admin, 'FIRST', 'vics', [cases])).rejects.toThrow(
      /Cases\[0\]\.Media\[0\]\.Category: the UK data model numbers its categories its own way/,
    );
    expect(await contents('FIRST')).toHaveLength(0);

    const r = await importExchangeFiles(node.banks, admin, 'FIRST', 'vics', [cases], {
      categories: parseCategoryMap('1=uk:A,2=uk:B,3=uk:C,0=legal:not_illegal'),
    });
    expect(r).toMatchObject({ items: 2, added: 2 });
    const got = await contents('FIRST');
    expect(got.map((c) => c.classification?.value)).toEqual(['A', 'C']);
    expect(got[0].metadata!.vics).toMatchObject({
      MediaID: '10',
      Case: { CaseID: '6f1c2b7a-1111-4222-8333-944455556666', CaseNumber: 'OP-12', SourceApplicationName: 'TestTool' },
    });

    const v13 = write(
      'v13.json',
      JSON.stringify({ 'odata.metadata': 'http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media', value: [{ MediaID: 1, Category: 2, MD5: md5(0x13) }] }),
    );
    await expect(importExchangeFiles(node.banks, admin, 'SECOND', 'vics', [v13])).rejects.toThrow(/the 1\.3 data model/);
    await importExchangeFiles(node.banks, admin, 'SECOND', 'vics', [v13], { categories: parseCategoryMap('2=vics:2') });
    expect((await contents('SECOND'))[0].classification).toMatchObject({ scheme: 'vics', value: '2' });

    // The Cases form is written back too.
    const out = join(env.dataDir, 'cases-out.json');
    await exportBankFile(node.banks, admin, 'FIRST', 'vics', out, { form: 'Cases', caseNumber: 'OP-12' });
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc['@odata.context']).toMatch(/#Cases$/);
    expect(doc.value[0]).toMatchObject({ CaseNumber: 'OP-12', TotalMediaFiles: 2 });
    expect(doc.value[0].Media.map((m: { MD5: string }) => m.MD5)).toEqual([md5(0x10), md5(0x11)]);
  });

  it('refuses malformed files with line and field, and stores nothing of them', async () => {
    await fresh();
    await importExchangeFiles(node.banks, admin, 'FIRST', 'vics', [
      write('ok.json', JSON.stringify({ '@odata.context': CONTEXT, value: [{ MediaID: 1, MD5: md5(1) }] })),
    ]);
    const before = await contents('FIRST');

    const wrongTypes = [
      `{"@odata.context": "${CONTEXT}",`,
      '"value": [',
      `{"MediaID": 5, "MD5": "${md5(5)}"},`,
      '{"MediaID": 6, "MD5": 12345},',
      `{"MediaID": 7, "MD5": "${md5(7)}", "IsDistributed": "maybe"},`,
      `{"MediaID": 8, "MD5": "${md5(8)}", "Category": "two"},`,
      `{"MediaID": 9, "MD5": "${md5(9)}", "DateUpdated": "yesterday"},`,
      '{"MediaID": 10}',
      ']}',
    ].join('\n');
    const err = await importExchangeFiles(node.banks, admin, 'FIRST', 'vics', [write('types.json', wrongTypes)]).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'IMPORT_INVALID' });
    const message = (err as Error).message;
    expect(message).toContain('line 4, Media[1].MD5: expected 32 hex digits');
    expect(message).toContain('line 5, Media[2].IsDistributed: expected true or false');
    expect(message).toContain('line 6, Media[3].Category: expected a category number');
    expect(message).toContain('line 7, Media[4].DateUpdated: not a date');
    expect(message).toContain('line 8, Media[5].MD5: a Media item needs an MD5 or a SHA1');

    const truncated = `{"@odata.context": "${CONTEXT}",\n"value": [\n{"MediaID": 20, "MD5": "${md5(20)}"},\n{"MediaID": 21, "MD5": "${md5(21)}"`;
    await expect(importExchangeFiles(node.banks, admin, 'FIRST', 'vics', [write('trunc.json', truncated)])).rejects.toThrow(
      /line 4: the document is truncated/,
    );
    await expect(
      importExchangeFiles(node.banks, admin, 'FIRST', 'vics', [
        write('bad.json', `{"@odata.context": "${CONTEXT}", "value": [{"MediaID": 30, "MD5": "${md5(30)}"}, {"MediaID": 31 "MD5": "x"}]}`),
      ]),
    ).rejects.toThrow(/line 1, Media\[1\]: not valid JSON/);
    await expect(importExchangeFiles(node.banks, admin, 'FIRST', 'vics', [write('array.json', '[1, 2]')])).rejects.toThrow(/must be a JSON object/);
    expect(await contents('FIRST')).toEqual(before);
  });
});
