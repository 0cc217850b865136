/**
 * Importing into a bank through the API in each format the codec registry imports: CSV (text/csv),
 * VICS 2.0 JSON and NCMEC v2 XML (?format=, the file as it is); the job reports the items and,
 * while it runs, its progress. A file of the wrong format is refused and imports nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.js';
import { startApi, type TestApi } from '../support/api.js';
import { FIXTURES } from '../support/paths.js';

const CONTEXT = 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media';
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const vics = (n: number) =>
  JSON.stringify({ '@odata.context': CONTEXT, value: Array.from({ length: n }, (_, i) => ({ MediaID: i + 1, Category: 1, MD5: hex(i + 1, 32) })) });
const octet = { 'content-type': 'application/octet-stream' };

describe.each(DIALECTS)('bank import formats on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect);
  });
  afterAll(async () => api?.close());

  it('imports VICS and NCMEC files as jobs, with their items counted, and refuses a file of another format', async () => {
    for (const name of ['VICS_IN', 'NCMEC_IN']) expect((await api.call('POST', '/api/v1/banks', { name })).statusCode).toBe(201);
    const v = await api.call('POST', '/api/v1/banks/VICS_IN/import?format=vics', vics(5), api.adminToken, octet);
    expect(v.statusCode, v.body).toBe(202);
    const xml = readFileSync(join(FIXTURES, 'ncmec', 'entries-page-1.xml'), 'utf8');
    const n = await api.call('POST', '/api/v1/banks/NCMEC_IN/import?format=ncmec', xml, api.adminToken, { 'content-type': 'application/xml' });
    expect(n.statusCode, n.body).toBe(202);
    // CSV sent as VICS: refused as a whole.
    const wrong = await api.call('POST', '/api/v1/banks/VICS_IN/import?format=vics', `signal_type,signal\nmd5,${hex(9, 32)}\n`, api.adminToken, octet);
    expect(wrong.statusCode).toBe(202);
    // Before it runs, a job has no progress in this process.
    expect((await api.call('GET', v.json().status_url)).json()).toMatchObject({ state: 'queued', progress: null });
    await api.node.jobs.tick();
    await api.node.jobs.tick();
    await api.node.jobs.tick();
    expect((await api.call('GET', v.json().status_url)).json()).toMatchObject({ state: 'done', result: { items: 5, added: 5 }, progress: null });
    expect((await api.call('GET', '/api/v1/banks/VICS_IN')).json()).toMatchObject({ content_count: 5, signal_counts: { md5: 5 } });
    const ncmec = (await api.call('GET', n.json().status_url)).json();
    expect(ncmec).toMatchObject({ state: 'done' });
    expect(ncmec.result.added).toBeGreaterThan(0);
    expect((await api.call('GET', '/api/v1/banks/NCMEC_IN')).json().content_count).toBe(ncmec.result.added - ncmec.result.deleted);
    expect((await api.call('GET', wrong.json().status_url)).json()).toMatchObject({ state: 'failed', error: expect.stringMatching(/nothing was imported/) });
    // An unknown format is refused at once, naming the field.
    const unknown = await api.call('POST', '/api/v1/banks/VICS_IN/import?format=xlsx', 'x', api.adminToken, octet);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/^querystring\/format /) });
  });
});
