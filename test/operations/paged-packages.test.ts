/**
 * Lead packages built over more targets than one page (a build reads BUILD_PAGE targets at a time
 * and signs and stores each part as it fills): the parts are those `parts()` makes of the country's
 * packageable targets in id order — every target exactly once, each part under the byte budget,
 * held and unchecked targets left out wherever they fall — and a supplement over several pages
 * carries exactly what changed. The targets list filters by deconfliction status (held, released)
 * over the whole operation. Lists of packages read no payload: the handling restrictions have a
 * column (migration 0030 copies them from the payloads of packages built before).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_PAGE, PART_BYTES, parts, type PackagePayload, type PackageTarget } from '../../src/operations/leads.js';
import { leadPackageLists } from '../../src/store/migrations/0030-lead-package-lists.js';
import { startApi, type TestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/dialects.js';

/** More than two pages of targets; one in four in the Netherlands, the others in Germany. */
const N = 2 * BUILD_PAGE + 700;
const countryOf = (i: number) => (i % 4 === 0 ? 'NL' : 'DE');
/** Targets another case holds, in different pages: t5 and t1234 in Germany, t2400 in the Netherlands. */
const HELD = [5, 1234, 2400];

interface PackageListed {
  id: number;
  uid: string;
  prior_uid: string | null;
  country: string;
  targets: number;
  handling: string[];
}

