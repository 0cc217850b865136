/**
 * Acting on matches through the API, on both databases: rules decide; a matching upload waits
 * for review with its media encrypted at rest; the analyst's reveals are counted; a verdict is
 * final, deletes the media and becomes an opinion; re-uploads of confirmed content are blocked
 * at once; bad submissions change nothing.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMatchContexts, groupRulesVersion, matchContexts, rulesVersion } from '../../src/store/index.js';
import { submissionContents } from '../../src/store/migrations/0031-submission-contents.js';
import { multipart, startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';
import { PDQ_IMAGES } from '../support/paths.js';

const BRIDGE = join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg');
const BRIDGE_PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const OTHER_PDQ = 'e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064';

describe.each(DIALECTS)('submissions and reviews on %s', (dialect) => {
  let api: TestApi;
  let analyst: string;
  let platform: string;
  let known: number;

  beforeAll(async () => {
    api = await startApi(dialect);
    analyst = await api.tokenFor('analyst', 'hotline-analysts');
    platform = await api.tokenFor('matcher', 'platform-uploads');
    await api.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    known = (
      await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'pdq', value: BRIDGE_PDQ }], classification: 'industry:A1' })
    ).json().id;
    await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'pdq', value: OTHER_PDQ }], classification: 'uk:C' });
  });
  afterAll(() => api.close());

  const submissionCount = async () =>
    (
      await api.node.store.db
        .selectFrom('submissions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('rules are validated data', async () => {
    const noHook = await api.call('POST', '/api/v1/rules', { name: 'hooked', actions: ['webhook'] });
    expect([noHook.statusCode, noHook.json().code]).toEqual([400, 'RULE_INVALID']);
    const badLegal = await api.call('POST', '/api/v1/rules', { name: 'x', conditions: { legal: ['awful'] }, actions: ['review'] });
    expect(badLegal.json().message).toMatch(/"awful" is not one of baseline/);
    const badAction = await api.call('POST', '/api/v1/rules', { name: 'x', actions: ['delete-everything'] });
    expect(badAction.statusCode).toBe(400);
    const rule = await api.call('POST', '/api/v1/rules', {
      name: 'review known material',
      conditions: { banks: ['KNOWN'], max_distance: 31, classifications: ['vics:1', 'uk:c'] },
      actions: ['review', 'report', 'notice'],
    });
    expect(rule.statusCode, rule.body).toBe(201);
    expect(rule.json()).toMatchObject({
      enabled: true,
      conditions: { banks: ['KNOWN'], classifications: ['vics:1', 'uk:C'] },
      actions: ['review', 'report', 'notice'],
      webhook: null,
    });
    expect((await api.call('POST', '/api/v1/rules', { name: 'review known material', actions: ['review'] })).statusCode).toBe(409);
    expect((await api.call('GET', '/api/v1/rules', undefined, analyst)).statusCode).toBe(403);
  });

  let reviewId: number;
  let firstSubmission: number;

  it('a matching upload waits for review, its media encrypted at rest', async () => {
    const image = readFileSync(BRIDGE);
    const form = multipart('file', 'holiday.jpg', image, {
      source: 'upload',
      external_id: 'post-17',
      ip: '193.99.144.80',
      url: 'https://images.example.com/p/17.jpg',
      account: JSON.stringify({ id: 'u-9', country: 'de' }),
    });
    const r = await api.call('POST', '/api/v1/submissions/upload', form.payload, platform, form.headers);
    expect(r.statusCode, r.body).toBe(201);
    const s = r.json();
    expect(s).toMatchObject({
      decision: 'review',
      actions: ['review', 'report', 'notice'],
      reupload_of: null,
      rules: ['review known material'],
      matches: [{ bank: 'KNOWN', content_id: known, distance: 0, uid: null }],
    });
    reviewId = s.review_id;
    firstSubmission = s.id;
    const stored = readdirSync(join(api.env.dataDir, 'review-media'));
    expect(stored).toEqual([`${reviewId}.bin`]);
    const onDisk = readFileSync(join(api.env.dataDir, 'review-media', stored[0]));
    expect(onDisk.includes(image.subarray(0, 64))).toBe(false); // not the plain JPEG
    expect(onDisk.length).toBe(image.length + 28); // IV and tag only

    expect((await api.call('GET', '/api/v1/reviews', undefined, platform)).statusCode).toBe(403);
    const queue = (await api.call('GET', '/api/v1/reviews', undefined, analyst)).json();
    expect(queue).toMatchObject({
      pending: 1,
      reveals_today: 0,
      items: [
        {
          id: reviewId,
          status: 'pending',
          media: true,
          media_type: 'image/jpeg',
          source: 'upload',
          next_actions: ['report', 'notice'],
          signals: { pdq: BRIDGE_PDQ },
        },
      ],
    });
    const media = await api.call('GET', `/api/v1/reviews/${reviewId}/media`, undefined, analyst);
    expect([media.statusCode, media.headers['content-type'], media.headers['cache-control']]).toEqual([200, 'image/jpeg', 'no-store']);
    expect(media.rawPayload.equals(image)).toBe(true);
    expect((await api.call('POST', `/api/v1/reviews/${reviewId}/reveal`, undefined, analyst)).json()).toEqual({ reveals_today: 1 });
    expect((await api.call('POST', `/api/v1/reviews/${reviewId}/reveal`, undefined, analyst)).json()).toEqual({ reveals_today: 2 });
    expect((await api.call('GET', '/api/v1/reviews', undefined, analyst)).json().reveals_today).toBe(2);
  });

  it('a verdict is final, deletes the media and becomes an opinion on the matched content', async () => {
    const decided = await api.call('POST', `/api/v1/reviews/${reviewId}/verdict`, { verdict: 'confirmed', note: 'matches the known item' }, analyst);
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({
      status: 'confirmed',
      media: false,
      decided_by: expect.stringMatching(/hotline-analysts/),
      verdict_note: 'matches the known item',
    });
    expect(existsSync(join(api.env.dataDir, 'review-media', `${reviewId}.bin`))).toBe(false);
    const gone = await api.call('GET', `/api/v1/reviews/${reviewId}/media`, undefined, analyst);
    expect([gone.statusCode, gone.json().code]).toEqual([410, 'MEDIA_GONE']);
    const again = await api.call('POST', `/api/v1/reviews/${reviewId}/verdict`, { verdict: 'rejected' }, analyst);
    expect([again.statusCode, again.json().code]).toEqual([409, 'REVIEW_DECIDED']);
    expect((await api.call('GET', `/api/v1/content/${known}/opinions`)).json().counts).toEqual({ confirmed: 1 });
    const audit = (await api.call('GET', '/api/v1/audit?limit=200')).json().entries.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['submission', 'review.confirm']));
  });

  it('the same content uploaded again is blocked at once and counted as a re-upload', async () => {
    const form = multipart('file', 'again.jpg', readFileSync(BRIDGE), { source: 'upload' });
    const s = (await api.call('POST', '/api/v1/submissions/upload', form.payload, platform, form.headers)).json();
    expect(s).toMatchObject({ decision: 'block', actions: ['review', 'report', 'notice', 'block'], reupload_of: firstSubmission, review_id: null });
    expect((await api.call('GET', '/api/v1/reviews', undefined, analyst)).json().pending).toBe(0);
    expect(readdirSync(join(api.env.dataDir, 'review-media'))).toEqual([]);
  });

  it('content an analyst rejected is not queued again; content without a match is allowed and kept as hashes', async () => {
    const first = (await api.call('POST', '/api/v1/submissions', { signals: { pdq: OTHER_PDQ } }, platform)).json();
    expect(first).toMatchObject({ decision: 'review', matches: [{ classification: { scheme: 'uk', value: 'C' } }] });
    expect(
      (await api.call('POST', `/api/v1/reviews/${first.review_id}/verdict`, { verdict: 'rejected', note: 'not what it seemed' }, analyst)).json().status,
    ).toBe('rejected');
    const again = (await api.call('POST', '/api/v1/submissions', { signals: { pdq: OTHER_PDQ } }, platform)).json();
    expect(again).toMatchObject({ decision: 'allow', actions: ['report', 'notice'], review_id: null, reupload_of: first.id });
    const clean = (
      await api.call('POST', '/api/v1/submissions', { signals: { pdq: '0'.repeat(64), md5: 'a'.repeat(32) }, source: 'profile-photo' }, platform)
    ).json();
    expect(clean).toMatchObject({ decision: 'allow', actions: [], matches: [] });
    const kept = await api.node.store.db
      .selectFrom('submission_signals')
      .select(['signal_type', 'value'])
      .where('submission_id', '=', clean.id)
      .orderBy('signal_type')
      .execute();
    expect(kept).toEqual([
      { signal_type: 'md5', value: 'a'.repeat(32) },
      { signal_type: 'pdq', value: '0'.repeat(64) },
    ]);
  });

  it('two uploads of the same new content at once make one review', async () => {
    await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'md5', value: '7'.repeat(32) }], classification: 'vics:1' });
    const both = await Promise.all([1, 2].map(() => api.call('POST', '/api/v1/submissions', { signals: { md5: '7'.repeat(32) } }, platform)));
    const reviews = both.map((r) => r.json().review_id).filter((id) => id !== null);
    expect(reviews).toHaveLength(1);
    expect(both.map((r) => r.json().decision)).toEqual(['review', 'review']);
    await api.call('POST', `/api/v1/reviews/${reviews[0]}/verdict`, { verdict: 'rejected' }, analyst);
  });

  it.each([
    ['no signal', { signals: {} }, /no signal/],
    ['a bad hash', { signals: { pdq: 'xyz' } }, /pdq must be 64 hex digits/],
    ['an unknown signal type', { signals: { tlsh: 'abc' } }, /unknown signal type "tlsh"/],
    ['a bad IP', { signals: { pdq: BRIDGE_PDQ }, ip: '999.1.1.1' }, /ip: "999.1.1.1" is not an IPv4 or IPv6 address/],
    ['a non-http URL', { signals: { pdq: BRIDGE_PDQ }, url: 'file:///etc/passwd' }, /url: an http\(s\) URL/],
    ['an unknown account field', { signals: { pdq: BRIDGE_PDQ }, account: { password: 'x' } }, /additional properties/],
    ['an unknown country', { signals: { pdq: BRIDGE_PDQ }, account: { country: 'XX' } }, /account\.country: "XX" is not an ISO 3166-1 alpha-2 country code/],
    ['a time in the future', { signals: { pdq: BRIDGE_PDQ }, uploaded_at: '2999-01-01T00:00:00Z' }, /uploaded_at: .* not in the future/],
  ])('refuses %s with a clear message and stores nothing', async (_what, body, message) => {
    const before = await submissionCount();
    const r = await api.call('POST', '/api/v1/submissions', body, platform);
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(message);
    expect(await submissionCount()).toBe(before);
  });

  it('media of a review waiting past the retention period is deleted, its hashes kept', async () => {
    const photo = multipart('file', 'y.jpg', readFileSync(join(PDQ_IMAGES, 'misc-images', 'wee.jpg')), {});
    await api.call('POST', '/api/v1/banks/KNOWN/content', {
      signals: [{ signal_type: 'md5', value: (await api.call('POST', '/api/v1/hash', photo.payload, api.adminToken, photo.headers)).json().signals.md5.value }],
      classification: 'vics:1',
    });
    const pending = (await api.call('POST', '/api/v1/submissions/upload', photo.payload, platform, photo.headers)).json();
    expect(pending.decision).toBe('review');
    writeFileSync(join(api.env.dataDir, 'review-media', '999.bin'), 'left by a crash'); // no review needs it
    expect(await api.node.reviews.sweep(1)).toBe(1); // the orphan only: the pending review's media is not a day old yet
    expect(readdirSync(join(api.env.dataDir, 'review-media'))).toEqual([`${pending.review_id}.bin`]);
    expect(await api.node.reviews.sweep(0)).toBe(1);
    expect((await api.call('GET', `/api/v1/reviews/${pending.review_id}`, undefined, analyst)).json()).toMatchObject({
      status: 'pending',
      media: false,
      signals: { md5: expect.any(String) },
    });
    expect(readdirSync(join(api.env.dataDir, 'review-media'))).toEqual([]);
  });

  it('measures the chain: re-uploads blocked, verdicts, time from upload to match and to review', async () => {
    expect((await api.call('POST', '/api/v1/submissions', { signals: { md5: 'e'.repeat(32) }, uploaded_at: Date.now() - 5000 }, platform)).statusCode).toBe(
      201,
    ); // epoch ms
    await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'md5', value: 'f'.repeat(32) }], classification: 'vics:1' });
    await api.call('POST', '/api/v1/submissions', { signals: { md5: 'f'.repeat(32) }, uploaded_at: new Date(Date.now() - 7000).toISOString() }, platform);
    expect((await api.call('GET', '/api/v1/action-metrics', undefined, platform)).statusCode).toBe(403);
    const m = (await api.call('GET', '/api/v1/action-metrics', undefined, analyst)).json();
    expect(m).toMatchObject({
      reuploads_blocked: 1,
      reviews: { confirmed: 1, rejected: 2, pending: 2 },
      match_to_review: { count: 3 },
      upload_to_match: { count: 1 },
    });
    expect(m.upload_to_match.median_ms).toBeGreaterThanOrEqual(7000);
    expect(m.submissions).toBe(await submissionCount());
    expect(m.blocked).toBe(1);
  });

  it('a content uploaded many times is one row, and migration 0031 rebuilds the same rows from the submissions before it', async () => {
    const many = 'c'.repeat(64);
    const sent: Array<{ id: number; reupload_of: number | null }> = [];
    for (let i = 0; i < 30; i++) sent.push((await api.call('POST', '/api/v1/submissions', { signals: { pdq: many } }, platform)).json());
    expect(new Set(sent.slice(1).map((s) => s.reupload_of))).toEqual(new Set([sent[0].id]));
    const db = api.node.store.db;
    const contents = () =>
      db
        .selectFrom('submission_contents')
        .select(['signal_type', 'value_key', 'first_submission', 'review_item'])
        .orderBy('signal_type')
        .orderBy('value_key')
        .execute();
    const kept = await contents();
    expect(kept.filter((c) => c.first_submission === sent[0].id)).toHaveLength(1);
    // Every review this suite made (confirmed, rejected, pending) is its content's.
    expect(kept.filter((c) => c.review_item !== null).length).toBeGreaterThanOrEqual(3);
    await sql`drop table submission_contents`.execute(db);
    await submissionContents.up(db as never);
    expect(await contents()).toEqual(kept);
  });

  it('many uploads of a few new contents at once (PostgreSQL: several groups in flight) make one review a content, point re-uploads at the first and keep the audit chain whole', async () => {
    const values = [1, 2, 3, 4, 5].map((i) => String(i).repeat(32));
    for (const v of values) await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'md5', value: v }], classification: 'vics:1' });
    // Each upload carries one md5 and one pdq of its own (a new pdq each time: only the md5 repeats).
    const sent = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i % 7));
        const md5 = values[(i * 3) % values.length];
        const r = await api.call('POST', '/api/v1/submissions', { signals: { md5, pdq: (i + 1).toString(16).padStart(64, 'e') } }, platform);
        return { md5, status: r.statusCode, body: r.json() };
      }),
    );
    expect(sent.map((s) => s.status)).toEqual(sent.map(() => 201));
    for (const v of values) {
      const mine = sent.filter((s) => s.md5 === v).sort((a, b) => a.body.id - b.body.id);
      expect(mine.filter((s) => s.body.review_id !== null)).toHaveLength(1);
      expect(mine[0].body.review_id).not.toBeNull();
      expect(mine.slice(1).map((s) => s.body.reupload_of)).toEqual(mine.slice(1).map(() => mine[0].body.id));
    }
    const verified = await api.call('GET', '/api/v1/audit/verify');
    expect(verified.json()).toMatchObject({ ok: true });
  });
});

describe('a PostgreSQL group of submissions written in one statement', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('postgres');
    await api.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'md5', value: 'a'.repeat(32) }], classification: 'industry:A1' });
    await api.call('POST', '/api/v1/rules', { name: 'hold known', conditions: { banks: ['KNOWN'] }, actions: ['review'] });
    // A refusal the database makes for one row (as a constraint or a trigger of the deployment's would).
    await sql`create function refuse_marked() returns trigger language plpgsql as $$
      begin if new.external_id = 'refused-by-the-database' then raise exception 'refused'; end if; return new; end $$`.execute(api.node.store.db);
    await sql`create trigger refuse_marked before insert on submissions for each row execute function refuse_marked()`.execute(api.node.store.db);
  });
  afterAll(() => api.close());

  it('stores each acknowledged submission as answered — ids in order, re-uploads, reviews — and a row the database refuses fails alone', async () => {
    const platform = await api.node.members.authenticate(await api.tokenFor('matcher', 'platform-uploads'));
    const md5 = (i: number) => (i % 4 === 0 ? 'a'.repeat(32) : (i % 3).toString(16).repeat(32)); // one known content, three new
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        api.node.submissions.submit(platform, { signals: { md5: md5(i) }, source: 'group', external_id: i === 17 ? 'refused-by-the-database' : `upload-${i}` }),
      ),
    );
    expect(outcomes.map((o) => o.status === 'rejected')).toEqual(outcomes.map((_, i) => i === 17));
    const answers = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const rows = await api.node.store.db.selectFrom('submissions').selectAll().where('source', '=', 'group').orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.external_id, r.reupload_of, r.decision])).toEqual(
      [...answers].sort((a, b) => a.id - b.id).map((a) => [a.id, a.external_id, a.reupload_of, a.decision]),
    );
    // Each content: its first submission is the earliest answered, the others point at it, one review (the known one only).
    for (const value of new Set(answers.map((a) => JSON.parse(rows.find((r) => r.id === a.id)!.signals).md5 as string))) {
      const mine = rows.filter((r) => JSON.parse(r.signals).md5 === value);
      expect(mine.slice(1).map((r) => r.reupload_of)).toEqual(mine.slice(1).map(() => mine[0].id));
      expect(mine[0].reupload_of).toBeNull();
    }
    const contents = await api.node.store.db.selectFrom('submission_contents').select(['value_key', 'first_submission', 'review_item']).execute();
    expect(contents).toHaveLength(4);
    expect(contents.map((c) => c.first_submission).sort((a, b) => a - b)).toEqual(rows.filter((r) => r.reupload_of === null).map((r) => r.id));
    expect(contents.filter((c) => c.review_item !== null)).toHaveLength(1);
    const signals = await api.node.store.db.selectFrom('submission_signals').select('submission_id').orderBy('submission_id').execute();
    expect(signals.map((s) => s.submission_id)).toEqual(rows.map((r) => r.id));
    expect((await api.call('GET', '/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
  });

  it("answers a group's writes from what the group read at its start: as each alone, a signal deleted before it unmatched, the rules as they were", async () => {
    const admin = await api.node.operator();
    const platform = await api.node.members.authenticate(await api.tokenFor('matcher', 'platform-uploads'));
    const values = ['b'.repeat(32), 'c'.repeat(32), 'd'.repeat(32)];
    const added: Array<{ id: number }> = [];
    for (const value of values)
      added.push(await api.node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'md5', value }], classification: 'industry:B1' }));
    const signalIds = (await api.node.store.db.selectFrom('signals').select(['id', 'value']).where('value', 'in', values).execute()).map((r) => r.id);
    // What the group reads at its start is what a read of its own finds; a signal deleted meanwhile is not there.
    const [gone] = signalIds;
    await api.node.store.db.deleteFrom('signals').where('id', '=', gone).execute();
    const seen = await api.node.store.grouped(async (tx) => ({ contexts: groupMatchContexts(tx), version: groupRulesVersion(tx) }), {
      locks: ['md5:x'],
      reads: signalIds,
    });
    expect([...seen.contexts!.keys()].sort()).toEqual(signalIds.slice(1).sort());
    expect([...seen.contexts!.values()].sort((a, b) => a.signal_id - b.signal_id)).toEqual(
      (await matchContexts(api.node.store, signalIds)).sort((a, b) => a.signal_id - b.signal_id),
    );
    expect(seen.version).toEqual({ version: await rulesVersion(api.node.store.db) });
    // Submissions in groups answer as lookups one at a time do (the rules: one review a content, re-uploads blocked or held).
    await api.node.rules.create(admin, { name: 'block B1', conditions: { classifications: ['industry:B1'] }, actions: ['block'] });
    const mix = (i: number) => ({ md5: [...values, 'a'.repeat(32), 'e'.repeat(32)][i % 5] });
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => api.node.submissions.submit(platform, { signals: mix(i), source: 'mixed' })));
    for (const [i, answer] of answers.entries()) {
      const alone = await api.node.lookup.lookup('md5', mix(i).md5, { series: false, uids: true });
      expect(answer.matches.map((m) => [m.bank, m.content_id, m.distance, m.uid])).toEqual(
        alone.matches.map((m) => [m.bank, m.content_id, m.distance, m.content_uid]),
      );
      expect(answer.decision).toBe(alone.matches.length === 0 ? 'allow' : mix(i).md5 === 'a'.repeat(32) ? 'review' : 'block');
    }
    expect(answers.filter((a) => a.matches.some((m) => m.content_id === added[0].id))).toEqual([]);
  });

  it('runs the group statements as prepared statements with one generic plan a connection', async () => {
    const platform = await api.node.members.authenticate(await api.tokenFor('matcher', 'platform-uploads'));
    for (let i = 0; i < 12; i++) await api.node.submissions.submit(platform, { signals: { md5: 'f'.repeat(31) + (i % 10) }, source: 'one-by-one' });
    // Groups run one at a time on the pool's most recently used connection: this one's.
    const plans = await api.node.store.grouped(
      async (tx) =>
        (
          await sql<{
            statement: string;
            generic_plans: string;
            custom_plans: string;
          }>`select statement, generic_plans, custom_plans from pg_prepared_statements`.execute(tx)
        ).rows,
      { locks: ['md5:y'] },
    );
    const plan = (start: RegExp) => plans.find((p) => start.test(p.statement.trim()));
    for (const start of [
      /^select \(select count\(pg_advisory_xact_lock/,
      /^select\s+\(select coalesce\(json_agg\(k\)/,
      /^with s as \(insert into submissions/,
      /^with a as \(insert into audit_log/,
    ]) {
      const p = plan(start);
      expect(p, String(start)).toBeDefined();
      expect(Number(p!.generic_plans), String(start)).toBeGreaterThan(0);
    }
  });
});
