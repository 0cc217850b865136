/**
 * Re-referral (issue 18, point 4): real `alliance serve` processes on 127.0.0.1 — a US authority
 * (SQLite), a German one (PostgreSQL) and an Austrian one the US node does not know. The German
 * authority accepts the US package and forwards one target to Austria; the Austrian package keeps
 * the chain (the US package's uid, the US node). Austria's outcomes come back to Germany on the
 * forwarded package and are relayed on to the US node, Austria's signed update inside Germany's:
 * the US node shows them on its own package (via police-at) and counts them in the picture. A relay
 * whose inner update was altered is refused; a forward of a target not in the package, to a
 * country without an authority, or twice, is refused and forwards nothing. Austria's database
 * holds only the forwarded target's identifiers.
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

const KEY = 'be'.repeat(32);
const dirs: string[] = [];
type Node = ServerProcess & {
  name: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  call: (method: string, path: string, body?: unknown) => ReturnType<typeof http>;
};

async function node(name: string, country: string, extra: NodeJS.ProcessEnv = {}): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-forward-${name}-`));
  dirs.push(dir);
  const env = {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: 'authority',
    ALLIANCE_MEMBER_COUNTRY: country,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ALLIANCE_DECONFLICTION_KEY: KEY,
    ...extra,
  };
  const s = await startServer([], env);
  return Object.assign(s, { name, dir, env, call: (method: string, path: string, body?: unknown) => http(`${s.url}${path}`, s.token, method, body) });
}

async function link(a: Node, b: Node): Promise<void> {
  const id = (await b.call('GET', '/api/v1/identity')).json;
  const res = await a.call('POST', '/api/v1/peers', { name: id.member, url: b.url, public_key: id.public_key, country: id.country, kind: id.kind });
  expect(res.status, res.text).toBe(201);
}

const targets = [1, 2, 3].map((i) => ({
  ref: `de${i}`,
  username: `forward-user-${i}`,
  email: `forward-${i}@mail.example.de`,
  ip: [{ ip: '193.99.144.80', at: '2026-03-01T10:00:00Z' }],
}));

describe('re-referral: a received package’s target forwarded to a third country, its outcomes relayed to the origin', () => {
  let US: Node;
  let DE: Node;
  let AT: Node;
  let op: number;
  let usPackage: { id: number; uid: string };
  let deInbox: number;

  beforeAll(async () => {
    [US, DE, AT] = await Promise.all([node('fbi-us', 'US'), node('bka-de', 'DE', { ALLIANCE_DATABASE_URL: await freshPgDatabase() }), node('police-at', 'AT')]);
    for (const [a, b] of [
      [US, DE],
      [DE, US],
      [DE, AT],
      [AT, DE],
    ] as const)
      await link(a, b);
    expect((await US.call('PUT', '/api/v1/routing/DE', { peer: 'bka-de' })).status).toBe(200);
    expect((await DE.call('PUT', '/api/v1/routing/AT', { peer: 'police-at' })).status).toBe(200);
    op = (
      await US.call('POST', '/api/v1/operations', {
        name: 'Operation Relay',
        legal_basis: 'Placeholder act §3',
        owner_agency: 'Agency US',
        contact_point: 'desk@us.example',
      })
    ).json.id;
    expect((await US.call('POST', `/api/v1/operations/${op}/targets`, { targets })).status).toBe(201);
    expect((await US.call('POST', `/api/v1/operations/${op}/deconflict`)).json).toEqual({ checked: 3, held: 0 });
    expect((await US.call('POST', `/api/v1/operations/${op}/packages`, { handling: { intelligence_only: true } })).status).toBe(201);
    [usPackage] = (await US.call('POST', `/api/v1/operations/${op}/packages/send`, {})).json.packages;
    const got = await until(async () => (await DE.call('GET', '/api/v1/lead-inbox')).json.packages[0], 'the package in the German inbox');
    deInbox = got.id;
    expect(got.chain).toEqual([]);
    expect((await DE.call('POST', `/api/v1/lead-inbox/${deInbox}/accept`)).json.state).toBe('accepted');
  });

  afterAll(async () => {
    await Promise.all([US, DE, AT].filter(Boolean).map((n) => n.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a forward of a target not in the package, to a country without an authority; forwards nothing', async () => {
    const notIn = await DE.call('POST', `/api/v1/lead-inbox/${deInbox}/forward`, { targets: ['de2', 'nope'], country: 'AT' });
    expect([notIn.status, notIn.json.code]).toEqual([400, 'LEAD_INVALID']);
    expect(notIn.json.message).toMatch(/target "nope" is not in lead package/);
    const nowhere = await DE.call('POST', `/api/v1/lead-inbox/${deInbox}/forward`, { targets: ['de2'], country: 'BE' });
    expect([nowhere.status, nowhere.json.code]).toEqual([400, 'LEAD_INVALID']);
    expect(nowhere.json.message).toMatch(/no receiving authority registered for BE/);
    const bad = await DE.call('POST', `/api/v1/lead-inbox/${deInbox}/forward`, { targets: ['de2'], country: 'XX' });
    expect([bad.status, bad.json.code]).toEqual([400, 'LEAD_INVALID']);
    expect((await DE.call('GET', `/api/v1/lead-inbox/${deInbox}`)).json.forwards).toEqual([]);
  });

  it('forwards a target to Austria (the CLI) with the chain; Austria gets only that target', async () => {
    const out = await runCli(['operation', 'forward', String(deInbox), 'AT', 'de2'], { env: DE.env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/forwarded: bka-de\/lead-package\/\d+\tAT\t1 targets\tqueued → police-at/);
    const again = await DE.call('POST', `/api/v1/lead-inbox/${deInbox}/forward`, { targets: ['de2'], country: 'AT' });
    expect([again.status, again.json.code]).toEqual([400, 'LEAD_INVALID']);
    expect(again.json.message).toMatch(/was forwarded to AT already/);
    const at = await until(async () => (await AT.call('GET', '/api/v1/lead-inbox')).json.packages[0], 'the forwarded package in the Austrian inbox');
    expect(at).toMatchObject({
      from: 'bka-de',
      country: 'AT',
      chain: [{ uid: usPackage.uid, from: 'fbi-us' }],
      operation: { name: 'Operation Relay', legal_basis: 'Placeholder act §3' },
      handling: [expect.stringMatching(/^intelligence only/)],
    });
    expect(at.targets.map((t: { ref: string; identifiers: { usernames: string[] } }) => [t.ref, t.identifiers.usernames])).toEqual([
      ['de2', ['forward-user-2']],
    ]);
    const fwd = await until(async () => {
      const f = (await DE.call('GET', `/api/v1/lead-inbox/${deInbox}`)).json.forwards;
      return f[0]?.state === 'delivered' ? f : undefined;
    }, 'the forward delivered');
    expect(fwd.map((p: { country: string; peer: string; state: string }) => [p.country, p.peer, p.state])).toEqual([['AT', 'police-at', 'delivered']]);
  });

  it("Austria's outcomes come back to Germany and are relayed to the US node, signed by each hop", async () => {
    const at = (await AT.call('GET', '/api/v1/lead-inbox')).json.packages[0];
    const step = (path: string, body?: unknown) => AT.call('POST', `/api/v1/lead-inbox/${at.id}/${path}`, body);
    expect((await step('accept')).status).toBe(200);
    expect((await step('outcomes', { target: 'de2', outcome: 'arrested', at: '2026-04-10T06:00:00Z' })).status).toBe(200);
    expect((await step('outcomes', { target: 'de2', outcome: 'charged', at: '2026-04-12T09:00:00Z' })).status).toBe(200);
    expect((await step('outcomes', { target: 'de2', outcome: 'victims_safeguarded', count: 2, at: '2026-04-11T12:00:00Z' })).status).toBe(200);

    // Germany sees them on the package it forwarded, and relays each on to the US node.
    const de = await until(async () => {
      const v = (await DE.call('GET', `/api/v1/lead-inbox/${deInbox}`)).json;
      return v.updates.delivered === 4 ? v : undefined; // accepted + three relayed outcomes
    }, 'the relayed outcomes delivered to the US node');
    expect(de.forwards[0].status).toBe('accepted');
    expect(de.forwards[0].outcomes.de2.map((o: { outcome: string; via: string[] }) => [o.outcome, o.via])).toEqual([
      ['arrested', []],
      ['charged', []],
      ['victims_safeguarded', []],
    ]);
    expect(de.outcomes.de2.map((o: { outcome: string; via: string[] }) => [o.outcome, o.via])).toEqual([
      ['arrested', ['police-at']],
      ['charged', ['police-at']],
      ['victims_safeguarded', ['police-at']],
    ]);

    const us = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages[0];
    expect(us.outcomes.de2.map((o: { outcome: string; count: number | null; at: string; via: string[] }) => [o.outcome, o.count, o.at, o.via])).toEqual([
      ['arrested', null, '2026-04-10T06:00:00.000Z', ['police-at']],
      ['charged', null, '2026-04-12T09:00:00.000Z', ['police-at']],
      ['victims_safeguarded', 2, '2026-04-11T12:00:00.000Z', ['police-at']],
    ]);
    const picture = (await US.call('GET', `/api/v1/operations/${op}/picture`)).json;
    expect(picture.countries[0]).toMatchObject({
      country: 'DE',
      referred: 3,
      accepted: 3,
      outcomes: { arrested: 1, charged: 1, victims_safeguarded: 1 },
      victims_safeguarded: 2,
    });
  });

  it('a relay whose inner update was altered is refused at the origin, and changes nothing', async () => {
    const before = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages[0];
    const atId = loadIdentity(AT.dir);
    const inner = seal(atId, {
      type: 'alliance.lead-update',
      package_uid: 'bka-de/lead-package/1',
      from: 'police-at',
      to: 'bka-de',
      seq: 9,
      update: 'outcome',
      at: '2026-04-20T00:00:00Z',
      target: 'de3',
      outcome: 'convicted',
      count: null,
    });
    const outer = (relayed: unknown) =>
      seal(loadIdentity(DE.dir), {
        type: 'alliance.lead-update',
        package_uid: usPackage.uid,
        from: 'bka-de',
        to: 'fbi-us',
        seq: before.updates + 1,
        update: 'outcome',
        at: '2026-04-20T00:00:00Z',
        target: 'de3',
        outcome: 'convicted',
        count: null,
        relayed,
      });
    const send = async (body: unknown) => {
      const text = JSON.stringify(body);
      const res = await fetch(`${US.url}/federation/v1/lead-updates`, {
        method: 'POST',
        headers: { ...signRequest(loadIdentity(DE.dir), 'bka-de', 'fbi-us', 'POST', '/federation/v1/lead-updates', text), 'content-type': 'application/json' },
        body: text,
      });
      return { status: res.status, json: (await res.json()) as { code?: string; message?: string } };
    };
    const rel = { from: 'police-at', package_uid: 'bka-de/lead-package/1', seq: 9 };
    const altered = await send(outer({ ...rel, envelope: { ...inner, payload: inner.payload.replace('convicted', 'acquitted') } }));
    expect([altered.status, altered.json.code]).toEqual([400, 'LEAD_UPDATE_INVALID']);
    expect(altered.json.message).toMatch(/signature that does not verify/);
    const otherOutcome = await send(outer({ ...rel, envelope: seal(atId, { ...JSON.parse(inner.payload), outcome: 'arrested' }) }));
    expect([otherOutcome.status, otherOutcome.json.code]).toEqual([400, 'LEAD_UPDATE_INVALID']);
    expect(otherOutcome.json.message).toMatch(/is not the outcome police-at signed/);
    const after = (await US.call('GET', `/api/v1/operations/${op}/packages`)).json.packages[0];
    expect([after.updates, after.outcomes]).toEqual([before.updates, before.outcomes]);
  });

  it('Austria holds only the forwarded target’s identifiers', async () => {
    const file = join(AT.dir, 'alliance.sqlite');
    expect(existsSync(file)).toBe(true);
    const bytes = ['alliance.sqlite', 'alliance.sqlite-wal']
      .map((f) => join(AT.dir, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
    expect(bytes.includes('forward-user-2')).toBe(true);
    for (const secret of ['forward-user-1', 'forward-user-3', 'forward-1@', 'forward-3@']) expect(bytes.includes(secret), secret).toBe(false);
  });
});
