/**
 * The check API (awareness): a listed search term — evasions included — gets the deterrence
 * message and help for the user's country, language and age; an upload's hash in a bank gets
 * blocked; nothing is kept of the query but a count per day, context and country. Messages are
 * versioned and reviewed by a second person; a language without an approved version falls back
 * to English (flagged), and every member country and language gets a message and help.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTRY_LANGUAGES, ALLIANCE_COUNTRIES } from '../../src/geo/alliance-countries.js';
import { MESSAGE_AUDIENCES, MESSAGE_CONTEXTS } from '../../src/awareness/messages.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const PDQ = 'f8f8f0cee0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22';
const NEAR_PDQ = 'f8f8f0cee0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b2d'; // 3 bits away
const SHA = 'a'.repeat(64);

describe.each(DIALECTS)('check API on %s', (dialect) => {
  let api: TestApi;
  let matcher: string;
  beforeAll(async () => {
    api = await startApi(dialect);
    matcher = await api.tokenFor('matcher', 'platform-1');
    expect((await api.call('POST', '/api/v1/banks', { name: 'SEARCH_TERMS' })).statusCode).toBe(201);
    expect((await api.call('POST', '/api/v1/banks/SEARCH_TERMS/content', { signals: [{ signal_type: 'keyword', value: 'forbiddenterm' }] })).statusCode).toBe(
      201,
    );
    expect((await api.call('POST', '/api/v1/banks', { name: 'KNOWN_IMAGES' })).statusCode).toBe(201);
    const r = await api.call('POST', '/api/v1/banks/KNOWN_IMAGES/content', {
      signals: [
        { signal_type: 'pdq', value: PDQ },
        { signal_type: 'sha256', value: SHA },
      ],
    });
    expect(r.statusCode, r.body).toBe(201);
  });
  afterAll(() => api.close());

  const text = (body: Record<string, unknown>, token: string | null = matcher) => api.call('POST', '/api/v1/check/text', body, token);
  const upload = (body: Record<string, unknown>, token: string | null = matcher) => api.call('POST', '/api/v1/check/upload', body, token);

  it('answers a listed term, evasions included, with the deterrence message and help; nothing for other text', async () => {
    const hit = await text({ text: 'where to find F0RB1DD3N.T3RM pics', country: 'BE', language: 'en' });
    expect(hit.statusCode, hit.body).toBe(200);
    const body = hit.json();
    expect(body).toMatchObject({ match: true, message: { context: 'search', audience: 'adult', language: 'en', fallback: false, version: 1 } });
    expect(body.message.title).toMatch(/illegal/);
    // Belgium's entries are placeholders: the international services stand in, flagged.
    expect(body.help.map((h: { kind: string }) => h.kind)).toEqual(['offender_prevention', 'hotline']);
    expect(
      body.help.every((h: { fallback: boolean; country: string; channels: unknown[] }) => h.fallback && h.country === 'ZZ' && h.channels.length === 1),
    ).toBe(true);
    expect(body.help_fallback).toBe(true);
    expect((await text({ text: 'forbidden terminal velocity', country: 'BE' })).json()).toEqual({
      match: false,
      message: null,
      help: [],
      help_fallback: false,
    });
    // Too short to hold a term is no match, not an error (people search "hi").
    expect((await text({ text: 'hi' })).json()).toEqual({ match: false, message: null, help: [], help_fallback: false });
    // A child searching the same gets the child's message and the child helpline only.
    const child = (await text({ text: 'forbiddenterm', audience: 'child' })).json();
    expect([child.message.audience, child.help.map((h: { kind: string }) => h.kind)]).toEqual(['child', ['child_helpline']]);
  });

  it("gives the country's curated entries, in the user's language first", async () => {
    const curator = await api.tokenFor('curator', 'hotline-be');
    const [hotline] = (await api.call('GET', '/api/v1/help-directory?country=BE&kind=hotline', undefined, curator)).json().entries;
    const r = await api.call(
      'PATCH',
      `/api/v1/help-directory/${hotline.id}`,
      { name: 'Example hotline (nl)', languages: ['nl'], channels: [{ type: 'web', value: 'https://hotline.example/nl' }] },
      curator,
    );
    expect(r.statusCode, r.body).toBe(200);
    const fr = await api.call(
      'POST',
      '/api/v1/help-directory',
      { country: 'BE', kind: 'hotline', name: 'Example hotline (fr)', languages: ['fr'], channels: [{ type: 'web', value: 'https://hotline.example/fr' }] },
      curator,
    );
    expect(fr.statusCode, fr.body).toBe(201);
    const body = (await text({ text: 'forbiddenterm', country: 'be', language: 'fr' })).json();
    expect(body.help.map((h: { name: string; fallback: boolean }) => [h.name, h.fallback])).toEqual([
      [expect.stringMatching(/Troubled Desire/), true],
      ['Example hotline (fr)', false],
      ['Example hotline (nl)', false],
    ]);
  });

  it('serves a translation once a second person approves it; until then English, flagged', async () => {
    const author = await api.tokenFor('curator', 'ngo-fr');
    const reviewer = await api.tokenFor('curator', 'ngo-fr-2');
    const before = (await text({ text: 'forbiddenterm', language: 'fr-BE' })).json().message;
    expect(before).toMatchObject({ language: 'en', requested_language: 'fr-BE', fallback: true });
    const overview = (await api.call('GET', '/api/v1/messages?language=fr', undefined, author)).json();
    expect(overview.entries).toHaveLength(MESSAGE_CONTEXTS.length * MESSAGE_AUDIENCES.length);
    expect(overview.entries.every((e: { fallback: boolean; served: unknown }) => e.fallback && e.served === null)).toBe(true);
    const draft = await api.call(
      'POST',
      '/api/v1/messages',
      { context: 'search', audience: 'adult', language: 'fr', title: 'Recherche bloquée', body: 'Texte de test.' },
      author,
    );
    expect([draft.statusCode, draft.json().status, draft.json().version]).toEqual([201, 'draft', 1]);
    expect((await text({ text: 'forbiddenterm', language: 'fr' })).json().message.fallback).toBe(true);
    const own = await api.call('POST', `/api/v1/messages/${draft.json().id}/review`, { decision: 'approve' }, author);
    expect([own.statusCode, own.json().code]).toEqual([409, 'MESSAGE_REVIEW_CONFLICT']);
    const ok = await api.call('POST', `/api/v1/messages/${draft.json().id}/review`, { decision: 'approve', note: 'checked' }, reviewer);
    expect(ok.json(), ok.body).toMatchObject({ status: 'approved' });
    expect((await api.call('POST', `/api/v1/messages/${draft.json().id}/review`, { decision: 'reject' }, reviewer)).statusCode).toBe(409);
    const served = (await text({ text: 'forbiddenterm', language: 'fr-BE' })).json().message;
    expect(served).toMatchObject({ language: 'fr', requested_language: 'fr-BE', fallback: false, title: 'Recherche bloquée', version: 1 });
    // Tags as browsers send them: underscores, numeric regions, scripts.
    expect((await text({ text: 'forbiddenterm', language: 'fr_ca' })).json().message).toMatchObject({
      language: 'fr',
      requested_language: 'fr-CA',
      fallback: false,
    });
    expect((await text({ text: 'forbiddenterm', language: 'es-419' })).json().message).toMatchObject({
      language: 'en',
      requested_language: 'es-419',
      fallback: true,
    });
    const frCa = (await api.call('GET', '/api/v1/messages?language=fr-CA', undefined, author))
      .json()
      .entries.find((e: { context: string; audience: string }) => e.context === 'search' && e.audience === 'adult');
    expect(frCa).toMatchObject({ served: null, shown_from: 'fr', fallback: false });
    // A second version, rejected, changes nothing served; the history keeps both.
    const v2 = (await api.call('POST', '/api/v1/messages', { context: 'search', audience: 'adult', language: 'fr', title: 'V2', body: 'V2' }, author)).json();
    expect(v2.version).toBe(2);
    expect((await api.call('POST', `/api/v1/messages/${v2.id}/review`, { decision: 'reject', note: 'tone' }, reviewer)).json().status).toBe('rejected');
    const history = (await api.call('GET', '/api/v1/messages/history?context=search&audience=adult&language=fr', undefined, author)).json().versions;
    expect(history.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [2, 'rejected'],
      [1, 'approved'],
    ]);
    expect((await text({ text: 'forbiddenterm', language: 'fr' })).json().message.title).toBe('Recherche bloquée');
    for (const [body, code] of [
      [{ context: 'search', audience: 'adult', language: 'french', title: 't', body: 'b' }, 'MESSAGE_INVALID'],
      [{ context: 'search', audience: 'adult', language: 'fr', title: '  ', body: 'b' }, 'MESSAGE_INVALID'],
    ] as const) {
      const r = await api.call('POST', '/api/v1/messages', body, author);
      expect([r.statusCode, r.json().code]).toEqual([400, code]);
    }
    expect(
      (await api.call('POST', '/api/v1/messages', { context: 'search', audience: 'adult', language: 'fr', title: 't', body: 'b' }, matcher)).statusCode,
    ).toBe(403);
  });

  it('blocks an upload whose hash is in a bank, from the hash alone', async () => {
    const blocked = await upload({ pdq: NEAR_PDQ, country: 'DE', language: 'de', audience: 'teen' });
    expect(blocked.json(), blocked.body).toMatchObject({
      action: 'block',
      matched: ['pdq'],
      match: true,
      message: { context: 'upload-blocked', audience: 'teen', language: 'en', fallback: true },
    });
    expect(blocked.json().help.map((h: { kind: string }) => h.kind)).toEqual(['child_helpline', 'victim_support', 'hotline']);
    expect((await upload({ sha256: SHA })).json()).toMatchObject({ action: 'block', matched: ['sha256'] });
    expect((await upload({ sha256: 'b'.repeat(64), pdq: '0'.repeat(63) + '1' })).json()).toMatchObject({ action: 'allow', match: false, message: null });
    // Country and language are display hints: ones the node cannot use never fail the check.
    const hints = (await upload({ sha256: SHA, country: 'XX', language: 'deutsch', audience: 'adult' })).json();
    expect(hints).toMatchObject({ action: 'block', message: { language: 'en' }, help_fallback: true });
    expect(hints.help.every((h: { country: string }) => h.country === 'ZZ')).toBe(true);
    for (const [body, code] of [
      [{ country: 'DE' }, 'CHECK_INVALID'],
      [{ pdq: 'xyz' }, 'SIGNAL_MALFORMED'],
      [{ sha256: SHA, audience: 'toddler' }, 'VALIDATION'],
    ] as const) {
      const r = await upload(body);
      expect([r.statusCode, r.json().code], r.body).toEqual([400, code]);
    }
  });

  it('refuses bad requests and tokens without the check permission', async () => {
    expect((await text({ text: '   ' })).json().code).toBe('CHECK_INVALID');
    expect((await text({ text: 'x'.repeat(2001) })).statusCode).toBe(400);
    expect((await text({ text: 'forbiddenterm', context: 'upload-blocked' })).statusCode).toBe(400);
    expect((await api.call('POST', '/api/v1/check/text', 'not json', matcher, { 'content-type': 'application/json' })).statusCode).toBe(400);
    expect((await text({ text: 'forbiddenterm' }, await api.tokenFor('auditor'))).statusCode).toBe(403);
    expect((await text({ text: 'forbiddenterm' }, null)).statusCode).toBe(401);
  });

  it('gives every member country and language a message and help (or the documented fall-back)', async () => {
    let answers = 0;
    for (const country of ALLIANCE_COUNTRIES) {
      for (const language of COUNTRY_LANGUAGES[country]) {
        for (const context of MESSAGE_CONTEXTS) {
          for (const audience of MESSAGE_AUDIENCES) {
            const r = await api.call(
              'GET',
              `/api/v1/check/message?context=${context}&audience=${audience}&country=${country}&language=${language}`,
              undefined,
              matcher,
            );
            const body = r.json();
            expect(r.statusCode, r.body).toBe(200);
            expect(body.message.title.length).toBeGreaterThan(0);
            expect(
              body.message.language === language ||
                (body.message.language === 'en' && body.message.fallback === true) ||
                body.message.language === language.split('-')[0],
            ).toBe(true);
            expect(body.help.length).toBeGreaterThan(0);
            expect(body.help.every((h: { channels: unknown[] }) => h.channels.length > 0)).toBe(true);
            answers++;
          }
        }
      }
    }
    expect(ALLIANCE_COUNTRIES.every((c) => COUNTRY_LANGUAGES[c]?.length)).toBe(true);
    expect(answers).toBeGreaterThan(55 * 12);
  });

  it('counts messages served per context and country, and keeps no query text', async () => {
    const marker = 'forbiddenterm uniquemarkerqxz';
    const counts = async () => {
      await api.node.check.flushCounts();
      const rows = await api.node.store.db.selectFrom('message_counts').selectAll().where('country', '=', 'NL').execute();
      return Object.fromEntries(rows.map((r) => [r.context, Number(r.count)]));
    };
    const before = await counts();
    for (let i = 0; i < 3; i++) expect((await text({ text: marker, country: 'NL' })).json().match).toBe(true);
    expect((await upload({ sha256: SHA, country: 'NL' })).json().action).toBe('block');
    const after = await counts();
    expect(Object.keys(after).map((c) => [c, after[c] - (before[c] ?? 0)])).toEqual(
      Object.keys(after).map((c) => [c, c === 'search' ? 3 : c === 'upload-blocked' ? 1 : 0]),
    );
    const year = new Date().getUTCFullYear();
    const ind = (await api.call('GET', `/api/v1/indicators?period=${year}`)).json();
    expect(ind.indicators.values['awareness.deterrence_messages']).toBeGreaterThanOrEqual(3);
    if (dialect === 'sqlite') {
      await api.node.audit.flush();
      for (const f of readdirSync(api.env.config.dataDir, { recursive: true, withFileTypes: true })) {
        if (f.isFile()) expect(readFileSync(join(f.parentPath, f.name)).includes('uniquemarkerqxz'), f.name).toBe(false);
      }
    }
  });
});

describe("check API from a platform's own site (CORS)", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite', { checkOrigins: 'https://platform.example, http://127.0.0.1:8080/' } as Record<string, string>);
  });
  afterAll(() => api.close());

  it('answers preflights and check calls from listed origins only, and no other route', async () => {
    const pre = await api.call('OPTIONS', '/api/v1/check/text', undefined, null, {
      origin: 'https://platform.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    });
    expect([pre.statusCode, pre.headers['access-control-allow-origin'], pre.headers['access-control-allow-headers']]).toEqual([
      204,
      'https://platform.example',
      'authorization, content-type',
    ]);
    const call = await api.call('POST', '/api/v1/check/text', { text: 'hello' }, undefined, { origin: 'http://127.0.0.1:8080' });
    expect([call.statusCode, call.headers['access-control-allow-origin']]).toEqual([200, 'http://127.0.0.1:8080']);
    const other = await api.call('OPTIONS', '/api/v1/check/text', undefined, null, {
      origin: 'https://elsewhere.example',
      'access-control-request-method': 'POST',
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const banks = await api.call('GET', '/api/v1/banks', undefined, undefined, { origin: 'https://platform.example' });
    expect(banks.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a list that holds something other than origins', async () => {
    await expect(startApi('sqlite', { checkOrigins: 'https://ok.example,platform.example/path' } as Record<string, string>)).rejects.toThrow(/not an origin/);
  });
});
