/**
 * A name that does not exist is an error, never a silent "nothing": a rule on a misspelt bank (it
 * would never fire), a lookup in a bank that is not there ("0 matches" would be a wrong answer),
 * routing, subscriptions, tokens and providers naming unknown peers, members or providers — each a
 * 4xx naming the unknown name and the nearest existing one, with nothing stored. On both
 * databases, and through the CLI (exit 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/dialects.js';
import { startApi, type TestApi } from '../support/api.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const KEY = `ed25519:${Buffer.alloc(32, 7).toString('base64')}`;

describe.each(DIALECTS)('unknown names on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect);
    expect((await api.call('POST', '/api/v1/banks', { name: 'DEMO_IMAGES' })).statusCode).toBe(201);
    expect(
      (await api.call('POST', '/api/v1/peers', { name: 'police-de', url: 'http://127.0.0.1:9', public_key: KEY, kind: 'authority', country: 'DE' })).statusCode,
    ).toBe(201);
    expect((await api.call('POST', '/api/v1/members', { name: 'hotline-fr', kind: 'hotline', country: 'FR' })).statusCode).toBe(201);
    expect(
      (await api.call('POST', '/api/v1/providers', { name: 'Example Hosting', domains: ['example-cdn.net'], abuse_url: 'https://example-cdn.net/abuse' }))
        .statusCode,
    ).toBe(201);
  });
  afterAll(() => api.close());

  const state = async () =>
    JSON.stringify(
      await Promise.all(['/api/v1/rules', '/api/v1/routing', '/api/v1/subscriptions', '/api/v1/tokens'].map(async (u) => (await api.call('GET', u)).json())),
    );

  it.each([
    [
      'a rule on a misspelt bank',
      'POST',
      '/api/v1/rules',
      { name: 'typo', conditions: { banks: ['DEMO_IMAGS'] }, actions: ['review'] },
      400,
      'RULE_INVALID',
      /no bank "DEMO_IMAGS" \(did you mean "DEMO_IMAGES"\?\)/,
    ],
    [
      'a lookup in a bank that is not there',
      'POST',
      '/api/v1/lookup',
      { signal_type: 'pdq', signal: PDQ, banks: ['DEMO_IMAGE'] },
      404,
      'BANK_NOT_FOUND',
      /no bank "DEMO_IMAGE" \(did you mean "DEMO_IMAGES"\?\)/,
    ],
    [
      'routing to a misspelt peer',
      'PUT',
      '/api/v1/routing/DE',
      { peer: 'polce-de' },
      400,
      'ROUTING_INVALID',
      /no peer "polce-de" \(did you mean "police-de"\?\)/,
    ],
    [
      'a subscription to a misspelt peer',
      'POST',
      '/api/v1/subscriptions',
      { peer: 'police-dee', bank: 'KNOWN' },
      404,
      'PEER_NOT_FOUND',
      /no peer "police-dee" \(did you mean "police-de"\?\)/,
    ],
    [
      'a token for a misspelt member',
      'POST',
      '/api/v1/tokens',
      { member: 'hotline-f', role: 'matcher' },
      404,
      'MEMBER_NOT_FOUND',
      /no member "hotline-f" \(did you mean "hotline-fr"\?\)/,
    ],
    [
      'removing a misspelt provider',
      'DELETE',
      '/api/v1/providers/Example%20Hostng',
      undefined,
      404,
      'NOTICE_NOT_FOUND',
      /no hosting provider "Example Hostng" \(did you mean "Example Hosting"\?\)/,
    ],
    [
      'a name far from any',
      'POST',
      '/api/v1/lookup',
      { signal_type: 'pdq', signal: PDQ, banks: ['ZZZZZZZZZZ'] },
      404,
      'BANK_NOT_FOUND',
      /^no bank "ZZZZZZZZZZ"$/,
    ],
  ] as const)('%s: a 4xx naming it and the nearest, nothing stored', async (_what, method, url, body, status, code, message) => {
    const before = await state();
    const r = await api.call(method, url, body);
    expect(r.statusCode, r.body).toBe(status);
    expect(r.json()).toMatchObject({ code, message: expect.stringMatching(message) });
    expect(await state()).toBe(before);
  });

  it('still answers lookups that name banks that exist', async () => {
    const r = await api.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: PDQ, banks: ['DEMO_IMAGES'] });
    expect(r.statusCode).toBe(200);
    expect(r.json().matches).toEqual([]);
  });
});

describe('unknown names in the CLI', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite');
    await api.call('POST', '/api/v1/banks', { name: 'DEMO_IMAGES' });
    await api.call('POST', '/api/v1/peers', { name: 'police-de', url: 'http://127.0.0.1:9', public_key: KEY, kind: 'authority', country: 'DE' });
    await api.call('POST', '/api/v1/members', { name: 'hotline-fr', kind: 'hotline', country: 'FR' });
  });
  afterAll(() => api.close());

  it('exits 2, naming the unknown name and the nearest', async () => {
    const data = ['--data', api.env.dataDir];
    const lookup = await runCli(['lookup', PDQ, '--type', 'pdq', '--bank', 'DEMO_IMAGS', ...data]);
    expect(lookup.code).toBe(2);
    expect(lookup.stderr).toMatch(/no bank "DEMO_IMAGS" \(did you mean "DEMO_IMAGES"\?\)/);
    const token = await runCli(['token', 'create', '--member', 'hotline-f', '--role', 'matcher', ...data]);
    expect(token.code).toBe(2);
    expect(token.stderr).toMatch(/did you mean "hotline-fr"/);
    const routing = await runCli(['routing', 'set', 'DE', 'polce-de', ...data]);
    expect(routing.code).toBe(2);
    expect(routing.stderr).toMatch(/did you mean "police-de"/);
  });
});
