/**
 * Keyword lists are banks like any other: terms are added with a classification, looked up in
 * searched text through the same lookup API (with the reduction that defeats evasion), exported,
 * and a query without a listed term finds nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

describe.each(DIALECTS)('keyword banks on %s', (dialect) => {
  let api: TestApi;
  const ids: Record<string, number> = {};
  const terms = (matches: Array<{ content_id: number }>) => matches.map((m) => Object.keys(ids).find((t) => ids[t] === m.content_id)).sort();
  beforeAll(async () => {
    api = await startApi(dialect);
    expect((await api.call('POST', '/api/v1/banks', { name: 'SEARCH_TERMS' })).statusCode).toBe(201);
    for (const term of ['forbiddenterm', 'secret swap']) {
      const r = await api.call('POST', '/api/v1/banks/SEARCH_TERMS/content', {
        signals: [{ signal_type: 'keyword', value: term }],
        classification: 'legal:baseline',
        tags: ['lantern'],
      });
      expect(r.statusCode, r.body).toBe(201);
      ids[term] = r.json().id;
    }
  });
  afterAll(() => api.close());

  it('finds listed terms in searched text, evasions included', async () => {
    const hit = (await api.call('POST', '/api/v1/lookup', { signal_type: 'keyword', signal: 'where can I find F0RB1DD3N-TERM videos' })).json();
    expect(hit.matches).toEqual([
      expect.objectContaining({ bank: 'SEARCH_TERMS', signal_type: 'keyword', distance: 0, content_id: ids.forbiddenterm, tags: ['lantern'] }),
    ]);
    const two = (await api.call('POST', '/api/v1/lookup', { signal_type: 'keyword', signal: 'forbidden term and a s3cr3t sw4p' })).json();
    expect(terms(two.matches)).toEqual(['forbiddenterm', 'secret swap']);
    expect((await api.call('POST', '/api/v1/lookup', { signal_type: 'keyword', signal: 'forbidden terminal velocity' })).json().matches).toEqual([]);
    // A searched text needs no minimum length (a listed term does): a short search simply matches nothing.
    const short = await api.call('POST', '/api/v1/lookup', { signal_type: 'keyword', signal: 'hi' });
    expect([short.statusCode, short.json().matches]).toEqual([200, []]);
  });

  it('refuses terms too short to match safely, and counts keywords per bank', async () => {
    const short = await api.call('POST', '/api/v1/banks/SEARCH_TERMS/content', { signals: [{ signal_type: 'keyword', value: 'x!' }] });
    expect([short.statusCode, short.json().code]).toEqual([400, 'SIGNAL_MALFORMED']);
    const bank = (await api.call('GET', '/api/v1/banks/SEARCH_TERMS')).json();
    expect(bank.signal_counts).toMatchObject({ keyword: 2 });
  });
});
