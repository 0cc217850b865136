/**
 * Joint operations, points 3 and 4 (issue 18): a US authority node (real `alliance serve`
 * processes on 127.0.0.1; the Dutch one on PostgreSQL) opens an operation, imports generated
 * targets whose IP addresses the offline database places in Germany and the Netherlands (and one
 * whose account says France, which has no receiving authority), checks them against
 * deconfliction, builds a signed lead package per country and sends them over the federation
 * link. The German authority finds its package in its inbox, acknowledges, accepts, records an
 * arrest, a charge and victims safeguarded; the US node shows those outcomes per target exactly.
 * Hostile input is refused and changes nothing: a package from an unknown sender or a
 * non-authority, a replayed or forged status update, an outcome for a target not in the package. A
 * package routed to the German node for the Netherlands, whose authority it knows, is refused there
 * naming it, and reaches the Dutch authority once the US node routes it right and sends it again.
 * No identifier of a Dutch target reaches the German node's database file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { loadIdentity } from '../../src/exchange/identity.js';
import { signRequest } from '../../src/exchange/request-signing.js';
import { runCli } from '../support/cli.js';
import { freshPgDatabase } from '../support/dialects.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const KEY = 'c0ffee'.repeat(11);
const MD5 = 'cd'.repeat(16);
const dirs: string[] = [];
type Node = ServerProcess & {
  name: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  call: (method: string, path: string, body?: unknown) => ReturnType<typeof http>;
};

async function node(name: string, country: string, kind = 'authority', extra: NodeJS.ProcessEnv = {}): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-leads-${name}-`));
  dirs.push(dir);
  const env = {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: kind,
    ALLIANCE_MEMBER_COUNTRY: country,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ALLIANCE_DECONFLICTION_KEY: KEY,
    ...extra,
  };
  const s = await startServer([], env);
  return Object.assign(s, { name, dir, env, call: (method: string, path: string, body?: unknown) => http(`${s.url}${path}`, s.token, method, body) });
}

/** The same node again after a SIGKILL: its data directory, database and port (its peers know it there), its token. */
async function restart(n: Node): Promise<Node> {
  await n.stop('SIGKILL');
  const s = await startServer([], { ...n.env, ALLIANCE_PORT: new URL(n.url).port });
  const token = n.token;
  return Object.assign(s, {
    token,
    name: n.name,
    dir: n.dir,
    env: n.env,
    call: (method: string, path: string, body?: unknown) => http(`${s.url}${path}`, token, method, body),
  });
}

async function link(a: Node, b: Node): Promise<void> {
  const id = (await b.call('GET', '/api/v1/identity')).json;
  const res = await a.call('POST', '/api/v1/peers', { name: id.member, url: b.url, public_key: id.public_key, country: id.country, kind: id.kind });
  expect(res.status, res.text).toBe(201);
}

/** A signed federation request as `from` (its own key), with a body of our choosing. */
async function asPeer(from: Node, to: Node, path: string, body: unknown) {
  const text = JSON.stringify(body);
  const res = await fetch(`${to.url}${path}`, {
    method: 'POST',
    headers: { ...signRequest(loadIdentity(from.dir), from.name, to.name, 'POST', path, text), 'content-type': 'application/json' },
    body: text,
  });
  return { status: res.status, json: (await res.json()) as { code?: string; message?: string } };
}

// Generated targets: four in Germany, three in the Netherlands, one whose account says France.
const DE = ['de1', 'de2', 'de3', 'de4'];
const NL = ['nl1', 'nl2', 'nl3'];
const targets = [
  ...DE.map((ref, i) => ({
    ref,
    username: `de-board-user-${i}`,
    email: `de-user-${i}@mail.example.de`,
    ip: [{ ip: '193.99.144.80', at: `2026-03-0${i + 1}T10:00:00Z` }],
    hashes: i === 0 ? [`md5:${MD5}`] : [],
  })),
  ...NL.map((ref, i) => ({
    ref,
    username: `nl-only-user-${i}`,
    email: `nl-only-${i}@mail.example.nl`,
    ip: [{ ip: '145.97.39.155', at: '2026-03-01T11:00:00Z' }],
  })),
  { ref: 'fr1', username: 'fr-account-user', account_country: 'FR' },
];

