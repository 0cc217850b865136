/**
 * The fb_threatexchange exchange against a Graph API stand-in (test/support/threatexchange-standin.ts):
 * a first fetch pages through `next` URLs; an incremental fetch asks from its checkpoint and
 * applies only what changed; tombstones, hidden descriptors and NON_MALICIOUS-only indicators
 * delete; a stale checkpoint (its last fetch 86 days ago) starts over and converges to exactly
 * the bank a fresh node fetches; verdicts become reaction POSTs on the other apps' descriptors; a
 * wrong token reads as EXCHANGE_AUTH; hostile answers (malformed JSON, wrong content type, a huge
 * body, a hang, a bad update, a `next` to another host) change nothing, checkpoint included.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fbThreatExchangeApi, readUpdate, STALE_AFTER_SECONDS } from '../../src/exchange/apis/fb-threatexchange.js';
import type { UpsertEntry } from '../../src/exchange/page.js';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { advanceExchangeCheckpoint, findExchange } from '../../src/store/index.js';
import { DIALECTS, testConfig, type TestDialect, type TestEnv } from '../support/dialects.js';
import { DAY, startThreatExchangeStandin, type ThreatExchangeStandin } from '../support/threatexchange-standin.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const OTHER_APP = '999900001111';
const NAME = 'TX_GROUP';

interface Running {
  env: TestEnv;
  node: AllianceNode;
  admin: Principal;
}

const opened: Running[] = [];
async function startNode(dialect: TestDialect, tx: ThreatExchangeStandin, opts: { token?: string } = {}): Promise<Running> {
  const env = await testConfig(dialect, { memberName: 'alliance-test', exchangeBackoffMs: '1', syncTimeoutMs: '1000' });
  const node = await openNode(env.config, { loadIndex: true });
  const admin = await node.operator();
  const r = { env, node, admin };
  opened.push(r);
  await node.exchanges.setCredentials(admin, 'fb_threatexchange', { api_token: opts.token ?? tx.token });
  await node.exchanges.create(admin, { name: NAME, api: 'fb_threatexchange', config: { privacy_group: tx.group, base_url: tx.base } });
  return r;
}

afterEach(async () => {
  for (const r of opened.splice(0)) {
    await r.node.close();
    r.env.cleanup();
  }
});

/** The bank as content identity → everything the fetch set (ids and bookkeeping times apart). */
async function bankOf(node: AllianceNode) {
  const rows = await node.store.db
    .selectFrom('bank_content')
    .innerJoin('banks', 'banks.id', 'bank_content.bank_id')
    .where('banks.name', '=', NAME)
    .select([
      'bank_content.id',
      'uid',
      'classification',
      'tags',
      'note',
      'metadata',
      'source_member',
      'first_seen',
      'disabled_until',
      'origin_member',
      'origin_bank',
      'chain',
    ])
    .execute();
  const signals = rows.length
    ? await node.store.db
        .selectFrom('signals')
        .select(['content_id', 'signal_type', 'value'])
        .where(
          'content_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute()
    : [];
  const out = new Map<string, Record<string, unknown>>();
  for (const { id, ...r } of rows)
    out.set(r.uid!, {
      ...r,
      tags: JSON.parse(r.tags) as string[],
      metadata: r.metadata ? (JSON.parse(r.metadata) as Record<string, unknown>) : null,
      signals: signals
        .filter((s) => s.content_id === id)
        .map((s) => `${s.signal_type}:${s.value}`)
        .sort(),
      first_seen: Number(r.first_seen),
    });
  return out;
}
const contentId = async (node: AllianceNode, uid: string) =>
  (await node.store.db.selectFrom('bank_content').select('id').where('uid', '=', uid).executeTakeFirstOrThrow()).id;
const uidOf = (tx: ThreatExchangeStandin, id: string) => `fbte/${tx.group}/${id}`;
const storedCheckpoint = async (node: AllianceNode) => (await findExchange(node.store.db, NAME))!.checkpoint;

describe.each(DIALECTS)('ThreatExchange fetches (%s)', (dialect) => {
  let tx: ThreatExchangeStandin;
  beforeEach(async () => {
    tx = await startThreatExchangeStandin({ clock: Math.floor(Date.now() / 1000) - 200 * DAY });
  });
  afterEach(async () => tx.close());

  it('pages through next URLs, maps indicator types to signals and keeps descriptors in metadata', async () => {
    const pdq = hex(32);
    const md5 = hex(16);
    const items = [tx.add('HASH_PDQ', pdq, { tags: ['tag_b', 'tag_a'] }), tx.add('HASH_MD5', md5)];
    for (let i = 0; i < 230; i++) {
      tx.clock += 60;
      items.push(tx.add('HASH_SHA256', hex(32)));
    }
    tx.add('HASH_TMK', hex(64)); // no Alliance signal: unmatchable
    const { node, admin } = await startNode(dialect, tx);
    const r = await node.exchanges.fetch(NAME);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ pages: 3, added: 232, updated: 0, deleted: 0, unmatchable: 1, up_to_date: true, restarted: false });
    // The first page asked for the published fields, 100 at a time, from the beginning; then `next` whole.
    const reqs = tx.threatUpdateRequests();
    expect(reqs).toHaveLength(3);
    expect(reqs[0].query).toMatchObject({ limit: '100', fields: expect.stringContaining('descriptors{') as unknown, access_token: tx.token });
    expect(reqs[0].query.start_time).toBeUndefined();
    expect(reqs[1].query.after).toBeTruthy();
    const bank = await bankOf(node);
    expect(bank.size).toBe(232);
    const first = bank.get(uidOf(tx, items[0].id))!;
    expect(first.signals).toEqual([`pdq:${pdq}`]);
    expect(first.tags).toEqual(['tag_a', 'tag_b']);
    expect(first.origin_bank).toBe(`privacy_group:${tx.group}`);
    expect(first.metadata).toMatchObject({
      threatexchange: {
        privacy_group: tx.group,
        indicator_id: items[0].id,
        type: 'HASH_PDQ',
        opinion: 'positive',
        owners: [OTHER_APP],
        descriptors: [{ id: items[0].descriptors[0].id, owner_id: OTHER_APP, status: 'MALICIOUS', tags: ['tag_b', 'tag_a'] }],
      },
    });
    expect(bank.get(uidOf(tx, items[1].id))!.signals).toEqual([`md5:${md5}`]);
    // What was fetched matches.
    const hits = await node.lookup.lookup('md5', md5);
    expect(hits.matches.map((m) => m.content_id)).toEqual([await contentId(node, uidOf(tx, items[1].id))]);
    const status = await node.exchanges.status(admin, NAME);
    expect(status).toMatchObject({ last_fetch_succeeded: true, up_to_date: true, fetched_items: 232, unmatchable_items: 1, pages: 3 });
    expect(status.checkpoint_ts).toBe(new Date(tx.clock * 1000).toISOString());
  });

  it('fetches incrementally from the checkpoint and applies only the changes; tombstones and benign-only indicators delete', async () => {
    const a = tx.add('HASH_PDQ', hex(32));
    const b = tx.add('HASH_SHA1', hex(20));
    const c = tx.add('HASH_MD5', hex(16));
    const d = tx.add('HASH_SHA256', hex(32));
    tx.clock += 3600;
    const last = tx.add('HASH_PDQ', hex(32)); // the checkpoint's second: asked again (start_time is inclusive)
    const { node } = await startNode(dialect, tx);
    expect((await node.exchanges.fetch(NAME)).added).toBe(5);
    const before = await bankOf(node);
    const idOfA = await contentId(node, uidOf(tx, a.id));

    tx.clock += 3600;
    tx.remove(b.id); // a tombstone
    tx.update(c.id, (i) => (i.descriptors[0].status = 'NON_MALICIOUS')); // benign only: deleted
    tx.update(d.id, (i) => (i.descriptors[0].tags = ['tag_new']));
    const added = tx.add('HASH_SHA1', hex(20));
    const r = await node.exchanges.fetch(NAME);
    expect(r.error).toBeUndefined();
    const reqs = tx.threatUpdateRequests();
    expect(reqs.at(-1)!.query.start_time).toBe(String(last.last_updated));
    // Changed: d, added; deleted: b, c; the checkpoint's own second came again (last), a did not.
    expect(r).toMatchObject({ added: 1, updated: 2, deleted: 2 });
    const after = await bankOf(node);
    expect([...after.keys()].sort()).toEqual([a, d, last, added].map((i) => uidOf(tx, i.id)).sort());
    expect(after.get(uidOf(tx, a.id))).toEqual(before.get(uidOf(tx, a.id)));
    expect(after.get(uidOf(tx, d.id))!.tags).toEqual(['tag_new']);
    expect(await contentId(node, uidOf(tx, a.id))).toBe(idOfA);

    // A quiet round: nothing new, yet the last fetch time moves on (a quiet group never goes stale).
    tx.clock += 3600;
    const stored = JSON.parse((await storedCheckpoint(node))!) as { update_time: number; last_fetch_time: number };
    stored.last_fetch_time -= 10 * DAY;
    const row = (await findExchange(node.store.db, NAME))!;
    await advanceExchangeCheckpoint(node.store.db, row.id, row.checkpoint, {
      checkpoint: JSON.stringify(stored),
      checkpointTs: null,
      items: 0,
      unmatchable: 0,
    });
    const quiet = await node.exchanges.fetch(NAME);
    expect(quiet).toMatchObject({ added: 0, deleted: 0, restarted: false, up_to_date: true });
    const now = JSON.parse((await storedCheckpoint(node))!) as { update_time: number; last_fetch_time: number };
    expect(now.update_time).toBe(stored.update_time);
    expect(now.last_fetch_time).toBeGreaterThan(stored.last_fetch_time + 9 * DAY);
  });

  it('a stale checkpoint (last fetch 86 days ago) refetches from the beginning and converges to the bank a fresh node fetches', async () => {
    const kept = [tx.add('HASH_PDQ', hex(32)), tx.add('HASH_MD5', hex(16)), tx.add('HASH_SHA1', hex(20))];
    const doomed = tx.add('HASH_SHA256', hex(32));
    const hidden = tx.add('HASH_PDQ', hex(32));
    const changed = tx.add('HASH_MD5', hex(16));
    const stale = await startNode(dialect, tx);
    expect((await stale.node.exchanges.fetch(NAME)).added).toBe(6);
    const idsBefore = await Promise.all(kept.map((k) => contentId(stale.node, uidOf(tx, k.id))));

    // 86 days later, with changes since the node's last fetch.
    tx.clock += 86 * DAY;
    tx.remove(doomed.id);
    tx.update(hidden.id, (i) => (i.descriptors = []));
    tx.update(changed.id, (i) => i.descriptors.push({ id: '77', owner: '555500006666', status: 'MALICIOUS', tags: ['tag_z'], added_on: tx.clock }));
    const fresh1 = tx.add('HASH_SHA1', hex(20));
    // The node's checkpoint as 86 days of not fetching leave it.
    const row = (await findExchange(stale.node.store.db, NAME))!;
    const old = JSON.parse(row.checkpoint!) as { update_time: number; last_fetch_time: number };
    const lastFetch = Math.floor(Date.now() / 1000) - STALE_AFTER_SECONDS - DAY;
    expect(fbThreatExchangeApi.readCheckpoint({ ...old, last_fetch_time: lastFetch }, Date.now())).toBeNull();
    expect(fbThreatExchangeApi.readCheckpoint({ ...old, last_fetch_time: lastFetch + 2 * DAY }, Date.now())).toEqual({
      ...old,
      last_fetch_time: lastFetch + 2 * DAY,
    });
    await advanceExchangeCheckpoint(stale.node.store.db, row.id, row.checkpoint, {
      checkpoint: JSON.stringify({ ...old, last_fetch_time: lastFetch }),
      checkpointTs: null,
      items: 0,
      unmatchable: 0,
    });

    const before = tx.threatUpdateRequests().length;
    const r = await stale.node.exchanges.fetch(NAME);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ restarted: true, up_to_date: true, deleted: 2, added: 1 });
    expect(tx.threatUpdateRequests()[before].query.start_time).toBeUndefined();

    const newcomer = await startNode(dialect, tx);
    expect((await newcomer.node.exchanges.fetch(NAME)).error).toBeUndefined();
    const refetched = await bankOf(stale.node);
    const fetched = await bankOf(newcomer.node);
    expect([...refetched.keys()].sort()).toEqual([...kept, changed, fresh1].map((i) => uidOf(tx, i.id)).sort());
    expect(Object.fromEntries(refetched)).toEqual(Object.fromEntries(fetched));
    expect(refetched.get(uidOf(tx, changed.id))!.tags).toEqual(['tag_a', 'tag_z']);
    // Same content, updated in place: the refetch did not create it again.
    expect(await Promise.all(kept.map((k) => contentId(stale.node, uidOf(tx, k.id))))).toEqual(idsBefore);
  });
});

