/**
 * Triage of a VICS file with a million Media (the size of a large seizure's export): streamed in
 * and out, it completes, classifies every entry, lists malformed ones as unreadable, and keeps the
 * HTML summary readable (a capped list; the CSV has every row).
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML_LIST_LIMIT } from '../../src/cases/triage-report.js';
import { loadConfig } from '../../src/config/config.js';
import { openNode } from '../../src/node/node.js';
import { runCli } from '../support/cli.js';

const N = 1_000_000;
const md5 = (i: number) => createHash('md5').update(`media ${i}`).digest('hex');
const isKnown = (i: number) => i % 10_000 === 5;
const isBroken = (i: number) => i % 250_000 === 7;

describe('alliance triage of a VICS file with a million entries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-triage-1m-'));
  const data = join(dir, 'data');
  const file = join(dir, 'export.json');

  beforeAll(async () => {
    const node = await openNode(loadConfig({ dataDir: data, logLevel: 'silent' }, {}), {});
    const admin = await node.operator();
    await node.banks.createBank(admin, { name: 'KNOWN' });
    for (let i = 0; i < N; i++)
      if (isKnown(i)) await node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'md5', value: md5(i) }], classification: 'vics:1' });
    await node.close();
    const fd = openSync(file, 'w');
    writeSync(fd, '{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media","value":[\n');
    for (let i = 0; i < N; i += 20_000) {
      let text = '';
      for (let j = i; j < i + 20_000; j++) {
        const hash = isBroken(j) ? 'not-a-hash' : md5(j);
        text += `${j ? ',\n' : ''}{"MediaID":${j + 1},"MD5":"${hash}","MediaSize":${2000 + j},"MediaFiles":[{"FileName":"${j}.jpg","FilePath":"E:\\\\Users\\\\x\\\\${j % 97}"}]}`;
      }
      writeSync(fd, text);
    }
    writeSync(fd, '\n]}\n');
    closeSync(fd);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('classifies every entry, lists the malformed ones, and caps the HTML list', async () => {
    const out = join(dir, 'out');
    const r = await runCli(['triage', file, '--out', out, '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    const known = 100;
    const broken = 4;
    expect(r.stdout).toMatch(
      new RegExp(
        `^triaged ${N} files in [\\d.]+ s: ${N - known - broken} new, ${known} known \\(0 in a series, 0 with a victim identified\\), 0 not relevant, ${broken} unreadable\\n`,
      ),
    );
    expect(r.stdout).toContain(`(${N - broken} media, ${broken} without MD5/SHA1 left out)`);

    let rows = 0;
    const classes = new Map<string, number>();
    for await (const line of createInterface({ input: createReadStream(join(out, 'triage.csv'), 'utf8'), crlfDelay: Infinity })) {
      if (rows++ === 0) continue;
      const [path, cls] = line.split(',', 2);
      classes.set(cls, (classes.get(cls) ?? 0) + 1);
      if (path === 'E:\\Users\\x\\5\\5.jpg') expect(cls).toBe('known');
    }
    expect(rows - 1).toBe(N);
    expect(Object.fromEntries(classes)).toEqual({ new: N - known - broken, known, unreadable: broken });

    const html = readFileSync(join(out, 'triage.html'), 'utf8');
    expect(html).toContain(`data-class="new">${N - known - broken}<`);
    expect((html.match(/<li><code>\d+\.jpg<\/code><\/li>/g) ?? []).length).toBe(HTML_LIST_LIMIT);
    expect(html).toContain(`${N - known - broken - HTML_LIST_LIMIT} more not listed here: see triage.csv.`);
    expect(html).toMatch(/<code>E:\\Users\\x\\0<\/code><\/td><td class="num">\d+</);
    expect(html).toMatch(/entry 8\b.*MD5/);

    const node = await openNode(loadConfig({ dataDir: data, logLevel: 'silent' }, {}), {});
    try {
      const [run] = await node.triage.list(await node.operator(), {});
      expect(run).toMatchObject({ status: 'done', files: N, kind: 'vics', counts: { new: N - known - broken, known, not_relevant: 0, unreadable: broken } });
      const knownItems = await node.triage.items(await node.operator(), run.id, { class: 'known', limit: 5 });
      expect(knownItems.total).toBe(known);
      expect(knownItems.items[0]).toMatchObject({
        n: 6,
        path: 'E:\\Users\\x\\5\\5.jpg',
        classification: 'vics:1',
        match: { bank: 'KNOWN', signal_type: 'md5', distance: 0 },
      });
    } finally {
      await node.close();
    }
  }, 600_000);
});
