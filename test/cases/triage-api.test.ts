/**
 * Triage results on the node, on both databases: a run is recorded with every item, listed,
 * filtered by class, folder and path, its outputs downloaded; a run whose input breaks off is
 * recorded as failed; bad requests and other roles are refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TriageInput } from '../../src/cases/triage.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const KNOWN_MD5 = 'a'.repeat(32);

describe.each(DIALECTS)('triage results on %s', (dialect) => {
  let api: TestApi;
  const out = mkdtempSync(join(tmpdir(), 'alliance-triage-api-'));
  let runId = 0;

  beforeAll(async () => {
    api = await startApi(dialect);
    await api.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'md5', value: KNOWN_MD5 }], classification: 'vics:2' });
  });
  afterAll(async () => {
    await api.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('records a run with every item; lists, filters and downloads it', async () => {
    const inputs: TriageInput[] = [
      { path: 'C:\\disk\\50%\\a.jpg', size: 10, signals: { md5: KNOWN_MD5 }, error: null },
      ...Array.from({ length: 250 }, (_, i): TriageInput => ({
        path: `disk/new/${i}.jpg`,
        size: 10,
        signals: { md5: i.toString(16).padStart(32, '0') },
        error: null,
      })),
      { path: 'disk/broken.jpg', size: 0, signals: {}, error: 'empty file (0 bytes) [FILE_EMPTY]' },
    ];
    const { run } = await api.node.triage.run(await api.node.operator(), { input: 'disk', kind: 'folder', caseNumber: 'C-1', out: join(out, 'one'), inputs });
    runId = run.id;
    expect(run).toMatchObject({ status: 'done', files: 252, counts: { new: 250, known: 1, not_relevant: 0, unreadable: 1 } });

    const list = (await api.call('GET', '/api/v1/triage/runs')).json().runs;
    expect(list.map((r: { id: number; case_number: string }) => [r.id, r.case_number])).toEqual([[runId, 'C-1']]);
    const detail = (await api.call('GET', `/api/v1/triage/runs/${runId}`)).json();
    expect(detail.new_folders).toEqual([{ folder: 'disk/new', files: 250 }]);

    const page = (q: string) => api.call('GET', `/api/v1/triage/runs/${runId}/items?${q}`).then((r) => r.json());
    const known = await page('class=known');
    expect(known).toMatchObject({
      total: 1,
      items: [
        { n: 1, path: 'C:\\disk\\50%\\a.jpg', folder: 'C:\\disk\\50%', classification: 'vics:2', match: { bank: 'KNOWN', signal_type: 'md5', distance: 0 } },
      ],
    });
    const second = await page('class=new&folder=disk%2Fnew&limit=100&offset=100');
    expect([second.total, second.items.length, second.items[0].path]).toEqual([250, 100, 'disk/new/100.jpg']);
    expect((await page('q=50%25')).items.map((i: { n: number }) => i.n)).toEqual([1]); // % is a character, not a wildcard
    expect((await page('class=unreadable')).items[0].error).toMatch(/FILE_EMPTY/);

    const csv = await api.call('GET', `/api/v1/triage/runs/${runId}/outputs/csv`);
    expect([csv.statusCode, csv.headers['content-type'], csv.headers['content-disposition']]).toEqual([
      200,
      'text/csv; charset=utf-8',
      `attachment; filename="triage-${runId}-triage.csv"`,
    ]);
    expect(csv.body.trim().split('\n')).toHaveLength(253);
    const html = await api.call('GET', `/api/v1/triage/runs/${runId}/outputs/html`);
    expect([html.statusCode, html.headers['content-disposition']]).toEqual([200, `attachment; filename="triage-${runId}-triage.html"`]);
  });

  it('records a run whose input breaks off as failed', async () => {
    async function* breaking(): AsyncGenerator<TriageInput> {
      yield { path: 'x.jpg', size: 1, signals: { md5: 'b'.repeat(32) }, error: null };
      throw new Error('line 9: unexpected end of the VICS file');
    }
    await expect(
      api.node.triage.run(await api.node.operator(), { input: 'cut.json', kind: 'vics', caseNumber: '', out: join(out, 'two'), inputs: breaking() }),
    ).rejects.toThrow(/unexpected end/);
    const [failed] = (await api.call('GET', '/api/v1/triage/runs')).json().runs;
    expect(failed).toMatchObject({ input: 'cut.json', status: 'failed', error: 'line 9: unexpected end of the VICS file' });
    const outputs = await api.call('GET', `/api/v1/triage/runs/${failed.id}/outputs/csv`);
    expect([outputs.statusCode, outputs.json().message]).toEqual([404, `run ${failed.id} has no triage.csv (the run is failed)`]);
  });

  it('refuses bad requests and roles without case work', async () => {
    expect((await api.call('GET', '/api/v1/triage/runs/99999')).json()).toMatchObject({ code: 'TRIAGE_NOT_FOUND' });
    expect((await api.call('GET', `/api/v1/triage/runs/${runId}/items?class=bad`)).statusCode).toBe(400);
    expect((await api.call('GET', `/api/v1/triage/runs/${runId}/outputs/passwd`)).statusCode).toBe(400);
    rmSync(join(out, 'one', 'triage.vics.json'));
    const gone = await api.call('GET', `/api/v1/triage/runs/${runId}/outputs/vics`);
    expect([gone.statusCode, gone.json().message]).toEqual([404, `run ${runId} has no triage.vics.json (moved or deleted from its folder)`]);
    const matcher = await api.tokenFor('matcher');
    expect((await api.call('GET', '/api/v1/triage/runs', undefined, matcher)).statusCode).toBe(403);
  });

  it('marks an earlier run superseded when a new run writes into the same folder', async () => {
    const { run } = await api.node.triage.run(await api.node.operator(), {
      input: 'again',
      kind: 'hashes',
      caseNumber: '',
      out: join(out, 'one'),
      inputs: [{ path: 'line 1', size: null, signals: { md5: KNOWN_MD5 }, error: null }],
    });
    const runs = (await api.call('GET', '/api/v1/triage/runs')).json().runs;
    expect(runs.find((r: { id: number }) => r.id === runId).status).toBe('superseded');
    expect((await api.call('GET', `/api/v1/triage/runs/${runId}/outputs/csv`)).json().message).toMatch(/the run is superseded/);
    expect((await api.call('GET', `/api/v1/triage/runs/${run.id}/outputs/csv`)).statusCode).toBe(200);
  });
});