describe.each(DIALECTS)('lead packages over several pages on %s', (dialect) => {
  let api: TestApi;
  let op: number;

  beforeAll(async () => {
    api = await startApi(dialect, { deconflictionKey: 'ef'.repeat(32) });
    op = (
      await api.call('POST', '/api/v1/operations', { name: 'Paged', legal_basis: 'Placeholder act', owner_agency: 'A', contact_point: 'desk@a.example' })
    ).json().id;
    const targets = Array.from({ length: N }, (_, i) => ({
      ref: `t${i}`,
      // sizes vary, so parts end anywhere within a page
      username: [`ユーザー名-${i}-${'長い'.repeat(5 + (i % 30))}`, `user-${i}`],
      email: `user-${i}@mail.example.${countryOf(i).toLowerCase()}`,
      ip: [{ ip: countryOf(i) === 'NL' ? '145.97.39.155' : '193.99.144.80', at: '2026-03-01T10:00:00Z' }],
    }));
    expect((await api.call('POST', `/api/v1/operations/${op}/targets`, { targets })).statusCode).toBe(201);
    const admin = await api.node.operator();
    const other = await api.node.deconfliction.openCase(admin, { reference: 'DE-2026-9', contact_point: 'desk-de@police.example' });
    await api.node.deconfliction.addTargets(
      admin,
      other.id,
      HELD.map((i) => ({ kind: 'username', value: `user-${i}` })),
    );
    expect((await api.call('POST', `/api/v1/operations/${op}/deconflict`)).json()).toEqual({ checked: N, held: HELD.length });
    // Imported after the check: not checked yet, left out.
    const late = Array.from({ length: 10 }, (_, i) => ({ ref: `late${i}`, username: `late-${i}`, ip: [{ ip: '193.99.144.80', at: '2026-03-01T10:00:00Z' }] }));
    expect((await api.call('POST', `/api/v1/operations/${op}/targets`, { targets: late })).statusCode).toBe(201);
  });
  afterAll(() => api.close());

  const list = async (): Promise<PackageListed[]> => (await api.call('GET', `/api/v1/operations/${op}/packages`)).json().packages;
  const payloadOf = async (p: { id: number }): Promise<PackagePayload> =>
    JSON.parse((await api.call('GET', `/api/v1/operations/${op}/packages/${p.id}/envelope`)).json().payload);
  const refsHeld = async (query: string) =>
    ((await api.call('GET', `/api/v1/operations/${op}/targets?${query}`)).json().targets as Array<{ ref: string }>).map((t) => t.ref);

  it('the targets list filters by deconfliction status over the whole operation, in id order, paged', async () => {
    expect(await refsHeld('status=held')).toEqual(['t5', 't1234', 't2400']);
    expect(await refsHeld('status=held&limit=1&offset=1')).toEqual(['t1234']);
    expect(await refsHeld('status=held&country=NL')).toEqual(['t2400']);
    expect(await refsHeld('status=released')).toEqual([]);
    const bad = await api.call('GET', `/api/v1/operations/${op}/targets?status=maybe`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/status/) });
    await expect(api.node.operations.targets(await api.node.operator(), op, { status: 'maybe' })).rejects.toMatchObject({ code: 'OPERATION_INVALID' });
    // The CLI's filter is the same one.
    const env = api.env.config.databaseUrl ? { ALLIANCE_DATABASE_URL: api.env.config.databaseUrl } : {};
    const cli = (...args: string[]) => runCli([...args, '--data', api.env.dataDir], { env });
    const held = await cli('operation', 'targets', String(op), '--status', 'held');
    expect(held.code, held.stderr).toBe(0);
    expect(
      held.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]),
    ).toEqual(['t5', 't1234', 't2400']);
    expect(held.stdout).toMatch(/\tHELD: /);
    const wrong = await cli('operation', 'targets', String(op), '--status', 'maybe');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/status: "maybe" is not one of held, released/);
  });

  it('builds parts as parts() makes of the targets in id order: every packageable target once, each under the byte budget', async () => {
    const built = await api.call('POST', `/api/v1/operations/${op}/packages`, {
      handling: { intelligence_only: true, restrictions: ['placeholder restriction'] },
    });
    expect(built.statusCode, built.body).toBe(201);
    expect(built.json().left_out).toEqual([
      { country: 'DE', unchecked: 10, held: 2 },
      { country: 'NL', unchecked: 0, held: 1 },
    ]);
    const packages = built.json().packages as PackageListed[];
    expect(await list()).toEqual(built.json().packages);
    for (const country of ['DE', 'NL']) {
      const mine = packages.filter((p) => p.country === country);
      const expected = Array.from({ length: N }, (_, i) => i)
        .filter((i) => countryOf(i) === country && !HELD.includes(i))
        .map((i) => `t${i}`);
      expect(mine.length, country).toBeGreaterThan(1);
      expect(mine.map((p) => p.prior_uid)).toEqual([null, ...mine.slice(0, -1).map((p) => p.uid)]);
      const payloads = await Promise.all(mine.map(payloadOf));
      const all: PackageTarget[] = payloads.flatMap((p) => p.targets);
      expect(all.map((t) => t.ref)).toEqual(expected);
      expect(payloads.map((p) => p.targets.map((t) => t.ref))).toEqual(parts(all, PART_BYTES).map((run) => run.map((t) => t.ref)));
      for (const [i, p] of payloads.entries()) {
        expect(p.targets.reduce((n, t) => n + Buffer.byteLength(JSON.stringify(t)), 0)).toBeLessThanOrEqual(PART_BYTES);
        expect(p.targets.length).toBe(mine[i].targets);
        expect(p.handling).toEqual(['intelligence only: not to be used as evidence without the sender’s consent', 'placeholder restriction']);
        expect(mine[i].handling).toEqual(p.handling);
      }
    }
  });

  it('a supplement over several pages carries exactly the targets that changed, naming the latest package', async () => {
    const before = await list();
    const lastOf = (c: string) => before.filter((p) => p.country === c).at(-1)!.uid;
    expect((await api.call('POST', `/api/v1/operations/${op}/targets/t1234/release`, { reason: 'spoke to desk-de' })).statusCode).toBe(200);
    expect(await refsHeld('status=held')).toEqual(['t5', 't2400']);
    expect(await refsHeld('status=released')).toEqual(['t1234']);
    // An analyst moves t7 to the Netherlands and confirms t2001's country (the package says an analyst set it: it changed).
    for (const [ref, country] of [
      ['t7', 'NL'],
      ['t2001', 'DE'],
    ])
      expect((await api.call('PUT', `/api/v1/operations/${op}/targets/${ref}/country`, { country, reason: 'placeholder reason' })).statusCode).toBe(200);
    const built = await api.call('POST', `/api/v1/operations/${op}/packages`, {});
    expect(built.statusCode, built.body).toBe(201);
    const supplements = built.json().packages as PackageListed[];
    expect(supplements.map((p) => [p.country, p.prior_uid])).toEqual([
      ['DE', lastOf('DE')],
      ['NL', lastOf('NL')],
    ]);
    const [de, nl] = await Promise.all(supplements.map(payloadOf));
    expect(de.targets.map((t) => [t.ref, t.evidence.country_set_by_analyst])).toEqual([
      ['t1234', false],
      ['t2001', true],
    ]);
    expect(nl.targets.map((t) => [t.ref, t.evidence.country_set_by_analyst])).toEqual([['t7', true]]);
    expect(supplements.map((p) => p.handling)).toEqual([[], []]);
    // Nothing changed since: nothing built.
    expect((await api.call('POST', `/api/v1/operations/${op}/packages`, {})).json().packages).toEqual([]);
  });

  it('migration 0030 copies the handling of packages built before it from their payloads', async () => {
    const db = api.node.store.db;
    const rows = async () =>
      (await db.selectFrom('lead_packages').select(['id', 'payload', 'handling']).orderBy('id').execute()).map((r) => ({
        handling: JSON.parse(r.handling) as string[],
        payload: (JSON.parse(r.payload) as PackagePayload).handling,
      }));
    const kept = await rows();
    expect(kept.some((r) => r.handling.length === 2)).toBe(true);
    // The database as it was before 0030: no handling column, no index by ref.
    await sql`drop index lead_package_targets_ref`.execute(db);
    await sql`alter table lead_packages drop column handling`.execute(db);
    await leadPackageLists(dialect).up(db as never);
    const again = await rows();
    expect(again).toEqual(kept);
    for (const r of again) expect(r.handling).toEqual(r.payload);
  });
});
