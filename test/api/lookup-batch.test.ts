/**
 * POST /api/v1/lookup/batch: up to 1,000 signals in one request, each answered exactly as
 * POST /api/v1/lookup answers it alone (matches, allow-lists, reasons), in order; an item that
 * cannot be looked up gets its own error and the others their answers.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

/** `hex` with the first `bits` bits flipped. */
function flip(hex: string, bits: number): string {
  const b = Buffer.from(hex, 'hex');
  for (let i = 0; i < bits; i++) b[i >> 3] ^= 0x80 >> (i & 7);
  return b.toString('hex');
}

describe.each(DIALECTS)('batch lookups on %s', (dialect) => {
  let api: TestApi;
  const pdq = Array.from({ length: 20 }, () => randomBytes(32).toString('hex'));
  const md5 = randomBytes(16).toString('hex');
  const allowed = randomBytes(32).toString('hex');
  beforeAll(async () => {
    api = await startApi(dialect);
    for (const [name, kind] of [
      ['KNOWN', 'positive'],
      ['SAFE', 'negative'],
    ])
      expect((await api.call('POST', '/api/v1/banks', { name, kind })).statusCode).toBe(201);
    for (const value of pdq) expect((await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'pdq', value }] })).statusCode).toBe(201);
    for (const [bank, signal_type, value] of [
      ['KNOWN', 'md5', md5],
      ['KNOWN', 'pdq', allowed],
      ['SAFE', 'pdq', flip(allowed, 2)],
    ]) {
      const added = await api.call('POST', `/api/v1/banks/${bank}/content`, { signals: [{ signal_type, value }], classification: 'industry:A1' });
      expect(added.statusCode, added.body).toBe(201);
    }
  });
  afterAll(() => api.close());

  it('answers every item as a single lookup would, in order, with the caller’s references', async () => {
    const items: Array<{ id?: string; signal_type: string; signal: string; threshold?: number }> = [
      ...pdq.map((p, i) => ({ id: `p${i}`, signal_type: 'pdq', signal: flip(p, i) })), // distances 0..19: some within 31, all
      { id: 'far', signal_type: 'pdq', signal: flip(pdq[0], 60) },
      { id: 'tight', signal_type: 'pdq', signal: flip(pdq[5], 5), threshold: 4 },
      { id: 'md5', signal_type: 'md5', signal: md5.toUpperCase() },
      { id: 'allowed', signal_type: 'pdq', signal: allowed },
      { signal_type: 'pdq', signal: randomBytes(32).toString('hex') },
    ];
    const r = await api.call('POST', '/api/v1/lookup/batch', { items });
    expect(r.statusCode, r.body).toBe(200);
    const answer = r.json();
    expect(answer.results.map((x: { index: number; id: string | null }) => [x.index, x.id])).toEqual(items.map((x, i) => [i, x.id ?? null]));
    for (const [i, item] of items.entries()) {
      const single = await api.call('POST', '/api/v1/lookup', { signal_type: item.signal_type, signal: item.signal, threshold: item.threshold });
      expect(answer.results[i]).toEqual({ index: i, id: item.id ?? null, result: single.json(), error: null });
    }
    // 20 near copies + the exact MD5; "far", "tight" (5 bits over a threshold of 4), the allow-listed one and the random one match nothing that counts.
    expect([20, 21, 24].map((i) => answer.results[i].result.matches)).toEqual([[], [], []]);
    expect(answer.results[22].result.matches).toEqual([expect.objectContaining({ signal_type: 'md5', distance: 0 })]);
    expect(answer.results[23].result.allow_listed).toHaveLength(1);
    expect(answer.results[23].result.suppressed).toHaveLength(1);
    expect([answer.looked_up, answer.matched, answer.failed]).toEqual([items.length, 21, 0]);
  });

  it('counts every item of a batch in the lookup metrics, by type and outcome', async () => {
    const count = async () => {
      const text = (await api.call('GET', '/metrics')).body;
      const of = (type: string, outcome: string) =>
        Number(new RegExp(`alliance_lookups_total\\{signal_type="${type}",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      return [of('pdq', 'match'), of('pdq', 'no_match'), of('md5', 'match'), of('md5', 'no_match')];
    };
    const before = await count();
    const items = [
      ...pdq.slice(0, 7).map((signal) => ({ signal_type: 'pdq', signal })),
      ...Array.from({ length: 4 }, () => ({ signal_type: 'pdq', signal: randomBytes(32).toString('hex') })),
      { signal_type: 'md5', signal: md5 },
      { signal_type: 'md5', signal: randomBytes(16).toString('hex') },
      { signal_type: 'md5', signal: randomBytes(16).toString('hex') },
      { signal_type: 'pdq', signal: 'abc' }, // refused: not a lookup
    ];
    expect((await api.call('POST', '/api/v1/lookup/batch', { items })).statusCode).toBe(200);
    const after = await count();
    expect(after.map((n, i) => n - before[i])).toEqual([7, 4, 1, 2]);
  });

  it('gives a bad item its own error and still answers the others', async () => {
    const r = await api.call('POST', '/api/v1/lookup/batch', {
      items: [
        { id: 'ok', signal_type: 'pdq', signal: pdq[3] },
        { id: 'short', signal_type: 'pdq', signal: 'abc' },
        { id: 'type', signal_type: 'no-such-type', signal: pdq[3] },
        { id: 'md5', signal_type: 'md5', signal: md5 },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    const [ok, short, type, last] = r.json().results;
    expect(ok.result.matches).toHaveLength(1);
    expect([short.result, short.error.code]).toEqual([null, 'SIGNAL_MALFORMED']);
    expect([type.result, type.error.code]).toEqual([null, 'SIGNAL_TYPE_UNKNOWN']);
    expect(last.result.matches).toHaveLength(1);
    expect([r.json().looked_up, r.json().matched, r.json().failed]).toEqual([2, 2, 2]);
  });

  it('limits the answer to the banks asked for, and refuses the whole batch for a bank that does not exist', async () => {
    const only = await api.call('POST', '/api/v1/lookup/batch', { items: [{ signal_type: 'md5', signal: md5 }], banks: ['SAFE'] });
    expect(only.json().results[0].result.matches).toEqual([]);
    const missing = await api.call('POST', '/api/v1/lookup/batch', { items: [{ signal_type: 'md5', signal: md5 }], banks: ['NOPE'] });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toMatch(/NOPE/);
  });

  it('refuses an empty batch, more than 1,000 items and unknown fields, and needs the lookup permission', async () => {
    expect((await api.call('POST', '/api/v1/lookup/batch', { items: [] })).statusCode).toBe(400);
    const many = Array.from({ length: 1001 }, () => ({ signal_type: 'md5', signal: md5 }));
    const tooMany = await api.call('POST', '/api/v1/lookup/batch', { items: many });
    expect([tooMany.statusCode, tooMany.json().code]).toEqual([400, 'VALIDATION']);
    expect((await api.call('POST', '/api/v1/lookup/batch', { items: [{ signal_type: 'md5', signal: md5, bank: 'X' }] })).statusCode).toBe(400);
    expect((await api.call('POST', '/api/v1/lookup/batch', '{"items": [', undefined, { 'content-type': 'application/json' })).statusCode).toBe(400);
    const full = Array.from({ length: 1000 }, (_, i) => ({ signal_type: 'pdq', signal: pdq[i % pdq.length] }));
    const r = await api.call('POST', '/api/v1/lookup/batch', { items: full }, await api.tokenFor('matcher'));
    expect([r.statusCode, r.json().matched]).toEqual([200, 1000]);
    expect((await api.call('POST', '/api/v1/lookup/batch', { items: [{ signal_type: 'md5', signal: md5 }] }, await api.tokenFor('checker'))).statusCode).toBe(
      403,
    );
  });
});