describe('ThreatExchange opinions, credentials and hostile answers', () => {
  let tx: ThreatExchangeStandin;
  beforeEach(async () => {
    tx = await startThreatExchangeStandin();
  });
  afterEach(async () => tx.close());

  it("sends verdicts as reactions on the other apps' descriptors and records the answers", async () => {
    const ours = { id: '5001', owner: tx.appId, status: 'MALICIOUS' as const, tags: ['tag_a'], added_on: tx.clock };
    const theirs1 = { id: '5002', owner: OTHER_APP, status: 'MALICIOUS' as const, tags: ['tag_a'], added_on: tx.clock };
    const theirs2 = { id: '5003', owner: '555500006666', status: 'SUSPICIOUS' as const, tags: [], added_on: tx.clock };
    const item = tx.add('HASH_PDQ', hex(32), { descriptors: [ours, theirs1, theirs2] });
    const own = tx.add('HASH_MD5', hex(16), { descriptors: [{ ...ours, id: '5004' }] });
    const { node, admin } = await startNode('sqlite', tx);
    await node.exchanges.fetch(NAME);
    const id = await contentId(node, uidOf(tx, item.id));

    const sent = await node.exchanges.sendOpinion(admin, id, 'confirmed', null);
    expect(sent.answer).toEqual({
      reaction: 'SAW_THIS_TOO',
      descriptors: [
        { descriptor_id: '5002', owner_id: OTHER_APP, answer: { success: true } },
        { descriptor_id: '5003', owner_id: '555500006666', answer: { success: true } },
      ],
    });
    await node.exchanges.sendOpinion(admin, id, 'false_positive', 'not what it says');
    await node.exchanges.sendOpinion(admin, id, 'disputed', null);
    expect(tx.reactions).toEqual([
      { descriptor_id: '5002', reactions: 'SAW_THIS_TOO', reactions_to_remove: null },
      { descriptor_id: '5003', reactions: 'SAW_THIS_TOO', reactions_to_remove: null },
      { descriptor_id: '5002', reactions: 'NOT_HELPFUL', reactions_to_remove: null },
      { descriptor_id: '5003', reactions: 'NOT_HELPFUL', reactions_to_remove: null },
      { descriptor_id: '5002', reactions: 'DISAGREE_WITH_TAGS', reactions_to_remove: null },
      { descriptor_id: '5003', reactions: 'DISAGREE_WITH_TAGS', reactions_to_remove: null },
    ]);
    expect(tx.requests.filter((r) => r.method === 'POST').every((r) => r.query.access_token === tx.token)).toBe(true);
    const opinions = await node.exchanges.opinionsOf(admin, id);
    expect(opinions.map((o) => [o.opinion, o.status])).toEqual([
      ['confirmed', 'sent'],
      ['false_positive', 'sent'],
      ['disputed', 'sent'],
    ]);
    // Content whose only descriptor is this app's own has nobody to react to.
    await expect(node.exchanges.sendOpinion(admin, await contentId(node, uidOf(tx, own.id)), 'confirmed', null)).rejects.toMatchObject({
      code: 'OPINION_INVALID',
    });
    expect(tx.reactions).toHaveLength(6);
  });

  for (const status of [400, 401] as const)
    it(`a refused token (Graph OAuthException 190, HTTP ${status}) is EXCHANGE_AUTH, with nothing applied`, async () => {
      tx.authStatus = status;
      tx.add('HASH_PDQ', hex(32));
      const { node, admin } = await startNode('sqlite', tx, { token: `${tx.appId}|wrongsecret0123456789` });
      const r = await node.exchanges.fetch(NAME);
      expect(r.error_code).toBe('EXCHANGE_AUTH');
      expect(r.error).toMatch(/ThreatExchange|credentials/);
      if (status === 400) expect(r.error).toContain('Graph error 190: Invalid OAuth access token');
      // Not retried: a wrong token is a status to fix.
      expect(tx.threatUpdateRequests()).toHaveLength(1);
      const s = await node.exchanges.status(admin, NAME);
      expect(s).toMatchObject({ last_fetch_succeeded: false, last_error_code: 'EXCHANGE_AUTH', fetched_items: 0 });
      expect((await bankOf(node)).size).toBe(0);
      // Set right, the same exchange fetches.
      await node.exchanges.setCredentials(admin, 'fb_threatexchange', { api_token: tx.token });
      expect(await node.exchanges.fetch(NAME)).toMatchObject({ added: 1 });
      expect(await node.exchanges.remoteStatus(admin, NAME)).toMatchObject({ member_of_privacy_group: true, app_id: tx.appId });
    });

  it('checks the credentials and configuration it is given', async () => {
    const { node, admin } = await startNode('sqlite', tx);
    await expect(node.exchanges.setCredentials(admin, 'fb_threatexchange', { api_token: 'no-pipe-here' })).rejects.toMatchObject({
      code: 'EXCHANGE_CONFIG_INVALID',
    });
    await expect(node.exchanges.create(admin, { name: 'TX_OTHER', api: 'fb_threatexchange', config: { privacy_group: 'abc' } })).rejects.toMatchObject({
      code: 'EXCHANGE_CONFIG_INVALID',
    });
    const made = await node.exchanges.create(admin, { name: 'TX_DEFAULT', api: 'fb_threatexchange', config: { privacy_group: 77 } });
    expect(made.config).toEqual({ privacy_group: 77, base_url: 'https://graph.facebook.com/v21.0' });
  });

  const hostile: Array<[string, () => void, RegExp, string]> = [
    ['malformed JSON', () => (tx.fault = { kind: 'malformed' }), /not JSON/, 'EXCHANGE_INVALID'],
    ['a wrong content type', () => (tx.fault = { kind: 'content-type' }), /content type "text\/html/, 'EXCHANGE_INVALID'],
    ['an answer over the size cap', () => (tx.fault = { kind: 'huge', bytes: 20 * 1024 * 1024 }), /bytes allowed: refused/, 'EXCHANGE_INVALID'],
    ['a hang', () => (tx.fault = { kind: 'hang' }), /did not answer within 1 s \(4 attempts\)/, 'EXCHANGE_UNAVAILABLE'],
    ['a burst of 503s longer than the retries', () => (tx.fault = { kind: '5xx', count: 10 }), /answered 503.*\(4 attempts\)/, 'EXCHANGE_UNAVAILABLE'],
    ['an update without an id', () => (tx.fault = { kind: 'bad-update' }), /update 2: id is not a Graph id/, 'EXCHANGE_INVALID'],
    [
      'a next URL to another host',
      () => (tx.fault = { kind: 'foreign-next', next: 'http://127.0.0.2:9/v21.0/4242/threat_updates/?after=x' }),
      /paging\.next points to http:\/\/127\.0\.0\.2:9.*refused/,
      'EXCHANGE_INVALID',
    ],
  ];
  for (const [what, arm, message, code] of hostile)
    it(`refuses ${what}: nothing applied, the checkpoint unchanged`, async () => {
      const a = tx.add('HASH_PDQ', hex(32));
      const { node, admin } = await startNode('sqlite', tx);
      expect((await node.exchanges.fetch(NAME)).added).toBe(1);
      const checkpoint = await storedCheckpoint(node);
      const bank = await bankOf(node);
      tx.clock += 60;
      tx.remove(a.id);
      tx.add('HASH_SHA1', hex(20));
      tx.add('HASH_MD5', hex(16));
      arm();
      const r = await node.exchanges.fetch(NAME);
      expect(r.error_code).toBe(code);
      expect(r.error).toMatch(message);
      expect(r.pages).toBe(0);
      expect(await storedCheckpoint(node)).toBe(checkpoint);
      expect(await bankOf(node)).toEqual(bank);
      expect(await node.exchanges.status(admin, NAME)).toMatchObject({ last_fetch_succeeded: false, last_error_code: code });
      // Once the remote behaves, the same changes come in.
      tx.fault = { kind: 'none' };
      expect(await node.exchanges.fetch(NAME)).toMatchObject({ added: 2, deleted: 1 });
    });

  it('rides out a short burst of 503s (retried with back-off)', async () => {
    tx.add('HASH_PDQ', hex(32));
    tx.fault = { kind: '5xx', count: 2 };
    const { node } = await startNode('sqlite', tx);
    expect(await node.exchanges.fetch(NAME)).toMatchObject({ added: 1, up_to_date: true });
    expect(tx.threatUpdateRequests()).toHaveLength(3);
  });
});

describe('ThreatExchange updates as entries', () => {
  const pdq = hex(32);
  const update = (descriptors: unknown, extra: Record<string, unknown> = {}) => ({
    id: '901',
    indicator: pdq.toUpperCase(),
    type: 'HASH_PDQ',
    last_updated: 1_700_000_000,
    should_delete: false,
    descriptors,
    ...extra,
  });
  const read = (raw: unknown) => readUpdate(raw, '4242', 'alliance-test', 0);
  const d = (id: string, status: string, extra: Record<string, unknown> = {}) => ({ id, owner: { id: `${id}0` }, status, ...extra });

  it('reads statuses: MALICIOUS positive, with NON_MALICIOUS disputed, SUSPICIOUS a seed, NON_MALICIOUS only a deletion', () => {
    const meta = (r: ReturnType<typeof read>) => (r.entry as UpsertEntry).metadata!.threatexchange as Record<string, unknown>;
    expect(meta(read(update({ data: [d('1', 'MALICIOUS')] }))).opinion).toBe('positive');
    expect(meta(read(update({ data: [d('1', 'MALICIOUS'), d('2', 'NON_MALICIOUS')] }))).opinion).toBe('disputed');
    expect(meta(read(update({ data: [d('1', 'SUSPICIOUS')] }))).opinion).toBe('investigation_seed');
    expect(read(update({ data: [d('1', 'NON_MALICIOUS'), d('2', 'NON_MALICIOUS')] })).entry).toEqual({ seq: 0, op: 'delete', uid: 'fbte/4242/901' });
    expect(read(update({ data: [] })).entry?.op).toBe('delete');
    expect(read(update(undefined)).entry?.op).toBe('delete');
    // A tombstone needs neither indicator nor descriptors.
    expect(read({ id: 901, type: 'HASH_PDQ', last_updated: '1700000000', should_delete: true }).entry).toEqual({ seq: 0, op: 'delete', uid: 'fbte/4242/901' });
  });

  it('normalises the signal, reads both tag shapes and Graph times, drops descriptors without an owner', () => {
    const r = read(
      update({
        data: [
          d('3', 'MALICIOUS', { tags: { data: [{ id: '1', text: 'tag_b' }] }, added_on: '2020-07-01T18:58:54+0000' }),
          d('2', 'MALICIOUS', { tags: ['tag_a', 'tag_b'] }),
          { id: '4', status: 'MALICIOUS', tags: ['tag_hidden'] },
        ],
      }),
    );
    const e = r.entry as UpsertEntry;
    expect(e.signals).toEqual([{ type: 'pdq', value: pdq }]);
    expect(e.tags).toEqual(['tag_a', 'tag_b']);
    expect(e.first_seen).toBe('2020-07-01T18:58:54.000Z');
    const meta = e.metadata!.threatexchange as { descriptors: Array<{ id: string }>; owners: string[] };
    expect(meta.descriptors.map((x) => x.id)).toEqual(['2', '3']);
    expect(meta.owners).toEqual(['20', '30']);
    expect(r.time).toBe(1_700_000_000);
  });

  it('counts types and values Alliance cannot match as unmatchable, and refuses malformed updates', () => {
    expect(read(update({ data: [d('1', 'MALICIOUS')] }, { type: 'HASH_TMK' }))).toMatchObject({ entry: null, unmatchable: true });
    expect(read(update({ data: [d('1', 'MALICIOUS')] }, { indicator: 'not-a-hash' }))).toMatchObject({ entry: null, unmatchable: true });
    expect(() => read(update({ data: [d('1', 'MALICIOUS')] }, { last_updated: 'yesterday' }))).toThrow(/last_updated is not a time/);
    expect(() => read(update({ data: [d('1', 'MALICIOUS')] }, { id: '../x' }))).toThrow(/not a Graph id/);
    expect(() => read(update({ data: [d('1', 'MALICIOUS', { tags: 'tag_a' })] }))).toThrow(/tags are neither/);
    expect(() => read(update({ data: [d('1', 'MALICIOUS')] }, { should_delete: 'yes' }))).toThrow(/should_delete/);
  });
});
