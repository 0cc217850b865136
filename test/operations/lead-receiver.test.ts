/**
 * The receiving side of lead packages and the origin's side of status updates, in process on each
 * dialect (the federation between real nodes is test/e2e/lead-packages.test.ts and
 * re-referral.test.ts). A German authority node, bka-de, whose routing table names police-nl for
 * NL: it takes packages for DE and, as a fall-back contact, for a country it has no authority for
 * (FR); one for NL is misrouted and refused, as is any package at a node that is not an authority's;
 * a package without `prior_uid` is refused saying so; copies of one new package posted at once are
 * stored once and every copy gets an answer. As the origin of packages to police-nl it refuses
 * police-nl's own outcomes on a package it declined (and the decline after an outcome), while an
 * outcome relayed from a forward of it stays; a relayed hop that is a peer here must carry the key
 * registered for it. A target too large for any package is refused at import and at build. A package
 * whose sender left out fields the receiver does not need is shown with them empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { loadIdentity, type NodeIdentity } from '../../src/exchange/identity.js';
import { signRequest } from '../../src/exchange/request-signing.js';
import { insertTargets, listInbox, markDeconflicted } from '../../src/store/index.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const dirs: string[] = [];
const identity = (name: string): NodeIdentity => {
  const dir = mkdtempSync(join(tmpdir(), `alliance-recv-${name}-`));
  dirs.push(dir);
  return loadIdentity(dir);
};

const pkg = (from: string, n: number, country: string, extra: Record<string, unknown> = {}) => ({
  type: 'alliance.lead-package',
  uid: `${from}/lead-package/${n}`,
  prior_uid: null,
  from,
  country,
  created_at: '2026-04-01T00:00:00Z',
  operation: {
    uid: `${from}/operation/1`,
    name: 'Operation Inbound',
    legal_basis: 'Placeholder act',
    owner_agency: 'A',
    contact_point: 'desk@a.example',
    starts_at: null,
    ends_at: null,
  },
  handling: [],
  targets: [
    {
      ref: `t${n}`,
      identifiers: { usernames: [`inbound-user-${n}`], emails: [], ips: [], account_country: null, payment_refs: [], device_ids: [] },
      evidence: { confidence: 'high', reasons: [], country_set_by_analyst: false },
      content: [],
    },
  ],
  ...extra,
});

/** A signed federation POST from `from` to the node under test (its own request signature), as another node makes it. */
async function post(api: TestApi, from: string, id: NodeIdentity, path: string, body: unknown) {
  const text = JSON.stringify(body);
  const res = await api.app.inject({
    method: 'POST',
    url: path,
    payload: text,
    headers: { ...signRequest(id, from, api.node.federation.self.name, 'POST', path, text), 'content-type': 'application/json' },
  });
  return { status: res.statusCode, json: res.json() as { code?: string; message?: string; received?: boolean; uid?: string } };
}

