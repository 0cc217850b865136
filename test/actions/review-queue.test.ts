/**
 * The review queue's context and bulk verdicts through the API, on both databases: each item says
 * where its content came from ("unknown" where the node does not know), one line per matching bank
 * with its best match, its urgency in words; a bulk verdict confirms only exact-hash matches of
 * already-confirmed content and refuses every other item on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankLines } from '../../src/actions/review-service.js';
import { describePriority, reviewPriority } from '../../src/actions/priority.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const P1 = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const P1_NEAR = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b23'; // 1 bit off
const P1_FAR = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2f'; // 3 bits off
const P2 = 'e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064';
const M1 = '0123456789abcdef0123456789abcdef';
const M3 = 'fedcba9876543210fedcba9876543210';

describe.each(DIALECTS)('the review queue on %s', (dialect) => {
  let api: TestApi;
  let analyst: string;
  let platform: string;
  const content: Record<string, number> = {};

  beforeAll(async () => {
    api = await startApi(dialect);
    analyst = await api.tokenFor('analyst', 'hotline-analysts');
    platform = await api.tokenFor('matcher', 'platform-uploads');
    await api.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    await api.call('POST', '/api/v1/banks', { name: 'PARTNER' });
    const add = async (key: string, bank: string, signals: Array<[string, string]>, classification: string) => {
      const r = await api.call('POST', `/api/v1/banks/${bank}/content`, {
        signals: signals.map(([signal_type, value]) => ({ signal_type, value })),
        classification,
      });
      expect(r.statusCode, r.body).toBe(201);
      content[key] = r.json().id;
    };
    await add(
      'a',
      'KNOWN',
      [
        ['pdq', P1],
        ['md5', M1],
      ],
      'industry:A1',
    );
    await add('a_near', 'KNOWN', [['pdq', P1_NEAR]], 'industry:A1');
    await add('partner', 'PARTNER', [['pdq', P1_FAR]], 'uk:C');
    await add('b', 'KNOWN', [['pdq', P2]], 'uk:C');
    await add('c', 'KNOWN', [['md5', M3]], 'industry:A1');
    expect((await api.call('POST', '/api/v1/rules', { name: 'review every match', actions: ['review'] })).statusCode).toBe(201);
  });
  afterAll(() => api.close());

  const submit = async (body: Record<string, unknown>) => {
    const r = await api.call('POST', '/api/v1/submissions', body, platform);
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: number; review_id: number | null; reupload_of: number | null };
  };
  const item = async (id: number) => (await api.call('GET', `/api/v1/reviews/${id}`, undefined, analyst)).json();
  let withContext: number;
  let bare: number;

  it('says where each item came from, and "unknown" for what the platform did not say', async () => {
    const first = await submit({
      signals: { pdq: P1 },
      source: 'profile-photo',
      external_id: 'post-17',
      ip: '193.99.144.80',
      url: 'https://images.example.com/p/17.jpg',
      account: { id: 'u-9', country: 'de' },
    });
    withContext = first.review_id!;
    const again = await submit({ signals: { pdq: P1 }, source: 'upload' }); // a re-upload waits on the first's review
    expect(again).toMatchObject({ review_id: null, reupload_of: first.id });
    bare = (await submit({ signals: { pdq: P2 } })).review_id!;

    const queue = (await api.call('GET', '/api/v1/reviews', undefined, analyst)).json();
    const shown = queue.items.find((i: { id: number }) => i.id === withContext);
    const received = new Date(shown.created_at).getTime();
    expect(shown.context).toEqual({
      source: 'profile-photo',
      external_id: 'post-17',
      account_id: 'u-9',
      account_country: 'DE',
      ip_country: 'DE',
      url: 'https://images.example.com/p/17.jpg',
      host: 'images.example.com',
      first_seen: expect.any(String),
      reuploads: 1,
    });
    expect(Math.abs(new Date(shown.context.first_seen).getTime() - received)).toBeLessThan(60_000);
    expect((await item(bare)).context).toMatchObject({
      source: 'upload',
      external_id: 'unknown',
      account_id: 'unknown',
      account_country: 'unknown',
      ip_country: 'unknown',
      url: 'unknown',
      host: 'unknown',
      reuploads: 0,
    });
  });

  it('shows one line per matching bank with its best match, and the urgency in words', async () => {
    const v = await item(withContext);
    expect(v.reasons.length).toBe(3); // three matches (two in KNOWN) …
    expect(v.banks).toEqual([
      // … two lines, the baseline bank first, each standing for its nearest match
      {
        bank: 'KNOWN',
        signal_type: 'pdq',
        distance: 0,
        match_percent: null,
        exact: false,
        classification: expect.objectContaining({ legal: 'baseline' }),
        matches: 2,
        content_ids: expect.arrayContaining([content.a, content.a_near]),
      },
      {
        bank: 'PARTNER',
        signal_type: 'pdq',
        distance: 3,
        match_percent: null,
        exact: false,
        classification: expect.objectContaining({ scheme: 'uk', value: 'C' }),
        matches: 1,
        content_ids: [content.partner],
      },
    ]);
    expect(v.urgency).toEqual({ level: 'urgent', reason: 'baseline-illegal classification, new to this node, nearest match at distance 0' });
    expect(v.priority).toBe(reviewPriority(v.reasons, true));
    expect(v.bulk).toEqual({ eligible: false, reason: `content ${content.a} is matched by similarity, not by an exact hash (MD5 or SHA-256)` });
  });

  it('confirms in bulk only exact-hash matches of confirmed content, refusing each other item on its own', async () => {
    // Confirmed once by a person (a PDQ match): content a is now confirmed; its MD5 arrives on its own.
    expect((await api.call('POST', `/api/v1/reviews/${withContext}/verdict`, { verdict: 'confirmed' }, analyst)).json().status).toBe('confirmed');
    const exact = (await submit({ signals: { md5: M1 } })).review_id!;
    const unconfirmed = (await submit({ signals: { md5: M3 } })).review_id!;
    expect((await item(exact)).bulk).toEqual({ eligible: true, reason: 'exact-hash matches of confirmed content' });
    expect((await item(exact)).banks).toMatchObject([{ bank: 'KNOWN', signal_type: 'md5', exact: true, distance: 0 }]);
    expect((await item(unconfirmed)).bulk).toEqual({ eligible: false, reason: `content ${content.c} has not been confirmed` });

    expect((await api.call('POST', '/api/v1/reviews/verdicts', { verdict: 'confirmed', ids: [exact] }, platform)).statusCode).toBe(403);
    const reject = await api.call('POST', '/api/v1/reviews/verdicts', { verdict: 'rejected', ids: [exact] }, analyst);
    expect([reject.statusCode, reject.json().code]).toEqual([400, 'VALIDATION']);
    expect((await item(exact)).status).toBe('pending');

    const r = await api.call('POST', '/api/v1/reviews/verdicts', { verdict: 'confirmed', ids: [exact, unconfirmed, bare, withContext, 999_999] }, analyst);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({
      confirmed: 1,
      refused: 4,
      results: [
        { id: exact, status: 'confirmed', code: null, message: null, warnings: [] },
        { id: unconfirmed, status: 'refused', code: 'REVIEW_NOT_BULK', message: expect.stringMatching(/has not been confirmed/), warnings: [] },
        { id: bare, status: 'refused', code: 'REVIEW_NOT_BULK', message: expect.stringMatching(/not by an exact hash/), warnings: [] },
        { id: withContext, status: 'refused', code: 'REVIEW_DECIDED', message: expect.any(String), warnings: [] },
        { id: 999_999, status: 'refused', code: 'REVIEW_NOT_FOUND', message: expect.any(String), warnings: [] },
      ],
    });
    expect([(await item(exact)).status, (await item(unconfirmed)).status, (await item(bare)).status]).toEqual(['confirmed', 'pending', 'pending']);
    const audit = (await api.call('GET', '/api/v1/audit?limit=200')).json().entries.filter((e: { action: string }) => e.action === 'review.confirm');
    expect(audit.map((e: { target: string }) => e.target).sort()).toEqual([String(withContext), String(exact)].sort());
  });
});

describe('review lines and urgency', () => {
  it('shows a vPDQ match as the share of frames that match', () => {
    const lines = bankLines([
      { signal_type: 'vpdq', bank: 'VIDEOS', content_id: 1, distance: 12.5, classification: null, uid: null },
      { signal_type: 'vpdq', bank: 'VIDEOS', content_id: 2, distance: 40, classification: null, uid: null },
    ]);
    expect(lines).toEqual([
      { bank: 'VIDEOS', signal_type: 'vpdq', distance: 12.5, match_percent: 87.5, exact: false, classification: null, matches: 2, content_ids: [1, 2] },
    ]);
  });

  it('reads every priority the queue gives back', () => {
    const baseline = { signal_type: 'pdq', bank: 'B', content_id: 1, distance: 4, uid: null };
    const at = (legal: 'baseline' | 'national' | 'unknown' | 'not_illegal', fresh: boolean) =>
      describePriority(reviewPriority([{ ...baseline, classification: { scheme: 'legal', value: legal, vics: null, uk: null, industry: null, legal } }], fresh))
        .level;
    expect([at('baseline', true), at('baseline', false), at('national', true), at('unknown', true), at('not_illegal', true)]).toEqual([
      'urgent',
      'high',
      'high',
      'normal',
      'low',
    ]);
    expect(describePriority(reviewPriority([], true))).toEqual({ level: 'low', reason: 'no match recorded' });
    expect(describePriority(5_040).reason).toBe('baseline-illegal classification, seen here before, nearest match at distance 4');
  });
});
