/**
 * Lead packages on one node (the federation side is test/e2e/lead-packages.test.ts): a country with
 * many targets gets several packages, each small enough for one federation request, each
 * supplementing the one before, together carrying every target once; identifiers in any script
 * are counted in bytes, not characters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parts } from '../../src/operations/leads.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

describe.each(DIALECTS)('large lead packages on %s', (dialect) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(dialect, { deconflictionKey: 'ef'.repeat(32) });
  });
  afterAll(() => api.close());

  it('splits runs by UTF-8 bytes, one item at least per run', () => {
    expect(parts(['a', 'b', 'c'], 7)).toEqual([['a', 'b'], ['c']]); // '"a"' is 3 bytes
    expect(parts(['漢字漢字'], 1)).toEqual([['漢字漢字']]);
    expect(parts(['漢', '字'], 6)).toEqual([['漢'], ['字']]); // 5 bytes each
    expect(parts([], 10)).toEqual([]);
  });

  it('a country of 3,000 targets goes as several packages under 1 MB each, every target once', async () => {
    const op = (
      await api.call('POST', '/api/v1/operations', { name: 'Big', legal_basis: 'Placeholder act', owner_agency: 'A', contact_point: 'desk@a.example' })
    ).json().id;
    const targets = Array.from({ length: 3000 }, (_, i) => ({
      ref: `t${i}`,
      username: [`ユーザー名-${i}-${'長い'.repeat(20)}`, `user-${i}`],
      email: `user-${i}@mail.example.de`,
      ip: [{ ip: '193.99.144.80', at: '2026-03-01T10:00:00Z' }],
    }));
    expect((await api.call('POST', `/api/v1/operations/${op}/targets`, { targets })).statusCode).toBe(201);
    expect((await api.call('POST', `/api/v1/operations/${op}/deconflict`)).json()).toEqual({ checked: 3000, held: 0 });
    const built = await api.call('POST', `/api/v1/operations/${op}/packages`, {});
    expect(built.statusCode, built.body).toBe(201);
    const packages = built.json().packages as Array<{ id: number; uid: string; prior_uid: string | null; targets: number; state: string }>;
    expect(packages.length).toBeGreaterThan(1);
    expect(packages.reduce((n, p) => n + p.targets, 0)).toBe(3000);
    expect(packages.map((p) => p.prior_uid)).toEqual([null, ...packages.slice(0, -1).map((p) => p.uid)]);
    const refs: string[] = [];
    for (const p of packages) {
      const env = (await api.call('GET', `/api/v1/operations/${op}/packages/${p.id}/envelope`)).json();
      expect(Buffer.byteLength(JSON.stringify(env))).toBeLessThan(1024 * 1024);
      refs.push(...JSON.parse(env.payload).targets.map((t: { ref: string }) => t.ref));
    }
    expect(new Set(refs).size).toBe(3000);
    // Nothing changed: building again makes nothing.
    expect((await api.call('POST', `/api/v1/operations/${op}/packages`, {})).json().packages).toEqual([]);
  });
});
