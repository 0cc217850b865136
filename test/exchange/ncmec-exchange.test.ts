/**
 * The "ncmec" exchange against a stand-in of NCMEC's hash-sharing API v2 (test/support/ncmec-standin.ts):
 * three pages with later updates and deletions end as exactly the bank they describe; feedback
 * goes back as the documented PUTs (affirmative; negative with a reason GUID) and is recorded; a
 * wrong password is one refused request and a status, not a loop; hostile or broken answers
 * (XXE, entity expansion, malformed XML, a huge or never-ending body, a hang, a wrong content
 * type, 5xx bursts) are refused with a clear code, apply nothing of their page and move no
 * checkpoint, and the next good fetch goes on from where it stood.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ncmecApi } from '../../src/exchange/apis/ncmec.js';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';
import { entryRecord, SAMPLE_NEW_MD5, SAMPLE_PDQ, seed, startNcmecStandin, type Fault, type NcmecStandin } from '../support/ncmec-standin.js';

const PDQ = SAMPLE_PDQ;
const NEW_MD5 = SAMPLE_NEW_MD5;
const PAGE_1 = ['ncmec/42/image/image1', 'ncmec/42/video/video1'];
const FINAL = ['ncmec/101/video/willupdate', 'ncmec/42/image/image1', 'ncmec/42/image/image10', 'ncmec/42/video/video1', 'ncmec/44/image/img-pdq'];

async function contents(node: AllianceNode, admin: Principal, bank: string) {
  const b = await node.store.db.selectFrom('banks').select('id').where('name', '=', bank).executeTakeFirstOrThrow();
  const rows = await node.store.db.selectFrom('bank_content').select(['id', 'uid']).where('bank_id', '=', b.id).execute();
  const views = await Promise.all(rows.map((r) => node.banks.getContent(admin, r.id)));
  return new Map(rows.map((r, i) => [r.uid!, views[i]]));
}

const storedCheckpoint = async (node: AllianceNode, name: string) =>
  (await node.store.db.selectFrom('exchanges').select('checkpoint').where('name', '=', name).executeTakeFirstOrThrow()).checkpoint;

describe.each(DIALECTS)('the ncmec exchange on %s', (dialect) => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  let standin: NcmecStandin;

  beforeAll(async () => {
    env = await testConfig(dialect, { memberName: 'esp-test', syncTimeoutMs: '2000', exchangeBackoffMs: '5' });
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.operator();
    standin = await startNcmecStandin({ pageSize: 4 });
    seed(standin);
    await node.exchanges.setCredentials(admin, 'ncmec', { user: standin.user, password: standin.password });
  });
  afterAll(async () => {
    await node?.close();
    await standin?.close();
    env?.cleanup();
  });

  it('pulls three pages with updates and deletions into exactly the bank they describe', async () => {
    await node.exchanges.create(admin, { name: 'NCMEC', api: 'ncmec', config: { base_url: standin.url } });
    expect((await node.exchanges.get(admin, 'NCMEC')).config).toEqual({ environment: 'industry', test: false, base_url: standin.url });
    const report = await node.exchanges.fetch('NCMEC');
    expect(report).toMatchObject({ pages: 3, added: 6, updated: 1, deleted: 1, unmatchable: 1, up_to_date: true, restarted: false });
    expect(report.error).toBeUndefined();
    // One window from the start of time, its pages followed as given.
    const asked = standin.entryRequests();
    expect(asked.map((r) => r.page)).toEqual([1, 2, 3]);
    expect(asked[0].query.from).toBe('1970-01-01T00:00:00Z');
    expect(asked[1].query).toMatchObject({ from: asked[0].query.from, to: asked[0].query.to, start: '5', size: '4' });
    expect(asked.every((r) => r.authorized)).toBe(true);

    const got = await contents(node, admin, 'NCMEC');
    expect([...got.keys()].sort()).toEqual(FINAL);
    const image1 = got.get('ncmec/42/image/image1')!;
    expect(image1.signals.map((s) => [s.signal_type, s.value])).toEqual([
      ['md5', 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'],
      ['sha1', 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'],
    ]);
    expect(image1.classification).toMatchObject({ scheme: 'industry', value: 'A1' });
    const meta1 = image1.metadata!.ncmec as Record<string, any>;
    expect(meta1).toMatchObject({ member: { id: '42', name: 'Example Member' }, kind: 'image', id: 'image1' });
    expect(meta1.fingerprints.pdna).toMatch(/^a1a1/);
    const pdqItem = got.get('ncmec/44/image/img-pdq')!;
    expect(pdqItem.signals.map((s) => [s.signal_type, s.value])).toEqual([
      ['md5', 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0'],
      ['pdq', PDQ],
    ]);
    expect((pdqItem.metadata!.ncmec as Record<string, any>).fingerprints).toEqual({ netclean: 'opaque-n' });
    expect(pdqItem.classification).toMatchObject({ value: 'B1' });
    const updated = got.get('ncmec/101/video/willupdate')!;
    expect(updated.signals.map((s) => [s.signal_type, s.value])).toEqual([['md5', NEW_MD5]]);
    expect(updated.classification).toMatchObject({ value: 'A2' });
    expect((updated.metadata!.ncmec as Record<string, any>).fingerprints).toEqual({
      videntifier: 'opaque-v',
      'tmk-pdqf': 'href:/v2/entries/1/fingerprints/TMK_PDQF',
    });
    expect(got.get('ncmec/42/video/video1')!.classification).toBeNull();
    // What matches now: the new version's MD5, not the old one's, and nothing of the deleted entry.
    expect((await node.lookup.lookup('md5', NEW_MD5)).matches.map((m) => m.content_id)).toEqual([updated.id]);
    expect((await node.lookup.lookup('md5', 'facefacefacefacefacefacefaceface')).matches).toHaveLength(0);
    expect((await node.lookup.lookup('md5', 'bacebacebacebacebacebacebacebace')).matches).toHaveLength(0);

    const status = await node.exchanges.status(admin, 'NCMEC');
    expect(status).toMatchObject({ pages: 3, fetched_items: 10, unmatchable_items: 1, last_fetch_succeeded: true, up_to_date: true, last_error: null });
    const cp = JSON.parse((await storedCheckpoint(node, 'NCMEC'))!);
    expect(cp).toEqual({ from: Date.parse(asked[0].query.to) });
    expect(status.checkpoint_ts).toBe(new Date(cp.from).toISOString());

    // Caught up: the next fetch asks only for what came after, and changes nothing.
    const again = await node.exchanges.fetch('NCMEC');
    expect(again).toMatchObject({ added: 0, updated: 0, deleted: 0 });
    for (const r of standin.entryRequests().slice(3)) expect(Date.parse(r.query.from)).toBeGreaterThanOrEqual(cp.from);
    expect([...(await contents(node, admin, 'NCMEC')).keys()].sort()).toEqual(FINAL);

    // The remote's own view of this node's access.
    expect(await node.exchanges.remoteStatus(admin, 'NCMEC')).toMatchObject({
      ip_address: '127.0.0.1',
      username: 'test_user',
      member: { id: '1', name: 'test member' },
    });
  });

  it('sends opinions back as the documented feedback PUTs and records the answers', async () => {
    const got = await contents(node, admin, 'NCMEC');
    const image1 = got.get('ncmec/42/image/image1')!;
    standin.feedback.length = 0;
    const yes = await node.exchanges.sendOpinion(admin, image1.id, 'confirmed', null);
    expect(yes).toMatchObject({
      sent_to: 'NCMEC',
      uid: 'ncmec/42/image/image1',
      answer: { status: 'sent', feedback: 'affirmative', types: ['MD5', 'SHA1'], reason_guid: null },
    });
    expect(standin.feedback.map((f) => [f.method, f.path])).toEqual([
      ['PUT', '/v2/entries/42/image1/MD5/feedback'],
      ['PUT', '/v2/entries/42/image1/SHA1/feedback'],
    ]);
    for (const f of standin.feedback)
      expect(f.body).toBe('<feedbackSubmission xmlns="https://hashsharing.ncmec.org/hashsharing/v2"><affirmative/></feedbackSubmission>');

    // A reason by name: the GUID of that reason, from the type's reason list.
    standin.feedback.length = 0;
    const pdqItem = got.get('ncmec/44/image/img-pdq')!;
    const reasonsBefore = standin.requests.filter((r) => r.path.endsWith('/reasons')).length;
    const no = await node.federation.sendOpinion(admin, pdqItem.id, 'false_positive', 'example reason 2');
    expect(no).toMatchObject({ sent_to: 'NCMEC', uid: 'ncmec/44/image/img-pdq' });
    expect(standin.feedback.map((f) => f.path)).toEqual(['/v2/entries/44/img-pdq/MD5/feedback', '/v2/entries/44/img-pdq/PDQ/feedback']);
    for (const f of standin.feedback)
      expect(f.body).toBe(
        '<feedbackSubmission xmlns="https://hashsharing.ncmec.org/hashsharing/v2"><negative><reasonIds><guid>89abcdef-0123-4567-89ab-cdef01234567</guid></reasonIds></negative></feedbackSubmission>',
      );
    expect(
      standin.requests
        .filter((r) => r.path.endsWith('/reasons'))
        .map((r) => r.path)
        .slice(reasonsBefore),
    ).toEqual(['/v2/feedback/MD5/reasons', '/v2/feedback/PDQ/reasons']);

    // A GUID as the reason is sent as it is; a reason that names none takes the first offered.
    standin.feedback.length = 0;
    const updated = got.get('ncmec/101/video/willupdate')!;
    await node.exchanges.sendOpinion(admin, updated.id, 'disputed', '01234567-ABCD-0123-4567-012345678900');
    await node.exchanges.sendOpinion(admin, updated.id, 'false_positive', 'no such reason');
    expect(standin.feedback.map((f) => [f.path, /<guid>([^<]+)</.exec(f.body)![1]])).toEqual([
      ['/v2/entries/101/willupdate/MD5/feedback', '01234567-abcd-0123-4567-012345678900'],
      ['/v2/entries/101/willupdate/MD5/feedback', '01234567-abcd-0123-4567-012345678900'],
    ]);

    // A feedback PUT sets the feedback: after a 5xx it is sent again (3 attempts in all), then given up and recorded as failed.
    standin.feedback.length = 0;
    standin.failFeedback(2);
    const video1 = got.get('ncmec/42/video/video1')!;
    await node.exchanges.sendOpinion(admin, video1.id, 'confirmed', null);
    expect(standin.feedback.map((f) => f.path)).toEqual(['/v2/entries/42/video1/MD5/feedback', '/v2/entries/42/video1/SHA1/feedback']);
    standin.failFeedback(3);
    await expect(node.exchanges.sendOpinion(admin, video1.id, 'confirmed', null)).rejects.toMatchObject({ code: 'EXCHANGE_UNAVAILABLE' });
    const video1Opinions = await node.exchanges.opinionsOf(admin, video1.id);
    expect(video1Opinions.map((o) => o.status).sort()).toEqual(['failed', 'sent']);
    expect(video1Opinions.find((o) => o.status === 'failed')!.error).toMatch(/answered 503.*\(3 attempts\)/);

    const recorded = await node.exchanges.opinionsOf(admin, image1.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ opinion: 'confirmed', status: 'sent', error: null, answer: { feedback: 'affirmative', types: ['MD5', 'SHA1'] } });
    const recordedNo = await node.exchanges.opinionsOf(admin, pdqItem.id);
    expect(recordedNo[0]).toMatchObject({
      opinion: 'false_positive',
      reason: 'example reason 2',
      status: 'sent',
      answer: { feedback: 'negative', types: ['MD5', 'PDQ'], reason_guid: '89abcdef-0123-4567-89ab-cdef01234567' },
    });
  });
});

describe('the ncmec exchange with a wrong password, or a hostile remote', () => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  let standin: NcmecStandin;
  let n = 0;

  beforeAll(async () => {
    // 1.5 s a request: short for the hang cases, yet time enough for the huge answer's 64 MiB to
    // arrive on a loaded 2-core CI box (at 0.4 s the time limit was hit first, once in CI).
    env = await testConfig('sqlite', { memberName: 'esp-test', syncTimeoutMs: '1500', exchangeBackoffMs: '5' });
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.operator();
    standin = await startNcmecStandin({ pageSize: 4 });
    seed(standin);
    await node.exchanges.setCredentials(admin, 'ncmec', { user: standin.user, password: standin.password });
  });
  afterEach(() => {
    standin.setFault(null);
    standin.release();
  });
  afterAll(async () => {
    await node?.close();
    await standin?.close();
    env?.cleanup();
  });

  async function fresh() {
    const name = `HOSTILE_${++n}`;
    await node.exchanges.create(admin, { name, api: 'ncmec', config: { base_url: standin.url } });
    return name;
  }

  it('a wrong password: EXCHANGE_AUTH with a clear message, one request, and the scheduled fetch waits for new credentials', async () => {
    const name = await fresh();
    await node.exchanges.setCredentials(admin, 'ncmec', { user: standin.user, password: 'wrong' });
    const before = standin.requests.length;
    const r = await node.exchanges.fetch(name);
    expect(r).toMatchObject({ pages: 0, error_code: 'EXCHANGE_AUTH' });
    expect(r.error).toMatch(/refused the credentials \(HTTP 401\)/);
    const status = await node.exchanges.status(admin, name);
    expect(status).toMatchObject({ last_error_code: 'EXCHANGE_AUTH', last_fetch_succeeded: false, pages: 0 });
    expect(standin.requests.length - before).toBe(1);
    for (let i = 0; i < 3; i++) await node.exchanges.fetchAll({ scheduled: true });
    expect(standin.requests.length - before).toBe(1);
    expect(standin.requests.slice(before).every((q) => !q.authorized)).toBe(true);
    expect(await storedCheckpoint(node, name)).toBeNull();

    await new Promise((r) => setTimeout(r, 5)); // the credentials' time must be after the error's (ms clock)
    await node.exchanges.setCredentials(admin, 'ncmec', { user: standin.user, password: standin.password });
    const [after] = await node.exchanges.fetchAll({ scheduled: true });
    expect(after).toMatchObject({ exchange: name, pages: 3, added: 6 });
    expect(after.error).toBeUndefined();
  });

  it('no credentials: EXCHANGE_AUTH saying how to set them, and nothing is asked of the remote', async () => {
    const name = await fresh();
    await node.exchanges.setCredentials(admin, 'ncmec', null);
    const before = standin.requests.length;
    const r = await node.exchanges.fetch(name);
    expect(r.error_code).toBe('EXCHANGE_AUTH');
    expect(r.error).toMatch(/no NCMEC credentials/);
    expect(standin.requests.length).toBe(before);
    await node.exchanges.setCredentials(admin, 'ncmec', { user: standin.user, password: standin.password });
  });

  const hostile: Array<[string, Fault, string, RegExp]> = [
    ['an XXE external entity', { kind: 'xxe' }, 'EXCHANGE_INVALID', /<!DOCTYPE is not allowed/],
    ['entity expansion (billion laughs)', { kind: 'entity-bomb' }, 'EXCHANGE_INVALID', /<!DOCTYPE is not allowed/],
    ['malformed XML', { kind: 'malformed' }, 'EXCHANGE_INVALID', /malformed XML/],
    ['a document that is not a queryResult', { kind: 'wrong-root' }, 'EXCHANGE_INVALID', /not an NCMEC queryResult document/],
    ['a huge answer', { kind: 'huge' }, 'EXCHANGE_INVALID', /more than the 67,108,864 bytes allowed/],
    ['a never-ending stream', { kind: 'endless' }, 'EXCHANGE_UNAVAILABLE', /did not finish its answer within 1.5 s \(4 attempts\)/],
    ['a hang', { kind: 'hang' }, 'EXCHANGE_UNAVAILABLE', /did not answer within 1.5 s \(4 attempts\)/],
    ['a wrong content type', { kind: 'content-type' }, 'EXCHANGE_INVALID', /content type "text\/html", expected application\/xml or text\/xml/],
    ['a long 5xx burst', { kind: '5xx', count: 10 }, 'EXCHANGE_UNAVAILABLE', /answered 503.*\(4 attempts\)/],
    ['paging round in a circle', { kind: 'loop' }, 'EXCHANGE_INVALID', /paging link .* twice in one window/],
  ];

  it.each(hostile)(
    '%s on page 2: refused with a clear code, nothing of it applied, the checkpoint unmoved; the next fetch resumes',
    async (_what, fault, code, message) => {
      const name = await fresh();
      const first = standin.entryRequests().length;
      standin.setFault(fault, { page: 2 });
      const r = await node.exchanges.fetch(name);
      expect(r).toMatchObject({ pages: 1, added: 2, error_code: code });
      expect(r.error).toMatch(message);
      expect([...(await contents(node, admin, name)).keys()].sort()).toEqual(PAGE_1);
      const status = await node.exchanges.status(admin, name);
      expect(status).toMatchObject({ pages: 1, fetched_items: 4, last_fetch_succeeded: false, last_error_code: code, up_to_date: false });
      expect(status.last_error).toMatch(message);
      const cp = await storedCheckpoint(node, name);
      expect(JSON.parse(cp!)).toMatchObject({ from: 0, paging: { next: expect.stringMatching(/start=5&size=4/) } });

      // Again while the remote is still broken: nothing moves.
      if (fault.kind === '5xx') fault.count = 10;
      const r2 = await node.exchanges.fetch(name);
      expect(r2).toMatchObject({ pages: 0, error_code: code });
      expect(await storedCheckpoint(node, name)).toBe(cp);
      expect([...(await contents(node, admin, name)).keys()].sort()).toEqual(PAGE_1);

      // Mended: the fetch resumes at page 2 (page 1 is not asked for again) and completes.
      standin.setFault(null);
      standin.release();
      const mark = standin.entryRequests().length;
      const r3 = await node.exchanges.fetch(name);
      expect(r3).toMatchObject({ added: 4, updated: 1, deleted: 1, unmatchable: 1, up_to_date: true });
      const resumed = standin.entryRequests().slice(mark);
      expect(resumed.filter((q) => q.query.from === '1970-01-01T00:00:00Z').map((q) => q.page)).toEqual([2, 3]);
      // Seconds have passed: the windows after the first are new and empty, asked once each and no page.
      expect(resumed.slice(2).every((q) => q.page === 1 && Date.parse(q.query.from) > 0)).toBe(true);
      expect(r3.pages).toBe(2);
      expect(
        standin
          .entryRequests()
          .slice(first, mark)
          .every((q) => q.page !== 3),
      ).toBe(true);
      expect([...(await contents(node, admin, name)).keys()].sort()).toEqual(FINAL);
      expect(await node.exchanges.status(admin, name)).toMatchObject({
        pages: 1 + r3.pages,
        fetched_items: 10,
        last_fetch_succeeded: true,
        last_error_code: null,
      });
    },
  );

  it('a short 5xx burst is retried within the fetch; a slow answer within the deadline is taken', async () => {
    const name = await fresh();
    standin.setFault({ kind: '5xx', count: 3 }, { page: 2 });
    const r = await node.exchanges.fetch(name);
    expect(r).toMatchObject({ pages: 3, added: 6, updated: 1, deleted: 1 });
    expect(r.error).toBeUndefined();
    expect(standin.entryRequests().filter((q) => q.page === 2).length).toBeGreaterThanOrEqual(4);

    const slow = await fresh();
    standin.setFault({ kind: 'slow', ms: 100 }, { page: 3 });
    expect(await node.exchanges.fetch(slow)).toMatchObject({ pages: 3, added: 6, up_to_date: true });
  });

  it('a window whose first page shows it is too big shrinks before anything of it is applied; every entry arrives once', async () => {
    // Many entries in the first seconds after start_time: the first page covers 3 s of a 6-year window.
    const dense = await startNcmecStandin({ pageSize: 4 });
    try {
      const t0 = Date.parse('2020-01-01T00:00:00Z');
      for (let i = 0; i < 10; i++)
        dense.add(
          entryRecord({ kind: 'image', memberId: '46', id: `d${i}`, timestamp: t0 + 1000 * (i + 1), fingerprints: { md5: i.toString(16).padStart(32, '0') } }),
        );
      dense.add(entryRecord({ kind: 'video', memberId: '46', id: 'late', timestamp: '2024-06-01T00:00:00Z', fingerprints: { md5: 'f'.repeat(32) } }));
      const name = `HOSTILE_${++n}`;
      await node.exchanges.create(admin, { name, api: 'ncmec', config: { base_url: dense.url, start_time: '2020-01-01T00:00:00Z' } });
      const r = await node.exchanges.fetch(name);
      expect(r).toMatchObject({ added: 11, updated: 0, deleted: 0, up_to_date: true });
      expect(r.error).toBeUndefined();
      const asked = dense.entryRequests();
      // The probe of the whole span, then the same start with a much nearer end.
      expect(asked[0].query.from).toBe('2020-01-01T00:00:00Z');
      expect(asked[1].query.from).toBe('2020-01-01T00:00:00Z');
      expect(Date.parse(asked[1].query.to) - Date.parse(asked[1].query.from)).toBeLessThan(
        (Date.parse(asked[0].query.to) - Date.parse(asked[0].query.from)) / 4,
      );
      // Windows follow one another without gap or overlap up to the end.
      const starts = asked.filter((q) => q.page === 1).map((q) => [q.query.from, q.query.to]);
      for (let i = 2; i < starts.length; i++) expect(starts[i][0] === starts[i - 1][1] || starts[i][0] === starts[i - 1][0]).toBe(true);
      const got = await contents(node, admin, name);
      expect([...got.keys()].sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `ncmec/46/image/d${i}`), 'ncmec/46/video/late'].sort());
      // Every answer that carried entries is a page applied once, but the discarded probe; the empty windows are none.
      const stamps = dense.records.map((x) => x.timestamp);
      const carried = asked.filter((q) => stamps.filter((t) => t >= Date.parse(q.query.from) && t < Date.parse(q.query.to)).length > (q.page! - 1) * 4);
      expect(carried.length).toBeGreaterThan(3);
      expect(carried.length).toBeLessThan(asked.length - 1);
      expect(r.pages).toBe(carried.length - 1);
    } finally {
      await dense.close();
    }
  });

  it('an invalid fingerprint is dropped from its entry and shown in the status; the page and the rest of the exchange go on', async () => {
    const odd = await startNcmecStandin({ pageSize: 4 });
    try {
      const t0 = Date.parse('2021-01-01T00:00:00Z');
      const md5 = (i: number) => `ab${i}`.padEnd(32, 'c');
      // Spread over years: the first page covers most of the window, which is therefore not shrunk.
      const day = 86400_000;
      odd.add(
        entryRecord({ kind: 'image', memberId: '47', id: 'good', timestamp: t0, fingerprints: { md5: md5(1), pdq: PDQ } }),
        // An MD5 that stays and a PDQ of 63 digits that goes; a SHA-1 that is not hex with only opaque company: counted unmatchable.
        entryRecord({ kind: 'image', memberId: '47', id: 'short-pdq', timestamp: t0 + day * 300, fingerprints: { md5: md5(2), pdq: PDQ.slice(1) } }),
        entryRecord({ kind: 'video', memberId: '47', id: 'only-bad', timestamp: t0 + day * 600, fingerprints: { sha1: 'x'.repeat(40), pdna: 'opaque' } }),
        entryRecord({
          kind: 'image',
          memberId: '47',
          id: 'after',
          timestamp: t0 + day * 900,
          fingerprints: Object.fromEntries([
            ['md5', md5(3)],
            ['constructor', 'opaque-c'],
            ['__proto__', 'opaque-p'],
          ]),
        }),
        entryRecord({ kind: 'image', memberId: '47', id: 'next-page', timestamp: t0 + day * 1200, fingerprints: { md5: md5(4), pdq: 'zz' } }),
      );
      const name = `HOSTILE_${++n}`;
      await node.exchanges.create(admin, { name, api: 'ncmec', config: { base_url: odd.url, start_time: '2021-01-01T00:00:00Z' } });
      const r = await node.exchanges.fetch(name);
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ pages: 2, added: 4, unmatchable: 1, rejected: 3, up_to_date: true });
      const got = await contents(node, admin, name);
      expect([...got.keys()].sort()).toEqual(['ncmec/47/image/after', 'ncmec/47/image/good', 'ncmec/47/image/next-page', 'ncmec/47/image/short-pdq']);
      const signalsOf = (uid: string) => got.get(uid)!.signals.map((s) => `${s.signal_type}:${s.value}`);
      expect(signalsOf('ncmec/47/image/short-pdq')).toEqual([`md5:${md5(2)}`]);
      expect(signalsOf('ncmec/47/image/good')).toEqual([`md5:${md5(1)}`, `pdq:${PDQ}`]);
      // Fingerprint elements named like Object's own properties are kept as such, not looked up on the prototype.
      const after = got.get('ncmec/47/image/after')!.metadata as { ncmec: { fingerprints: Record<string, string> } };
      expect(Object.entries(after.ncmec.fingerprints)).toEqual([
        ['constructor', 'opaque-c'],
        ['__proto__', 'opaque-p'],
      ]);
      expect((await node.lookup.lookup('md5', md5(2))).matches).toHaveLength(1);
      const status = await node.exchanges.status(admin, name);
      expect(status).toMatchObject({ pages: 2, rejected_values: 3, unmatchable_items: 1, last_fetch_succeeded: true, last_error: null });
      // The reasons of the latest page that had any (the second page's PDQ).
      expect(status.rejected_reasons).toEqual([expect.stringMatching(/^line \d+: image next-page: fingerprint <pdq> is not a valid pdq \("zz"\)$/)]);
    } finally {
      await odd.close();
    }
  });

  it('an empty window moves the checkpoint but is no page', async () => {
    const name = `HOSTILE_${++n}`;
    // The seeded entries are all from before 2021.
    await node.exchanges.create(admin, { name, api: 'ncmec', config: { base_url: standin.url, start_time: '2024-01-01T00:00:00Z' } });
    const before = standin.entryRequests().length;
    const r = await node.exchanges.fetch(name);
    expect(r).toMatchObject({ pages: 0, added: 0, up_to_date: true });
    expect(r.error).toBeUndefined();
    expect(standin.entryRequests().length).toBeGreaterThan(before);
    const cp = JSON.parse((await storedCheckpoint(node, name))!);
    expect(cp.from).toBeGreaterThan(Date.parse('2024-01-01T00:00:00Z'));
    expect(await node.exchanges.status(admin, name)).toMatchObject({
      pages: 0,
      fetched_items: 0,
      up_to_date: true,
      checkpoint_ts: new Date(cp.from).toISOString(),
    });
  });

  it('a paging link to another host is refused (the credentials go to the configured base only)', async () => {
    const name = await fresh();
    await node.store.db
      .updateTable('exchanges')
      .set({ checkpoint: JSON.stringify({ from: 0, paging: { to: Date.now() - 60_000, next: 'http://127.0.0.2:9/v2/entries?start=5', at: Date.now() } }) })
      .where('name', '=', name)
      .execute();
    const before = standin.requests.length;
    const r = await node.exchanges.fetch(name);
    expect(r).toMatchObject({ pages: 0, error_code: 'EXCHANGE_INVALID' });
    expect(r.error).toMatch(/paging link to another place/);
    expect(standin.requests.length).toBe(before);
  });
});

describe('the ncmec checkpoint and configuration', () => {
  it('reads its checkpoint: unreadable ones are none, a paging URL older than 12 h restarts its window', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    const paging = { to: now - 3600_000, next: '/v2/entries?from=x&to=y&start=1001&size=1000&max=2000', at: now - 3600_000 };
    expect(ncmecApi.readCheckpoint({ from: 1000, paging }, now)).toEqual({ from: 1000, paging });
    expect(ncmecApi.readCheckpoint({ from: 1000, paging: { ...paging, at: now - 13 * 3600_000 } }, now)).toEqual({ from: 1000 });
    expect(ncmecApi.readCheckpoint({ from: 5000 }, now)).toEqual({ from: 5000 });
    for (const bad of [null, 'x', 42, [], {}, { from: 'soon' }, { from: NaN }, { from: 1, paging: { next: 3 } }, { from: 1, paging: 'x' }])
      expect(ncmecApi.readCheckpoint(bad, now)).toBeNull();
    expect(ncmecApi.checkpointTime!({ from: 1234 })).toBe(1234);
  });

  it('validates its configuration and credentials, and keeps credentials off plain http to other hosts', async () => {
    const env = await testConfig('sqlite');
    const node = await openNode(env.config);
    try {
      const admin = await node.operator();
      await expect(node.exchanges.create(admin, { name: 'BAD', api: 'ncmec', config: { environment: 'moon' } })).rejects.toMatchObject({
        code: 'EXCHANGE_CONFIG_INVALID',
      });
      await expect(node.exchanges.create(admin, { name: 'BAD', api: 'ncmec', config: { colour: 'red' } })).rejects.toThrow(/unknown field colour/);
      await expect(node.exchanges.setCredentials(admin, 'ncmec', { user: 'u' })).rejects.toMatchObject({ code: 'EXCHANGE_CONFIG_INVALID' });
      expect((await node.exchanges.create(admin, { name: 'NGO_TEST', api: 'ncmec', config: { environment: 'ngo', test: true } })).config).toEqual({
        environment: 'ngo',
        test: true,
      });
      await node.exchanges.create(admin, { name: 'PLAIN', api: 'ncmec', config: { base_url: 'http://example.org/hashsharing' } });
      await node.exchanges.setCredentials(admin, 'ncmec', { user: 'u', password: 'p' });
      const r = await node.exchanges.fetch('PLAIN');
      expect(r).toMatchObject({ error_code: 'EXCHANGE_CONFIG_INVALID' });
      expect(r.error).toMatch(/must be https/);
    } finally {
      await node.close();
      env.cleanup();
    }
  });
});