async function peer(api: TestApi, name: string, id: NodeIdentity, kind: string, country: string | null): Promise<void> {
  const res = await api.call('POST', '/api/v1/peers', { name, url: 'http://127.0.0.1:9', public_key: id.publicKey, kind, ...(country ? { country } : {}) });
  expect(res.statusCode, res.body).toBe(201);
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(DIALECTS)('lead packages received, and status updates at the origin, on %s', (dialect) => {
  let api: TestApi;
  const keys: Record<string, NodeIdentity> = {};
  const inbox = async () => (await listInbox(api.node.store.db)).map((r) => r.uid);

  beforeAll(async () => {
    api = await startApi(dialect, { memberName: 'bka-de', memberCountry: 'DE', memberKind: 'authority', deconflictionKey: 'ad'.repeat(32) });
    for (const [name, kind, cc] of [
      ['fbi-us', 'authority', 'US'],
      ['police-nl', 'authority', 'NL'],
      ['police-at', 'authority', 'AT'],
      ['hotline-de', 'hotline', 'DE'],
    ] as const) {
      keys[name] = identity(name);
      await peer(api, name, keys[name], kind, cc);
    }
    expect((await api.call('PUT', '/api/v1/routing/NL', { peer: 'police-nl' })).statusCode).toBe(200);
  });
  afterAll(() => api.close());

  it('takes a package for its own country, and for a country it has no authority for (a fall-back contact)', async () => {
    const de = await post(api, 'fbi-us', keys['fbi-us'], '/federation/v1/lead-packages', seal(keys['fbi-us'], pkg('fbi-us', 1, 'DE')));
    expect([de.status, de.json]).toEqual([200, { uid: 'fbi-us/lead-package/1', received: true }]);
    const fr = await post(api, 'fbi-us', keys['fbi-us'], '/federation/v1/lead-packages', seal(keys['fbi-us'], pkg('fbi-us', 2, 'FR')));
    expect([fr.status, fr.json.received]).toEqual([200, true]);
    expect((await inbox()).sort()).toEqual(['fbi-us/lead-package/1', 'fbi-us/lead-package/2']);
  });

  it('refuses a package for a country whose authority its routing table names, and stores nothing', async () => {
    const before = await inbox();
    const nl = await post(api, 'fbi-us', keys['fbi-us'], '/federation/v1/lead-packages', seal(keys['fbi-us'], pkg('fbi-us', 3, 'NL')));
    expect([nl.status, nl.json.code]).toEqual([403, 'LEAD_PACKAGE_MISROUTED']);
    expect(nl.json.message).toMatch(
      /it is for NL, whose receiving authority is police-nl .*this node \(bka-de, DE\) is neither NL's authority nor a fall-back contact for it.*nothing was stored/,
    );
    expect(await inbox()).toEqual(before);
  });

  it('refuses a package without prior_uid, saying what the field must be, and stores nothing', async () => {
    const before = await inbox();
    const { prior_uid: _, ...payload } = pkg('fbi-us', 4, 'DE');
    const res = await post(api, 'fbi-us', keys['fbi-us'], '/federation/v1/lead-packages', seal(keys['fbi-us'], payload));
    expect([res.status, res.json.code]).toEqual([400, 'LEAD_PACKAGE_INVALID']);
    expect(res.json.message).toMatch(/prior_uid is missing: null for the first package of a chain, or the uid of the package it supplements/);
    expect(await inbox()).toEqual(before);
  });

  it('shows a package whose sender left out fields it need not send: empty where missing, wrong types dropped, the signed payload unchanged', async () => {
    const sparse = pkg('fbi-us', 9, 'DE', {
      operation: { uid: 'fbi-us/operation/2', name: 'Operation Sparse', legal_basis: 'Placeholder act', contact_point: 'desk@a.example' },
      handling: ['intelligence only'],
      targets: [
        {
          ref: 't9',
          identifiers: { usernames: ['sparse-user', 3], ips: [{ ip: '193.99.144.80' }, { at: 'x' }] },
          content: [{ hash: 'ab'.repeat(16) }, 'junk'],
        },
      ],
    });
    const res = await post(api, 'fbi-us', keys['fbi-us'], '/federation/v1/lead-packages', seal(keys['fbi-us'], sparse));
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const row = (await listInbox(api.node.store.db)).find((r) => r.uid === 'fbi-us/lead-package/9')!;
    expect(JSON.parse(row.payload)).toEqual(sparse);
    const one = await api.call('GET', `/api/v1/lead-inbox/${row.id}`);
    expect(one.statusCode, one.body).toBe(200);
    const shown = one.json();
    expect(shown.operation).toEqual({
      uid: 'fbi-us/operation/2',
      name: 'Operation Sparse',
      legal_basis: 'Placeholder act',
      owner_agency: '',
      contact_point: 'desk@a.example',
      starts_at: null,
      ends_at: null,
    });
    expect(shown.handling).toEqual(['intelligence only']);
    expect(shown.targets).toEqual([
      {
        ref: 't9',
        identifiers: {
          usernames: ['sparse-user'],
          emails: [],
          ips: [{ ip: '193.99.144.80', at: null }],
          account_country: null,
          payment_refs: [],
          device_ids: [],
        },
        evidence: { confidence: '', reasons: [], country_set_by_analyst: false },
        content: [{ hash: 'ab'.repeat(16), classification: null, series: [] }],
      },
    ]);
    const list = await api.call('GET', '/api/v1/lead-inbox');
    expect(list.statusCode, list.body).toBe(200);
  });

  it('stores a package posted eight times at once once: one copy received, the others answered as the duplicate', async () => {
    const body = seal(keys['fbi-us'], pkg('fbi-us', 5, 'DE'));
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(api, 'fbi-us', keys['fbi-us'], '/federation/v1/lead-packages', body)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.filter((a) => a.json.received === true)).toHaveLength(1);
    expect(answers.filter((a) => a.json.received === false)).toHaveLength(7);
    expect((await inbox()).filter((u) => u === 'fbi-us/lead-package/5')).toHaveLength(1);
    const audited = await api.node.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'lead.receive')
      .where('target', '=', 'fbi-us/lead-package/5')
      .execute();
    expect(audited).toHaveLength(1);
  });

  it('refuses an outcome on a package this node declined (recorded here), and records nothing', async () => {
    const fr = (await listInbox(api.node.store.db)).find((r) => r.uid === 'fbi-us/lead-package/2')!;
    const declined = await api.call('POST', `/api/v1/lead-inbox/${fr.id}/decline`, { reason: 'not ours' });
    expect(declined.json().state, declined.body).toBe('declined');
    const res = await api.call('POST', `/api/v1/lead-inbox/${fr.id}/outcomes`, { target: 't2', outcome: 'arrested' });
    expect([res.statusCode, res.json().code]).toEqual([409, 'LEAD_PACKAGE_DECLINED']);
    expect(res.json().message).toMatch(/was declined: a decline is final, it takes no outcomes; nothing was recorded/);
    expect((await api.call('GET', `/api/v1/lead-inbox/${fr.id}`)).json()).toMatchObject({ state: 'declined', outcomes: {}, updates: { sent: 1 } });
  });

  describe('as the origin of packages', () => {
    const sent: Record<string, string> = {};
    const update = (from: string, uid: string, seq: number, u: Record<string, unknown>) =>
      post(
        api,
        from,
        keys[from],
        '/federation/v1/lead-updates',
        seal(keys[from], { type: 'alliance.lead-update', package_uid: uid, from, to: 'bka-de', seq, at: '2026-04-05T00:00:00Z', ...u }),
      );
    /** An outcome police-nl relays from `hop` (signed by `signer`, carrying its key), on police-nl's forwarded package `fwd`. */
    const relay = (seq: number, hop: string, signer: NodeIdentity, target: string, fwd = 'police-nl/lead-package/7') =>
      update('police-nl', sent.NL, seq, {
        update: 'outcome',
        target,
        outcome: 'identified',
        count: null,
        series: [],
        relayed: {
          from: hop,
          package_uid: fwd,
          seq: 1,
          envelope: seal(signer, {
            type: 'alliance.lead-update',
            package_uid: fwd,
            from: hop,
            to: 'police-nl',
            seq: 1,
            update: 'outcome',
            at: '2026-04-04T00:00:00Z',
            target,
            outcome: 'identified',
            count: null,
          }),
        },
      });
    const view = async (country: string) =>
      (
        (await api.call('GET', `/api/v1/operations/${op}/packages`)).json().packages as Array<{
          country: string;
          updates: number;
          status: string | null;
          outcomes: Record<string, Array<{ outcome: string; via: string[] }>>;
        }>
      ).find((p) => p.country === country)!;
    let op: number;

    beforeAll(async () => {
      expect((await api.call('PUT', '/api/v1/routing/AT', { peer: 'police-at' })).statusCode).toBe(200);
      op = (
        await api.call('POST', '/api/v1/operations', {
          name: 'Operation Outbound',
          legal_basis: 'Placeholder act',
          owner_agency: 'BKA',
          contact_point: 'desk@bka.example',
        })
      ).json().id;
      const targets = [
        ...['n1', 'n2'].map((ref) => ({ ref, username: `out-${ref}`, ip: [{ ip: '145.97.39.155', at: '2026-03-01T10:00:00Z' }] })),
        ...['a1', 'a2'].map((ref) => ({ ref, username: `out-${ref}`, account_country: 'AT' })),
      ];
      expect((await api.call('POST', `/api/v1/operations/${op}/targets`, { targets })).statusCode).toBe(201);
      expect((await api.call('POST', `/api/v1/operations/${op}/deconflict`)).json()).toEqual({ checked: 4, held: 0 });
      expect((await api.call('POST', `/api/v1/operations/${op}/packages`, {})).statusCode).toBe(201);
      for (const p of (await api.call('POST', `/api/v1/operations/${op}/packages/send`, {})).json().packages as Array<{ uid: string; country: string }>)
        sent[p.country] = p.uid;
      expect(Object.keys(sent).sort()).toEqual(['AT', 'NL']);
    });

    it("refuses its receiver's outcome on a package it declined, and changes nothing", async () => {
      expect((await update('police-nl', sent.NL, 1, { update: 'declined', reason: 'not ours' })).status).toBe(200);
      const before = await view('NL');
      const res = await update('police-nl', sent.NL, 2, { update: 'outcome', target: 'n1', outcome: 'arrested', count: null, series: [] });
      expect([res.status, res.json.code]).toEqual([409, 'LEAD_PACKAGE_DECLINED']);
      expect(res.json.message).toMatch(/its receiver declined it \(update 1\): a decline is final.*nothing changed/);
      expect(await view('NL')).toEqual(before);
    });

    it('keeps an outcome relayed from a forward of the declined package (a hop it does not know: checked with the key it carries)', async () => {
      const res = await relay(2, 'police-be', identity('police-be'), 'n2');
      expect([res.status, res.json.received]).toEqual([200, true]);
      const nl = await view('NL');
      expect([nl.status, nl.outcomes.n2.map((o) => [o.outcome, o.via])]).toEqual(['declined', [['identified', ['police-be']]]]);
    });

    it('refuses a relayed hop that is a peer here signed by another key than its registered one, and one of a package not the relayer’s', async () => {
      const before = await view('NL');
      const forged = await relay(3, 'police-at', identity('forger'), 'n1');
      expect([forged.status, forged.json.code]).toEqual([400, 'LEAD_UPDATE_INVALID']);
      expect(forged.json.message).toMatch(/the outcome it relays is not signed by the key registered for police-at/);
      const notTheirs = await relay(3, 'police-at', keys['police-at'], 'n1', 'police-be/lead-package/7');
      expect([notTheirs.status, notTheirs.json.code]).toEqual([400, 'LEAD_UPDATE_INVALID']);
      expect(notTheirs.json.message).toMatch(/names a package \(police-be\/lead-package\/7\) that is not police-nl's/);
      const asMe = await relay(3, 'bka-de', identity('not-bka'), 'n1');
      expect(asMe.json.message).toMatch(/is not signed by this node's key/);
      expect(await view('NL')).toEqual(before);
      // Signed by police-at's registered key, it is taken.
      expect((await relay(3, 'police-at', keys['police-at'], 'n1')).status).toBe(200);
      expect((await view('NL')).outcomes.n1.map((o) => o.via)).toEqual([['police-at']]);
    });

    it('refuses a decline after its receiver reported an outcome on the package, and changes nothing', async () => {
      expect((await update('police-at', sent.AT, 1, { update: 'accepted' })).status).toBe(200);
      expect((await update('police-at', sent.AT, 2, { update: 'outcome', target: 'a1', outcome: 'arrested', count: null, series: [] })).status).toBe(200);
      const before = await view('AT');
      const res = await update('police-at', sent.AT, 3, { update: 'declined', reason: 'changed our mind' });
      expect([res.status, res.json.code]).toEqual([409, 'LEAD_PACKAGE_DECLINED']);
      expect(res.json.message).toMatch(/reported an outcome on it \(update 2\)/);
      expect(await view('AT')).toEqual(before);
    });
  });

  it('refuses a target too large for any package at import, naming it, and imports nothing', async () => {
    const op = (
      await api.call('POST', '/api/v1/operations', {
        name: 'Operation Large',
        legal_basis: 'Placeholder act',
        owner_agency: 'BKA',
        contact_point: 'desk@bka.example',
      })
    ).json().id;
    const big = huge('big1');
    const res = await api.call('POST', `/api/v1/operations/${op}/targets`, { targets: [{ ref: 'small', username: 'small-user' }, big] });
    expect([res.statusCode, res.json().code]).toEqual([422, 'LEAD_TARGET_TOO_LARGE']);
    expect(res.json().message).toMatch(/^line \d+: target "big1" would take [\d,]+ bytes in a lead package, at most 917,504 .*nothing was imported$/);
    expect((await api.call('GET', `/api/v1/operations/${op}/targets`)).json().targets).toEqual([]);
  });

  it('refuses to build a package with such a target (one stored before the check), naming it', async () => {
    const op = (
      await api.call('POST', '/api/v1/operations', {
        name: 'Operation Legacy',
        legal_basis: 'Placeholder act',
        owner_agency: 'BKA',
        contact_point: 'desk@bka.example',
      })
    ).json().id;
    const ids = {
      usernames: huge('x').username,
      emails: [],
      ips: [],
      account_country: 'NL',
      payment_refs: huge('x').payment_ref,
      device_ids: huge('x').device_id,
      hashes: [],
    };
    await insertTargets(api.node.store.db, api.node.store.dialect, op, [
      { ref: 'legacy1', identifiers: JSON.stringify(ids), country: 'NL', confidence: 'medium', reasons: '[]', hashes: 0, matched: '[]' },
    ]);
    const row = await api.node.store.db.selectFrom('operation_targets').select('id').where('operation_id', '=', op).executeTakeFirstOrThrow();
    await markDeconflicted(api.node.store.db, Number(row.id), '[]', false);
    const res = await api.call('POST', `/api/v1/operations/${op}/packages`, {});
    expect([res.statusCode, res.json().code]).toEqual([422, 'LEAD_TARGET_TOO_LARGE']);
    expect(res.json().message).toMatch(/^NL: target "legacy1" would take [\d,]+ bytes in a lead package.*no package was built for NL$/);
    expect((await api.call('GET', `/api/v1/operations/${op}/packages`)).json().packages).toEqual([]);
  });
});

/** A target of 200 usernames, payment refs and device ids of control characters (each 7 bytes once escaped in an envelope): well over 1 MiB in any package. */
function huge(ref: string) {
  const many = (n: number, len: number) => Array.from({ length: 200 }, (_, i) => `${'\u0001'.repeat(len - 5)}${String(i + n).padStart(5, '0')}`);
  return { ref, username: many(0, 500), payment_ref: many(1000, 200), device_id: many(2000, 500) };
}

describe('lead packages at a node that is not an authority’s', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite', { memberName: 'hotline-de', memberCountry: 'DE', memberKind: 'hotline' });
  });
  afterAll(() => api.close());

  it('are refused, whatever their country, and nothing is stored', async () => {
    const us = identity('fbi-us');
    await peer(api, 'fbi-us', us, 'authority', 'US');
    const res = await post(api, 'fbi-us', us, '/federation/v1/lead-packages', seal(us, pkg('fbi-us', 1, 'DE')));
    expect([res.status, res.json.code]).toEqual([403, 'LEAD_PACKAGE_MISROUTED']);
    expect(res.json.message).toMatch(
      /this node \(hotline-de\) is a hotline's, not an authority's: lead packages go to receiving authorities only; nothing was stored/,
    );
    expect(await listInbox(api.node.store.db)).toEqual([]);
  });
});
