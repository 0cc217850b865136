/**
 * Acceptance: three real node processes on 127.0.0.1 — hotline A in the Netherlands, authority B
 * and platform C in Germany, each with its own database (B on PostgreSQL). A publishes banks under
 * agreements; B and C receive exactly what they may; an update and a deletion at A reach B at the
 * next sync; C's false-positive opinion reaches A and, by A's quarantine rule, disables the item
 * for everyone. Every match names where its content comes from (origin member and bank, the chain
 * of members that passed it on), also two hops away; a publisher's refusal reaches the CLI with its
 * own code.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freshPgDatabase } from '../support/dialects.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

/** Distinct PDQ-like hashes (far apart, so only the item itself matches). */
const hash = (i: number) => createHash('sha256').update(`item-${i}`).digest('hex');
const dirs: string[] = [];

async function node(
  name: string,
  kind: string,
  country: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<ServerProcess & { name: string; dir: string; call: (method: string, path: string, body?: unknown) => ReturnType<typeof http> }> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-fed-${name}-`));
  dirs.push(dir);
  const s = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: kind,
    ALLIANCE_MEMBER_COUNTRY: country,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ...extra,
  });
  return Object.assign(s, { name, dir, call: (method: string, path: string, body?: unknown) => http(`${s.url}${path}`, s.token, method, body) });
}

describe('federation between three nodes', () => {
  let A: Awaited<ReturnType<typeof node>>;
  let B: Awaited<ReturnType<typeof node>>;
  let C: Awaited<ReturnType<typeof node>>;
  const uids: Record<string, number> = {};

  beforeAll(async () => {
    [A, B, C] = await Promise.all([
      node('hotline-nl', 'hotline', 'NL'),
      node('authority-de', 'authority', 'DE', { ALLIANCE_DATABASE_URL: await freshPgDatabase() }),
      node('platform-de', 'platform', 'DE'),
    ]);
    // Each registers the others by URL and public key.
    const ids = await Promise.all([A, B, C].map(async (n) => ({ n, id: (await n.call('GET', '/api/v1/identity')).json })));
    for (const { n } of ids) {
      for (const { n: other, id } of ids) {
        if (other === n) continue;
        const r = await n.call('POST', '/api/v1/peers', { name: id.member, url: other.url, public_key: id.public_key, country: id.country, kind: id.kind });
        expect(r.status, r.text).toBe(201);
      }
    }
    // A: a bank for Germany (only baseline may go abroad), and one for authorities only.
    await A.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    await A.call('POST', '/api/v1/banks', { name: 'LEA_ONLY' });
    const add = async (bank: string, i: number, classification: string | null) => {
      const r = await A.call('POST', `/api/v1/banks/${bank}/content`, {
        signals: [{ signal_type: 'pdq', value: hash(i) }],
        classification,
        tags: [`item-${i}`],
      });
      uids[`${bank}/${i}`] = r.json.id;
    };
    await add('KNOWN', 1, 'industry:A1'); // baseline
    await add('KNOWN', 2, 'industry:A2'); // baseline
    await add('KNOWN', 3, 'uk:B'); // nationally illegal
    await add('KNOWN', 4, null); // unknown
    await add('LEA_ONLY', 5, 'industry:A1');
    expect((await A.call('PUT', '/api/v1/banks/KNOWN/publication', { recipients: { countries: ['DE'] }, abroad: ['baseline'] })).status).toBe(200);
    expect((await A.call('PUT', '/api/v1/banks/LEA_ONLY/publication', { recipients: { kinds: ['authority'] }, abroad: ['baseline'] })).status).toBe(200);
  });

  afterAll(async () => {
    await Promise.all([A, B, C].filter(Boolean).map((n) => n.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const contentOf = async (n: typeof A, bank: string) =>
    (await n.call('GET', `/api/v1/banks/${bank}/content?limit=100`)).json.content as Array<{
      id: number;
      tags: string[];
      enabled: boolean;
      signals: Array<{ value: string }>;
    }>;
  const subscribe = async (n: typeof A, bank: string) => (await n.call('POST', '/api/v1/subscriptions', { peer: 'hotline-nl', bank })).json;
  const sync = async (n: typeof A, id: number) => (await n.call('POST', `/api/v1/subscriptions/${id}/sync`)).json;

  it('B and C receive exactly what the agreements allow', async () => {
    const bKnown = await subscribe(B, 'KNOWN');
    const bLea = await subscribe(B, 'LEA_ONLY');
    const cKnown = await subscribe(C, 'KNOWN');
    const cLea = await subscribe(C, 'LEA_ONLY');
    const first = await sync(B, bKnown.id);
    expect(first).toMatchObject({ added: 2 });
    expect(first.error).toBeUndefined();
    expect(await sync(B, bLea.id)).toMatchObject({ added: 1 });
    expect(await sync(C, cKnown.id)).toMatchObject({ added: 2 });
    const cLeaReport = await sync(C, cLea.id);
    // The publisher's refusal, with its own code: not a broken feed, and not retried on the schedule.
    expect(cLeaReport).toMatchObject({
      error: 'peer hotline-nl refused: NOT_PUBLISHED: bank LEA_ONLY is not published to platform-de',
      error_code: 'PEER_REFUSED',
      peer_code: 'NOT_PUBLISHED',
    });
    expect((await contentOf(B, 'HOTLINE_NL_KNOWN')).map((c) => c.tags[0]).sort()).toEqual(['item-1', 'item-2']);
    expect((await contentOf(C, 'HOTLINE_NL_KNOWN')).map((c) => c.tags[0]).sort()).toEqual(['item-1', 'item-2']);
    expect((await contentOf(B, 'HOTLINE_NL_LEA_ONLY')).map((c) => c.tags[0])).toEqual(['item-5']);
    expect(await contentOf(C, 'HOTLINE_NL_LEA_ONLY')).toEqual([]);
    // Received signals match at once, with their provenance.
    const hit = (await B.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: hash(1) })).json;
    expect(hit.matches).toMatchObject([{ bank: 'HOTLINE_NL_KNOWN', classification: { scheme: 'industry', value: 'A1', legal: 'baseline' } }]);
    expect(hit.matches[0].provenance).toEqual({
      origin_member: 'hotline-nl',
      origin_bank: 'KNOWN',
      chain: ['hotline-nl'],
      first_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // At the origin, its own content names itself.
    const own = (await A.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: hash(1) })).json;
    expect(own.matches[0]).toMatchObject({
      bank: 'KNOWN',
      provenance: { origin_member: 'hotline-nl', origin_bank: 'KNOWN', chain: ['hotline-nl'], first_seen: hit.matches[0].provenance.first_seen },
    });
    const subs = (await C.call('GET', '/api/v1/subscriptions')).json.subscriptions;
    expect(subs.find((s: { remote_bank: string }) => s.remote_bank === 'LEA_ONLY')).toMatchObject({
      last_error: expect.stringMatching(/not published/),
      last_error_code: 'PEER_REFUSED',
      last_success_at: null,
    });
    expect(subs.find((s: { remote_bank: string }) => s.remote_bank === 'KNOWN')).toMatchObject({ last_error: null, lag: 0, items_received: 4 });
  });

  // How fast (the acceptance's 2 s) is measured by bench:sync's incremental sync, not asserted here.
  it('an update and a deletion at A reach B at the next sync', async () => {
    await A.call('PATCH', `/api/v1/content/${uids['KNOWN/1']}`, { tags: ['item-1', 'updated'] });
    await A.call('DELETE', `/api/v1/content/${uids['KNOWN/2']}`);
    await A.call('PATCH', `/api/v1/content/${uids['KNOWN/3']}`, { classification: 'industry:B1' }); // still not baseline
    await A.call('PATCH', `/api/v1/content/${uids['KNOWN/4']}`, { classification: 'industry:A2' }); // now baseline: may go
    const bKnown = (await B.call('GET', '/api/v1/subscriptions')).json.subscriptions.find((s: { remote_bank: string }) => s.remote_bank === 'KNOWN');
    const report = await sync(B, bKnown.id);
    expect(report).toMatchObject({ updated: 1, deleted: 1, added: 1 });
    const known = await contentOf(B, 'HOTLINE_NL_KNOWN');
    expect(known.map((c) => c.tags).sort()).toEqual([['item-1', 'updated'], ['item-4']]);
    expect((await B.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: hash(2) })).json.matches).toEqual([]);
  });

  it('a lookup two hops away names the origin, its bank and every member that passed it on (API and CLI)', async () => {
    // B passes what it received from A on to C (both in Germany).
    expect((await B.call('PUT', '/api/v1/banks/HOTLINE_NL_KNOWN/publication', { recipients: { members: ['platform-de'] } })).status).toBe(200);
    const sub = (await C.call('POST', '/api/v1/subscriptions', { peer: 'authority-de', bank: 'HOTLINE_NL_KNOWN', into: 'VIA_DE' })).json;
    expect(await sync(C, sub.id)).toMatchObject({ added: 2 });
    const provenance = { origin_member: 'hotline-nl', origin_bank: 'KNOWN', chain: ['hotline-nl', 'authority-de'], first_seen: expect.any(String) };
    const api = (await C.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: hash(1), banks: ['VIA_DE'] })).json;
    expect(api.matches).toMatchObject([{ bank: 'VIA_DE', provenance }]);
    // The CLI on C's data directory (beside the running server) says the same.
    const json = await runCli(['lookup', hash(1), '--type', 'pdq', '--bank', 'VIA_DE', '--json', '--data', C.dir]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)[0].matches).toMatchObject([{ bank: 'VIA_DE', provenance }]);
    const human = await runCli(['lookup', hash(1), '--type', 'pdq', '--data', C.dir]);
    expect(human.stdout).toMatch(/^ {2}content \d+ in VIA_DE: from hotline-nl\/KNOWN via hotline-nl → authority-de, first seen \d{4}-/m);
    expect(human.stdout).toMatch(/^ {2}content \d+ in HOTLINE_NL_KNOWN: from hotline-nl\/KNOWN via hotline-nl, first seen /m);
  });

  it("a publisher's refusal reaches the CLI with the publisher's own code, and the scheduled sync leaves it alone", async () => {
    const sync = await runCli(['sync', 'hotline-nl', '--data', C.dir]);
    expect(sync.code).toBe(1);
    expect(sync.stdout).toMatch(/ERROR peer hotline-nl refused: NOT_PUBLISHED: bank LEA_ONLY is not published to platform-de \[PEER_REFUSED\]/);
    const subs = await runCli(['subscriptions', '--data', C.dir]);
    expect(subs.stdout).toMatch(
      /hotline-nl\/LEA_ONLY .*ERROR peer hotline-nl refused: NOT_PUBLISHED: .* \[PEER_REFUSED\] \(not retried on the schedule: run alliance sync once it is fixed\)/,
    );
    // Published to C after all: the next explicit sync takes it, and the refusal is gone.
    expect(
      (await A.call('PUT', '/api/v1/banks/LEA_ONLY/publication', { recipients: { kinds: ['authority'], members: ['platform-de'] }, abroad: ['baseline'] }))
        .status,
    ).toBe(200);
    const again = await runCli(['sync', 'hotline-nl', '--data', C.dir]);
    expect(again.stdout).not.toMatch(/ERROR/);
    const lea = (await C.call('GET', '/api/v1/subscriptions')).json.subscriptions.find((s: { remote_bank: string }) => s.remote_bank === 'LEA_ONLY');
    expect(lea).toMatchObject({ last_error: null, last_error_code: null, items_received: 1 });
  });

  it("C's false-positive opinion reaches A, whose rule quarantines the item for everyone", async () => {
    await A.call('PUT', '/api/v1/banks/KNOWN/quarantine', { threshold: 1 });
    const cContent = (await contentOf(C, 'HOTLINE_NL_KNOWN')).find((c) => c.tags.includes('item-1'))!;
    const sent = await C.call('POST', `/api/v1/content/${cContent.id}/opinion`, { opinion: 'false_positive', reason: 'a holiday photo' });
    expect(sent.json).toEqual({ sent_to: 'hotline-nl', uid: `hotline-nl/${uids['KNOWN/1']}` });
    expect((await A.call('GET', `/api/v1/content/${uids['KNOWN/1']}/opinions`)).json.counts).toEqual({ false_positive: 1 });
    expect((await A.call('GET', `/api/v1/content/${uids['KNOWN/1']}`)).json).toMatchObject({ enabled: false, tags: expect.arrayContaining(['quarantined']) });
    const bKnown = (await B.call('GET', '/api/v1/subscriptions')).json.subscriptions.find((s: { remote_bank: string }) => s.remote_bank === 'KNOWN');
    await sync(B, bKnown.id);
    expect((await contentOf(B, 'HOTLINE_NL_KNOWN')).find((c) => c.tags.includes('item-1'))).toMatchObject({ enabled: false });
    const lookup = (await B.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: hash(1) })).json;
    expect(lookup.matches).toEqual([]);
    expect(lookup.not_counted[0].reason).toMatch(/disabled/);
  });
});