describe('lead packages between authority nodes', () => {
  let US: Node;
  let DEn: Node;
  let NLn: Node;
  let HOT: Node; // a hotline: a registered peer, not an authority
  let op: number;

  beforeAll(async () => {
    [US, DEn, NLn, HOT] = await Promise.all([
      node('fbi-us', 'US'),
      node('bka-de', 'DE'),
      node('police-nl', 'NL', 'authority', { ALLIANCE_DATABASE_URL: await freshPgDatabase() }),
      node('hotline-de', 'DE', 'hotline'),
    ]);
    for (const [a, b] of [
      [US, DEn],
      [DEn, US],
      [US, NLn],
      [NLn, US],
      [DEn, HOT],
    ] as const)
      await link(a, b);
    expect((await US.call('PUT', '/api/v1/routing/DE', { peer: 'bka-de' })).status).toBe(200);
    expect((await US.call('PUT', '/api/v1/routing/NL', { peer: 'police-nl' })).status).toBe(200);
    await US.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    await US.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'md5', value: MD5 }], classification: 'industry:A1' });
  });

  afterAll(async () => {
    await Promise.all([US, DEn, NLn, HOT].filter(Boolean).map((n) => n.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('the US node builds a signed package per country, without the restricted notes, and sends them', async () => {
    const opened = await US.call('POST', '/api/v1/operations', {
      name: 'Operation Placeholder',
      legal_basis: 'Placeholder act §1',
      owner_agency: 'Agency US',
      contact_point: 'desk@agency.example',
      notes: 'RESTRICTED-NOTE-never-sent',
    });
    expect(opened.status, opened.text).toBe(201);
    op = opened.json.id;
    expect((await US.call('POST', `/api/v1/operations/${op}/targets`, { targets })).status).toBe(201);
    // Not checked against deconfliction yet: nothing to package.
    const early = (await US.call('POST', `/api/v1/operations/${op}/packages`, {})).json;
    expect(early.packages).toEqual([]);
    expect(early.left_out).toEqual(
      expect.arrayContaining([
        { country: 'DE', unchecked: 4, held: 0 },
        { country: 'NL', unchecked: 3, held: 0 },
      ]),
    );
    expect((await US.call('POST', `/api/v1/operations/${op}/deconflict`)).json).toEqual({ checked: 8, held: 0 });
    const built = await US.call('POST', `/api/v1/operations/${op}/packages`, { handling: { no_contact_before: '2026-06-01', intelligence_only: true } });
    expect(built.status, built.text).toBe(201);
    const byCountry = Object.fromEntries(built.json.packages.map((p: { country: string }) => [p.country, p]));
    expect(Object.keys(byCountry).sort()).toEqual(['DE', 'FR', 'NL']);
    expect([byCountry.DE.peer, byCountry.DE.state, byCountry.DE.targets]).toEqual(['bka-de', 'built', 4]);
    expect([byCountry.NL.peer, byCountry.NL.state, byCountry.NL.targets]).toEqual(['police-nl', 'built', 3]);
    expect([byCountry.FR.peer, byCountry.FR.state]).toEqual([null, 'waiting']);
    expect(byCountry.FR.explanation).toMatch(/no receiving authority registered for FR and no fall-back/);
    expect(byCountry.DE.handling).toEqual(['no direct contact with the target before 2026-06-01', expect.stringMatching(/^intelligence only/)]);
    const env = (await US.call('GET', `/api/v1/operations/${op}/packages/${byCountry.DE.id}/envelope`)).json;
    expect(env.payload).not.toContain('RESTRICTED-NOTE');
    expect(env.payload).not.toContain('nl-only');
    // Building again: nothing changed, nothing new.
    expect((await US.call('POST', `/api/v1/operations/${op}/packages`, {})).json.packages).toEqual([]);

    const sent = (await US.call('POST', `/api/v1/operations/${op}/packages/send`, {})).json.packages;
    expect(sent.map((p: { country: string; state: string }) => [p.country, p.state]).sort()).toEqual([
      ['DE', 'queued'],
      ['FR', 'waiting'],
      ['NL', 'queued'],
    ]);
    const delivered = await until(async () => {
      const ps = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages;
      return ps.filter((p: { state: string }) => p.state === 'delivered').length === 2 ? ps : undefined;
    }, 'both packages delivered');
    const de = delivered.find((p: { country: string }) => p.country === 'DE');
    expect(de.receipt).toMatchObject({ uid: de.uid, received: true });
    expect(de.status).toBe('received');
    // Sent packages are immutable: sending one again is refused.
    const again = await US.call('POST', `/api/v1/operations/${op}/packages/send`, { package: de.id });
    expect([again.status, again.json.code]).toEqual([400, 'LEAD_INVALID']);
  });

  it('the German authority finds its package, acknowledges, accepts and records outcomes; the US node shows them per target', async () => {
    const inbox = (await DEn.call('GET', '/api/v1/lead-inbox')).json.packages;
    expect(inbox).toHaveLength(1);
    const pkg = inbox[0];
    expect(pkg).toMatchObject({
      from: 'fbi-us',
      country: 'DE',
      state: 'received',
      operation: { name: 'Operation Placeholder', legal_basis: 'Placeholder act §1' },
    });
    expect(pkg.targets.map((t: { ref: string }) => t.ref)).toEqual(DE);
    expect(pkg.targets[0].content).toEqual([{ hash: `md5:${MD5}`, classification: 'industry:A1', series: [] }]);
    expect(pkg.targets[0].evidence.reasons[0]).toMatchObject({ basis: 'ip', country: 'DE' });
    expect((await NLn.call('GET', '/api/v1/lead-inbox')).json.packages[0].targets.map((t: { ref: string }) => t.ref)).toEqual(NL);

    const step = (path: string, body?: unknown) => DEn.call('POST', `/api/v1/lead-inbox/${pkg.id}/${path}`, body);
    // Outcomes wait for acceptance; a target not in the package is refused locally.
    expect((await step('outcomes', { target: 'de1', outcome: 'arrested' })).json.code).toBe('LEAD_INVALID');
    expect((await step('acknowledge')).json.state).toBe('acknowledged');
    expect((await step('accept')).json.state).toBe('accepted');
    expect((await step('assign', { assignee: 'LKA unit 7' })).json.assignee).toBe('LKA unit 7');
    const notIn = await step('outcomes', { target: 'nl1', outcome: 'arrested' });
    expect([notIn.status, notIn.json.code]).toEqual([400, 'LEAD_INVALID']);
    expect((await step('outcomes', { target: 'de1', outcome: 'arrested', at: '2026-04-01T06:00:00Z' })).status).toBe(200);
    expect((await step('outcomes', { target: 'de1', outcome: 'charged', at: '2026-04-03T09:00:00Z' })).status).toBe(200);
    expect((await step('outcomes', { target: 'de2', outcome: 'victims_safeguarded', count: 3, at: '2026-04-02T12:00:00Z' })).status).toBe(200);
    expect((await step('outcomes', { target: 'de3', outcome: 'victims_safeguarded' })).json.code).toBe('LEAD_INVALID'); // a count is needed

    const de = await until(async () => {
      const p = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { country: string }) => x.country === 'DE');
      return p.updates === 6 ? p : undefined;
    }, 'six status updates at the US node');
    expect([de.status, de.assignee, de.accepted_at === null, de.acknowledged_at === null]).toEqual(['accepted', 'LKA unit 7', false, false]);
    const strip = (o: Record<string, Array<{ outcome: string; count: number | null; at: string }>>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.map((x) => [x.outcome, x.count, x.at])]));
    expect(strip(de.outcomes)).toEqual({
      de1: [
        ['arrested', null, '2026-04-01T06:00:00.000Z'],
        ['charged', null, '2026-04-03T09:00:00.000Z'],
      ],
      de2: [['victims_safeguarded', 3, '2026-04-02T12:00:00.000Z']],
    });
    expect((await DEn.call('GET', `/api/v1/lead-inbox/${pkg.id}`)).json.updates).toEqual({ sent: 6, delivered: 6 });
  });

  it('hostile status updates are refused and change nothing', async () => {
    const before = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { country: string }) => x.country === 'DE');
    const de = loadIdentity(DEn.dir);
    const base = { type: 'alliance.lead-update', package_uid: before.uid, from: 'bka-de', to: 'fbi-us', at: '2026-04-05T00:00:00Z' };
    // A replay: an update the US node has (seq 4, the first outcome), signed again and sent again.
    const replay = await asPeer(DEn, US, '/federation/v1/lead-updates', seal(de, { ...base, seq: 4, update: 'outcome', target: 'de1', outcome: 'arrested' }));
    expect([replay.status, replay.json.code]).toEqual([409, 'LEAD_UPDATE_REPLAYED']);
    // An outcome for a target not in the package (a Dutch one).
    const notIn = await asPeer(DEn, US, '/federation/v1/lead-updates', seal(de, { ...base, seq: 7, update: 'outcome', target: 'nl1', outcome: 'convicted' }));
    expect([notIn.status, notIn.json.code]).toEqual([400, 'LEAD_UPDATE_INVALID']);
    expect(notIn.json.message).toMatch(/target "nl1" is not in lead package/);
    // Forged: signed by another key than bka-de's (the request is genuine, the update is not).
    const forger = loadIdentity(mkdtempSync(join(tmpdir(), 'alliance-leads-forger-')));
    const forged = await asPeer(
      DEn,
      US,
      '/federation/v1/lead-updates',
      seal(forger, { ...base, seq: 7, update: 'outcome', target: 'de3', outcome: 'convicted' }),
    );
    expect([forged.status, forged.json.code]).toEqual([400, 'LEAD_UPDATE_INVALID']);
    // About a package not sent to the sender: the Dutch node claims an update on the German package.
    const other = await asPeer(
      NLn,
      US,
      '/federation/v1/lead-updates',
      seal(loadIdentity(NLn.dir), { ...base, from: 'police-nl', seq: 7, update: 'outcome', target: 'de3', outcome: 'convicted' }),
    );
    expect([other.status, other.json.code]).toEqual([400, 'LEAD_UPDATE_INVALID']);
    const after = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { country: string }) => x.country === 'DE');
    expect([after.updates, after.outcomes]).toEqual([before.updates, before.outcomes]);
  });

  it('a package from an unknown sender or a non-authority is refused, and nothing is stored', async () => {
    const count = async () => (await DEn.call('GET', '/api/v1/lead-inbox')).json.packages.length;
    const n = await count();
    const payload = {
      type: 'alliance.lead-package',
      uid: 'hotline-de/lead-package/1',
      prior_uid: null,
      from: 'hotline-de',
      country: 'DE',
      created_at: '2026-04-01T00:00:00Z',
      operation: { uid: 'x', name: 'Fake', legal_basis: 'none', owner_agency: 'x', contact_point: 'x', starts_at: null, ends_at: null },
      handling: [],
      targets: [{ ref: 't1', identifiers: {}, evidence: {}, content: [] }],
    };
    const fromHotline = await asPeer(HOT, DEn, '/federation/v1/lead-packages', seal(loadIdentity(HOT.dir), payload));
    expect([fromHotline.status, fromHotline.json.code]).toEqual([403, 'LEAD_PACKAGE_REFUSED']);
    // An unknown node (not a registered peer) is refused before its body is read.
    const strangerDir = mkdtempSync(join(tmpdir(), 'alliance-leads-stranger-'));
    dirs.push(strangerDir);
    const text = JSON.stringify(seal(loadIdentity(strangerDir), { ...payload, from: 'stranger', uid: 'stranger/lead-package/1' }));
    const res = await fetch(`${DEn.url}/federation/v1/lead-packages`, {
      method: 'POST',
      headers: {
        ...signRequest(loadIdentity(strangerDir), 'stranger', 'bka-de', 'POST', '/federation/v1/lead-packages', text),
        'content-type': 'application/json',
      },
      body: text,
    });
    expect(res.status).toBe(401);
    // The US node's own key, but an altered payload: the signature does not verify.
    const us = seal(loadIdentity(US.dir), { ...payload, from: 'fbi-us', uid: 'fbi-us/lead-package/99' });
    const altered = await asPeer(US, DEn, '/federation/v1/lead-packages', { ...us, payload: us.payload.replace('Fake', 'Faked') });
    expect([altered.status, altered.json.code]).toEqual([400, 'LEAD_PACKAGE_INVALID']);
    expect(await count()).toBe(n);
  });

  it('a correction goes as a supplement with the changed target only (the CLI)', async () => {
    const first = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { country: string }) => x.country === 'DE');
    expect((await US.call('PUT', `/api/v1/operations/${op}/targets/de4/country`, { country: 'DE', reason: 'confirmed by the registry' })).status).toBe(200);
    const built = await runCli(['operation', 'package', String(op), '--country', 'DE', '--contact-from', '2026-06-01'], { env: US.env });
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(new RegExp(`\\tDE\\t1 targets\\tbuilt → bka-de\\t-\\t0 outcomes\\tsupplements ${first.uid}`));
    const sent = await runCli(['operation', 'send', String(op)], { env: US.env });
    expect(sent.stdout).toMatch(/\tqueued → bka-de/);
    const supplement = await until(async () => {
      const ps = (await DEn.call('GET', '/api/v1/lead-inbox')).json.packages;
      return ps.length === 2 ? ps[0] : undefined;
    }, 'the supplement in the German inbox');
    expect([supplement.prior_uid, supplement.targets.map((t: { ref: string }) => t.ref), supplement.targets[0].evidence.country_set_by_analyst]).toEqual([
      first.uid,
      ['de4'],
      true,
    ]);
    const inbox = await runCli(['operation', 'inbox'], { env: DEn.env });
    expect(
      inbox.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t').slice(2).join(' ')),
    ).toEqual(['from fbi-us Operation Placeholder 1 targets received', 'from fbi-us Operation Placeholder 4 targets accepted assigned to LKA unit 7']);
  });

  it('a receiver killed during delivery, and a sender killed while an outcome comes back: nothing lost, nothing twice', async () => {
    // The Dutch node is down when its supplement goes: the delivery fails, is retried, arrives once.
    expect((await US.call('PUT', `/api/v1/operations/${op}/targets/nl3/country`, { country: 'NL', reason: 'confirmed by the registry' })).status).toBe(200);
    await NLn.stop('SIGKILL');
    const [supplement] = (await US.call('POST', `/api/v1/operations/${op}/packages`, { countries: ['NL'] })).json.packages;
    expect((await US.call('POST', `/api/v1/operations/${op}/packages/send`, { package: supplement.id })).json.packages[0].state).toBe('queued');
    const failed = await until(async () => {
      const p = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { id: number }) => x.id === supplement.id);
      return p.attempts >= 1 ? p : undefined;
    }, 'a failed attempt');
    expect([failed.state, failed.last_error === null]).toEqual(['queued', false]);
    // While its delivery is retried, sending it again is refused (it says how the delivery stands).
    const twice = await US.call('POST', `/api/v1/operations/${op}/packages/send`, { package: supplement.id });
    expect([twice.status, twice.json.code]).toEqual([400, 'LEAD_INVALID']);
    expect(twice.json.message).toMatch(/is being delivered to police-nl \(attempt \d+; last error: /);
    NLn = await restart(NLn);
    await until(
      async () =>
        (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { id: number }) => x.id === supplement.id).state === 'delivered'
          ? true
          : undefined,
      'the supplement delivered after the restart',
      600,
    );
    const nl = (await NLn.call('GET', '/api/v1/lead-inbox')).json.packages;
    expect(nl.map((p: { uid: string; targets: unknown[] }) => [p.uid, p.targets.length])).toEqual([
      [supplement.uid, 1],
      [supplement.prior_uid, 3],
    ]);

    // The US node is down when the German authority records a conviction: the update waits, arrives once.
    const de = (await DEn.call('GET', '/api/v1/lead-inbox')).json.packages.find((p: { targets: unknown[] }) => p.targets.length === 4);
    await US.stop('SIGKILL');
    expect((await DEn.call('POST', `/api/v1/lead-inbox/${de.id}/outcomes`, { target: 'de1', outcome: 'convicted', at: '2026-05-01T10:00:00Z' })).status).toBe(
      200,
    );
    expect((await DEn.call('GET', `/api/v1/lead-inbox/${de.id}`)).json.updates).toEqual({ sent: 7, delivered: 6 });
    US = await restart(US);
    await until(
      async () => ((await DEn.call('GET', `/api/v1/lead-inbox/${de.id}`)).json.updates.delivered === 7 ? true : undefined),
      'the update delivered',
      600,
    );
    const shown = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { uid: string }) => x.uid === de.uid);
    expect([shown.updates, shown.outcomes.de1.map((o: { outcome: string }) => o.outcome)]).toEqual([7, ['arrested', 'charged', 'convicted']]);
  });

  it('a package sent to an authority that knows the country’s own is refused there, names it, and goes there once routed', async () => {
    // The German node knows the Dutch authority; the US node routes NL to it by mistake.
    await link(DEn, NLn);
    expect((await DEn.call('PUT', '/api/v1/routing/NL', { peer: 'police-nl' })).status).toBe(200);
    expect((await US.call('PUT', '/api/v1/routing/NL', { peer: 'bka-de' })).status).toBe(200);
    const germanInbox = (await DEn.call('GET', '/api/v1/lead-inbox')).json.packages.length;
    expect((await US.call('PUT', `/api/v1/operations/${op}/targets/nl2/country`, { country: 'NL', reason: 'confirmed by the registry' })).status).toBe(200);
    const [pkg] = (await US.call('POST', `/api/v1/operations/${op}/packages`, { countries: ['NL'] })).json.packages;
    expect((await US.call('POST', `/api/v1/operations/${op}/packages/send`, { package: pkg.id })).json.packages[0].peer).toBe('bka-de');
    const refused = await until(async () => {
      const p = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { id: number }) => x.id === pkg.id);
      return p.last_error ? p : undefined;
    }, 'the refusal');
    expect(refused.state).toBe('queued');
    expect(refused.last_error).toMatch(/refused: LEAD_PACKAGE_MISROUTED: .*it is for NL, whose receiving authority is police-nl .*send it to police-nl/);
    expect((await DEn.call('GET', '/api/v1/lead-inbox')).json.packages.length).toBe(germanInbox);
    // Routed right and sent again: the same signed package goes to police-nl.
    expect((await US.call('PUT', '/api/v1/routing/NL', { peer: 'police-nl' })).status).toBe(200);
    const again = await until(async () => {
      const res = await US.call('POST', `/api/v1/operations/${op}/packages/send`, { package: pkg.id });
      return res.status === 200 ? res.json.packages[0] : undefined; // refused while the failed delivery's job is still open
    }, 'queued again');
    expect([again.state, again.peer]).toEqual(['queued', 'police-nl']);
    const got = await until(
      async () => (await NLn.call('GET', '/api/v1/lead-inbox')).json.packages.find((p: { uid: string }) => p.uid === pkg.uid),
      'at the Dutch authority',
    );
    expect(got.targets.map((t: { ref: string }) => t.ref)).toEqual(['nl2']);
  });

  it('a waiting package goes to the fall-back contact once the node has one', async () => {
    US.env.ALLIANCE_REPORT_FALLBACK_PEER = 'police-nl';
    US = await restart(US);
    const fr = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages.find((x: { country: string }) => x.country === 'FR');
    expect(fr.state).toBe('waiting');
    const [sent] = (await US.call('POST', `/api/v1/operations/${op}/packages/send`, {})).json.packages;
    expect([sent.uid, sent.state, sent.peer]).toEqual([fr.uid, 'queued', 'police-nl']);
    const got = await until(
      async () => (await NLn.call('GET', '/api/v1/lead-inbox')).json.packages.find((p: { uid: string }) => p.uid === fr.uid),
      'at the fall-back',
    );
    expect([got.country, got.targets.map((t: { ref: string }) => t.ref)]).toEqual(['FR', ['fr1']]);
  });

  it('no identifier of a Dutch target is in the German node’s files', async () => {
    // The German node's SQLite database (and its write-ahead log), and the hotline's: the Dutch identifiers reached only police-nl.
    const bytesOf = (d: string) =>
      ['alliance.sqlite', 'alliance.sqlite-wal']
        .map((f) => join(d, f))
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString('latin1').toLowerCase())
        .join('\n');
    expect(existsSync(join(DEn.dir, 'alliance.sqlite'))).toBe(true);
    // The German identifiers are there (the grep can see them), the Dutch and French ones are not.
    expect(bytesOf(DEn.dir).includes('de-board-user-0')).toBe(true);
    const bytes = bytesOf(DEn.dir) + bytesOf(HOT.dir);
    for (const secret of ['nl-only-user', 'nl-only-0@', '145.97.39.155', 'fr-account-user']) expect(bytes.includes(secret), secret).toBe(false);
    const de = JSON.stringify((await DEn.call('GET', '/api/v1/lead-inbox')).json);
    for (const secret of ['nl-only', '145.97.39.155', 'fr-account-user']) expect(de.includes(secret), secret).toBe(false);
  });
});
