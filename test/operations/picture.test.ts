/**
 * An operation's picture (issue 18, point 5) on SQLite and PostgreSQL: targets in Germany (one
 * held by deconfliction), the Netherlands, France, the United States (no receiving authority: its
 * package waits) and one with no country; packages delivered at known times; status updates
 * signed by each receiver's key come back — acknowledged, accepted, declined, outcomes (an arrest
 * reported twice, victims safeguarded revised) and a replayed update that is refused. The picture
 * counts each target once per outcome, gives the medians exactly and "not known" (null) where no
 * update says; the CSV is RFC 4180; the PDF is a PDF whose detached signature verifies with the
 * node's key and fails on a flipped byte.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { loadIdentity, type NodeIdentity, verifySignature } from '../../src/exchange/identity.js';
import { setLeadPackageState } from '../../src/store/index.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const T = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const D = 24 * H;
const DE_SENT = T('2026-03-02T08:00:00Z');
const NL_SENT = T('2026-03-03T12:00:00Z');
const FR_SENT = T('2026-03-04T00:00:00Z');

const targets = [
  ...[1, 2, 3, 4].map((i) => ({ ref: `d${i}`, username: `de-user-${i}`, ip: [{ ip: '193.99.144.80', at: '2026-03-01T10:00:00Z' }] })),
  { ref: 'd5', username: 'held-user', ip: [{ ip: '193.99.144.80', at: '2026-03-01T10:00:00Z' }] },
  ...[1, 2, 3].map((i) => ({ ref: `n${i}`, username: `nl-user-${i}`, ip: [{ ip: '145.97.39.155', at: '2026-03-01T11:00:00Z' }] })),
  ...[1, 2].map((i) => ({ ref: `f${i}`, username: `fr-user-${i}`, ip: [{ ip: '62.210.16.6', at: '2026-03-01T12:00:00Z' }] })),
  { ref: 'u1', username: 'us-user', ip: [{ ip: '8.8.8.8', at: '2026-03-01T12:00:00Z' }] },
  { ref: 'x1', username: 'nowhere-user' },
];

const none = { identified: 0, searched: 0, arrested: 0, charged: 0, convicted: 0, acquitted: 0, no_further_action: 0, victims_safeguarded: 0 };

describe.each(DIALECTS)("an operation's picture on %s", (dialect) => {
  let api: TestApi;
  let op: number;
  const dirs: string[] = [];
  const keys: Record<string, NodeIdentity> = {};
  const uidOf: Record<string, string> = {};
  const seqs: Record<string, number> = {};

  /** A status update as `peer` signs it, on its country's package (the next sequence number unless given). */
  const update = (peer: string, country: string, u: Record<string, unknown>, at: number, seq?: number) => {
    const s = seq ?? (seqs[country] = (seqs[country] ?? 0) + 1);
    const env = seal(keys[peer], {
      type: 'alliance.lead-update',
      package_uid: uidOf[country],
      from: peer,
      to: api.node.federation.self.name,
      seq: s,
      at: new Date(at).toISOString(),
      ...u,
    });
    return api.node.leads.receiveUpdate(peer, env);
  };

  beforeAll(async () => {
    api = await startApi(dialect, { deconflictionKey: 'ab'.repeat(32) });
    for (const [name, cc] of [
      ['bka-de', 'DE'],
      ['police-nl', 'NL'],
      ['police-fr', 'FR'],
    ]) {
      const dir = mkdtempSync(join(tmpdir(), `alliance-picture-${name}-`));
      dirs.push(dir);
      keys[name] = loadIdentity(dir);
      const res = await api.call('POST', '/api/v1/peers', {
        name,
        url: 'http://127.0.0.1:9',
        public_key: keys[name].publicKey,
        kind: 'authority',
        country: cc,
      });
      expect(res.statusCode, res.body).toBe(201);
      expect((await api.call('PUT', `/api/v1/routing/${cc}`, { peer: name })).statusCode).toBe(200);
    }
    const admin = await api.node.operator();
    const other = await api.node.deconfliction.openCase(admin, { reference: 'DE-2026-7', contact_point: 'desk-de@police.example' });
    await api.node.deconfliction.addTargets(admin, other.id, [{ kind: 'username', value: 'held-user' }]);
    op = (
      await api.call('POST', '/api/v1/operations', {
        name: 'Operation Picture',
        legal_basis: 'Placeholder act §2',
        owner_agency: 'Agency US',
        contact_point: 'desk@us.example',
      })
    ).json().id;
    expect((await api.call('POST', `/api/v1/operations/${op}/targets`, { targets })).statusCode).toBe(201);
    expect((await api.call('POST', `/api/v1/operations/${op}/deconflict`)).json()).toEqual({ checked: 12, held: 1 });
    expect((await api.call('POST', `/api/v1/operations/${op}/packages`, {})).statusCode).toBe(201);
    const sent = (await api.call('POST', `/api/v1/operations/${op}/packages/send`, {})).json().packages as Array<{
      id: number;
      uid: string;
      country: string;
      state: string;
    }>;
    expect(sent.map((p) => [p.country, p.state])).toEqual([
      ['DE', 'queued'],
      ['FR', 'queued'],
      ['NL', 'queued'],
      ['US', 'waiting'],
    ]);
    // Delivered at known times (the delivery job is the e2e test's).
    for (const p of sent) {
      uidOf[p.country] = p.uid;
      const at = { DE: DE_SENT, NL: NL_SENT, FR: FR_SENT }[p.country];
      if (at) await setLeadPackageState(api.node.store.db, p.id, { state: 'delivered', delivered_at: at });
    }
  });
  afterAll(async () => {
    await api.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('before any answer: referred, nothing acknowledged, every time "not known"', async () => {
    const p = (await api.call('GET', `/api/v1/operations/${op}/picture`)).json();
    expect(p.totals).toMatchObject({
      targets: 12,
      held: 1,
      referred: 9,
      acknowledged: 0,
      outcomes: none,
      median_hours_to_acknowledge: null,
      median_days_to_first_action: null,
    });
  });

  it('counts targets once per outcome, medians from referral, and refuses a replay', async () => {
    await update('bka-de', 'DE', { update: 'acknowledged' }, DE_SENT + 2 * H);
    await update('bka-de', 'DE', { update: 'accepted' }, DE_SENT + 5 * H);
    await update('bka-de', 'DE', { update: 'outcome', target: 'd1', outcome: 'arrested', count: null, series: [] }, DE_SENT + 1 * D);
    await update('bka-de', 'DE', { update: 'outcome', target: 'd1', outcome: 'charged', count: null, series: [] }, DE_SENT + 3 * D);
    await update('bka-de', 'DE', { update: 'outcome', target: 'd2', outcome: 'arrested', count: null, series: [] }, DE_SENT + 2 * D);
    // The same arrest reported again: d1 is still one arrested target.
    await update('bka-de', 'DE', { update: 'outcome', target: 'd1', outcome: 'arrested', count: null, series: [] }, DE_SENT + 4 * D);
    await update('bka-de', 'DE', { update: 'outcome', target: 'd2', outcome: 'victims_safeguarded', count: 2, series: [] }, DE_SENT + 2 * D);
    await update('bka-de', 'DE', { update: 'outcome', target: 'd2', outcome: 'victims_safeguarded', count: 3, series: [] }, DE_SENT + 5 * D);
    // A replay of update 3 (the same sequence number) is refused and counts nothing.
    await expect(
      update('bka-de', 'DE', { update: 'outcome', target: 'd1', outcome: 'arrested', count: null, series: [] }, DE_SENT + 1 * D, 3),
    ).rejects.toMatchObject({
      code: 'LEAD_UPDATE_REPLAYED',
    });
    await expect(update('bka-de', 'DE', { update: 'outcome', target: 'd2', outcome: 'convicted', count: null, series: [] }, DE_SENT, 5)).rejects.toMatchObject({
      code: 'LEAD_UPDATE_REPLAYED',
    });
    await update('police-nl', 'NL', { update: 'acknowledged' }, NL_SENT + 30 * H);
    await update('police-nl', 'NL', { update: 'declined', reason: 'out of jurisdiction' }, NL_SENT + 31 * H);

    const res = await api.call('GET', `/api/v1/operations/${op}/picture`);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p.operation_id).toBe(op);
    expect(Date.parse(p.generated_at)).not.toBeNaN();
    const byCountry = Object.fromEntries(p.countries.map((l: { country: string | null }) => [l.country ?? 'none', l]));
    expect(p.countries.map((l: { country: string | null }) => l.country)).toEqual(['DE', 'FR', 'NL', 'US', null]);
    expect(byCountry.DE).toEqual({
      country: 'DE',
      authority: 'bka-de',
      targets: 5,
      held: 1,
      referred: 4,
      acknowledged: 4,
      accepted: 4,
      declined: 0,
      outcomes: { ...none, arrested: 2, charged: 1, victims_safeguarded: 1 },
      victims_safeguarded: 3,
      median_hours_to_acknowledge: 2,
      median_days_to_first_action: 1.5,
      median_days_to_charge: 3,
    });
    expect(byCountry.NL).toEqual({
      country: 'NL',
      authority: 'police-nl',
      targets: 3,
      held: 0,
      referred: 3,
      acknowledged: 3,
      accepted: 0,
      declined: 3,
      outcomes: none,
      victims_safeguarded: 0,
      median_hours_to_acknowledge: 30,
      median_days_to_first_action: null,
      median_days_to_charge: null,
    });
    expect(byCountry.FR).toMatchObject({ authority: 'police-fr', targets: 2, referred: 2, acknowledged: 0, accepted: 0, median_hours_to_acknowledge: null });
    // The US package waits (no authority, no fall-back): not referred; the target with no country is not either.
    expect(byCountry.US).toMatchObject({ authority: null, targets: 1, referred: 0, median_hours_to_acknowledge: null });
    expect(byCountry.none).toMatchObject({ authority: null, targets: 1, held: 0, referred: 0 });
    expect(p.totals).toEqual({
      country: null,
      authority: null,
      targets: 12,
      held: 1,
      referred: 9,
      acknowledged: 7,
      accepted: 4,
      declined: 3,
      outcomes: { ...none, arrested: 2, charged: 1, victims_safeguarded: 1 },
      victims_safeguarded: 3,
      median_hours_to_acknowledge: 2, // [2, 2, 2, 2, 30, 30, 30]
      median_days_to_first_action: 1.5,
      median_days_to_charge: 3,
    });
    expect(p.timeline).toEqual([
      { date: '2026-03-02', referred: 4, acknowledged: 4, accepted: 4, first_actions: 0, charged: 0 },
      { date: '2026-03-03', referred: 3, acknowledged: 0, accepted: 0, first_actions: 1, charged: 0 },
      { date: '2026-03-04', referred: 2, acknowledged: 3, accepted: 0, first_actions: 1, charged: 0 },
      { date: '2026-03-05', referred: 0, acknowledged: 0, accepted: 0, first_actions: 0, charged: 1 },
    ]);
  });

  it('exports CSV (RFC 4180): a header, a row per country, the totals; unknown times empty', async () => {
    const res = await api.call('GET', `/api/v1/operations/${op}/picture.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = res.body.split('\r\n');
    expect(rows.at(-1)).toBe('');
    expect(rows.slice(0, -1)).toEqual([
      'country,authority,targets,held,referred,acknowledged,accepted,declined,identified,searched,arrested,charged,convicted,acquitted,no_further_action,targets_with_victims_safeguarded,victims_safeguarded,median_hours_to_acknowledge,median_days_to_first_action,median_days_to_charge',
      'DE,bka-de,5,1,4,4,4,0,0,0,2,1,0,0,0,1,3,2,1.5,3',
      'FR,police-fr,2,0,2,0,0,0,0,0,0,0,0,0,0,0,0,,,',
      'NL,police-nl,3,0,3,3,0,3,0,0,0,0,0,0,0,0,0,30,,',
      'US,,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,',
      'none,,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,',
      'total,,12,1,9,7,4,3,0,0,2,1,0,0,0,1,3,2,1.5,3',
    ]);
  });

  it('exports a PDF signed with the node key: the signature verifies, and fails on a flipped byte', async () => {
    const res = await api.call('GET', `/api/v1/operations/${op}/picture.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(pdf.subarray(-6).toString('latin1')).toBe('%%EOF\n');
    // Every object is where the cross-reference table says.
    const text = pdf.toString('latin1');
    const xref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
    expect(text.slice(xref, xref + 4)).toBe('xref');
    const entries = [...text.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(entries.length).toBeGreaterThan(5);
    entries.forEach((off, i) => expect(text.slice(off, off + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    expect(text).toContain('(DE       bka-de');
    expect(text).toContain('not known');

    const key = api.node.federation.identity.publicKey;
    expect(res.headers['x-alliance-key']).toBe(key);
    const sig = (await api.call('GET', `/api/v1/operations/${op}/picture.pdf.sig`)).json();
    expect(sig).toMatchObject({ algorithm: 'ed25519', key, signed_by: api.node.federation.self.name });
    expect(sig.signature).toBe(res.headers['x-alliance-signature']); // the same figures, the same bytes
    expect(verifySignature(key, pdf, sig.signature)).toBe(true);
    const verify = (data: Buffer) => api.call('POST', '/api/v1/operation-pictures/verify', { pdf: data.toString('base64'), signature: sig.signature, key });
    const ok = await verify(pdf);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ valid: true, signer: api.node.federation.self.name });
    const flipped = Buffer.from(pdf);
    flipped[200] ^= 0x01;
    expect(verifySignature(key, flipped, sig.signature)).toBe(false);
    expect((await verify(flipped)).json()).toMatchObject({ valid: false });
  });

  it('refuses an unknown operation and a caller without the cases permission', async () => {
    expect((await api.call('GET', '/api/v1/operations/9999/picture')).json().code).toBe('OPERATION_NOT_FOUND');
    const matcher = await api.tokenFor('matcher');
    expect((await api.call('GET', `/api/v1/operations/${op}/picture`, undefined, matcher)).statusCode).toBe(403);
  });
});
