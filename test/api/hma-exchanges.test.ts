/**
 * HMA's exchange API (docs/hma-api.md, "Exchanges"; REFERENCE §9): the sample exchange created,
 * fetched, looked up and deleted through HMA's routes; every error with HMA's status and text;
 * credentials set and cleared (never returned); the liveness routes without a token; 405 for a
 * known path asked with another method; HMA's OpenAPI path. On both databases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerExchangeApi } from '../../src/exchange/index.js';
import { SIGNAL_TYPES } from '../../src/signals/registry.js';
import { DIALECTS } from '../support/dialects.js';
import { startApi, type TestApi } from '../support/api.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

/** The types the sample exchange yields, with the HMA name they are looked up by. */
const EXAMPLES = [...SIGNAL_TYPES.values()].flatMap((t) => (t.example !== undefined && t.hma ? [{ hma: t.hma.name, value: t.example }] : []));
const SECRET = 'tok-0f3a9c51e7d2b846';

let unregister: () => void = () => undefined;
beforeAll(() => {
  // An API that takes credentials and has a configuration with each kind of field (never fetched here).
  unregister = registerExchangeApi({
    name: 'test_with_creds',
    description: 'a test API with credentials',
    configSchema: Type.Object({
      privacy_group: Type.Integer({ description: 'the group to fetch' }),
      environment: Type.Union([Type.Literal('test'), Type.Literal('production')], { default: 'test' }),
      tags: Type.Optional(Type.Array(Type.String(), { uniqueItems: true })),
      verbose: Type.Boolean({ default: false }),
    }),
    credentialSchema: Type.Object({ api_token: Type.String({ minLength: 3 }) }, { additionalProperties: false }),
    readCheckpoint: () => null,
    // eslint-disable-next-line require-yield
    async *fetch() {
      throw new Error('not fetched in this test');
    },
  });
});
afterAll(() => unregister());

describe.each(DIALECTS)('HMA exchange API on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect);
  });
  afterAll(() => api.close());

  const lookup = async (hma: string, value: string) =>
    (await api.call('GET', `/m/raw_lookup?signal_type=${hma}&signal=${encodeURIComponent(value)}`)).json().matches as number[];

  it('the sample exchange: created (with its bank), status before and after a fetch, found by lookups, deleted with its bank', async () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(2);
    expect((await api.call('GET', '/c/exchanges/apis')).json()).toContain('sample');
    expect((await api.call('GET', '/c/exchanges')).json()).toEqual([]);
    const created = await api.call('POST', '/c/exchanges', { api: 'sample', bank: 'SAMPLE', api_json: {} });
    expect([created.statusCode, created.json()]).toEqual([201, { message: 'Created successfully' }]);
    expect((await api.call('GET', '/c/exchanges')).json()).toEqual(['SAMPLE']);
    expect((await api.call('GET', '/c/bank/SAMPLE')).json()).toEqual({ matching_enabled_ratio: 1, name: 'SAMPLE' });
    expect((await api.call('GET', '/c/exchange/SAMPLE')).json()).toEqual({ name: 'SAMPLE', api: 'sample', enabled: true });

    const before = await api.call('GET', '/c/exchange/SAMPLE/status');
    expect([before.statusCode, before.json()]).toEqual([
      200,
      { checkpoint_ts: null, running_fetch_start_ts: null, last_fetch_complete_ts: null, last_fetch_succeeded: null, up_to_date: false, fetched_items: 0 },
    ]);
    for (const e of EXAMPLES) expect(await lookup(e.hma, e.value)).toEqual([]);

    // HMA has no route that starts a fetch (its fetcher runs on a timer, as `alliance serve`'s does).
    const t0 = Math.floor(Date.now() / 1000);
    const report = await api.node.exchanges.fetch('SAMPLE');
    const t1 = Math.ceil(Date.now() / 1000);
    expect(report).toMatchObject({ added: EXAMPLES.length, up_to_date: true });
    const after = (await api.call('GET', '/c/exchange/SAMPLE/status')).json();
    expect(after).toMatchObject({
      checkpoint_ts: null,
      running_fetch_start_ts: null,
      last_fetch_succeeded: true,
      up_to_date: true,
      fetched_items: EXAMPLES.length,
    });
    // Unix seconds, as HMA stores them.
    expect(Number.isInteger(after.last_fetch_complete_ts)).toBe(true);
    expect(after.last_fetch_complete_ts).toBeGreaterThanOrEqual(t0);
    expect(after.last_fetch_complete_ts).toBeLessThanOrEqual(t1);

    for (const e of EXAMPLES) {
      const ids = await lookup(e.hma, e.value);
      expect(ids, e.hma).toHaveLength(1);
      const withDistance = (await api.call('GET', `/m/raw_lookup?signal_type=${e.hma}&signal=${encodeURIComponent(e.value)}&include_distance=true`)).json();
      expect(withDistance.matches).toEqual([{ bank_content_id: ids[0], distance: expect.any(String) }]);
      const byBank = (await api.call('GET', `/m/lookup?signal_type=${e.hma}&signal=${encodeURIComponent(e.value)}`)).json();
      expect(Object.keys(byBank)).toEqual(['SAMPLE']);
    }

    // A second fetch brings nothing new: the exchange still holds one item per type.
    await api.node.exchanges.fetch('SAMPLE');
    expect((await api.call('GET', '/c/exchange/SAMPLE/status')).json().fetched_items).toBe(EXAMPLES.length);
    const index = (await api.call('GET', '/c/signal_type/index')).json();
    for (const e of EXAMPLES) expect(index[e.hma]).toMatchObject({ index_out_of_date: false, db_size: expect.any(Number) });
    expect(Object.keys(index).sort()).toEqual((await api.call('GET', '/c/signal_type')).json().map((t: { name: string }) => t.name));

    const disabled = await api.call('PUT', '/c/exchange/SAMPLE', { enabled: false });
    expect([disabled.statusCode, disabled.json()]).toEqual([200, { name: 'SAMPLE', api: 'sample', enabled: false }]);
    expect((await api.call('GET', '/c/exchange/SAMPLE')).json().enabled).toBe(false);
    expect((await api.call('PUT', '/c/exchange/SAMPLE', { enabled: true })).json().enabled).toBe(true);
    expect((await api.call('PUT', '/c/exchange/SAMPLE', {})).json()).toEqual({ name: 'SAMPLE', api: 'sample', enabled: true });
    expect((await api.call('PUT', '/c/exchange/SAMPLE', { enabled: 'no' })).statusCode).toBe(400);

    const deleted = await api.call('DELETE', '/c/exchange/SAMPLE');
    expect([deleted.statusCode, deleted.json()]).toEqual([200, { message: 'Exchange deleted' }]);
    const gone = await api.call('GET', '/c/exchange/SAMPLE');
    expect([gone.statusCode, gone.json().message]).toEqual([404, "Exchange 'SAMPLE' not found"]);
    expect((await api.call('GET', '/c/bank/SAMPLE')).statusCode).toBe(404);
    expect((await api.call('GET', '/c/exchanges')).json()).toEqual([]);
    for (const e of EXAMPLES) expect(await lookup(e.hma, e.value)).toEqual([]);
    // As HMA: deleting an exchange that does not exist is 200.
    expect((await api.call('DELETE', '/c/exchange/SAMPLE')).json()).toEqual({ message: 'Exchange deleted' });
  });

  it('refuses a bad exchange with HMA statuses and messages', async () => {
    const create = async (body: unknown) => {
      const r = await api.call('POST', '/c/exchanges', body);
      return [r.statusCode, r.json().message];
    };
    expect(await create({ api: 'sample', api_json: {} })).toEqual([400, 'bank is required']);
    expect(await create({ api: 'sample', bank: null })).toEqual([400, 'bank is required']);
    for (const bank of ['lower_case', 'WITH-DASH', '', 5])
      expect(await create({ api: 'sample', bank, api_json: {} }), String(bank)).toEqual([400, 'Field `bank` must match /^[A-Z0-9_]+$/']);
    for (const apiJson of [[], 'x', null, 3])
      expect(await create({ api: 'sample', bank: 'BAD', api_json: apiJson })).toEqual([400, 'Field `api_json` must be object']);
    expect(await create({ bank: 'BAD', api_json: {} })).toEqual([400, 'Field `api_type` is required']);
    expect(await create({ bank: 'BAD', api: 'nope', api_json: {} })).toEqual([400, "No such exchange type 'nope'"]);
    expect((await create([{ bank: 'BAD' }]))[0]).toBe(400);
    const [status, message] = await create({ bank: 'BAD', api: 'test_with_creds', api_json: { environment: 'staging' } });
    expect([status, message]).toEqual([400, expect.stringMatching(/^Failed to parse `api_json` - /)]);
    expect((await create({ bank: 'BAD', api: 'sample', api_json: { enabled: 'yes' } }))[0]).toBe(400);
    // Nothing of the refused ones was created.
    expect((await api.call('GET', '/c/exchanges')).json()).toEqual([]);
    expect((await api.call('GET', '/c/banks')).json().map((b: { name: string }) => b.name)).not.toContain('BAD');

    // api_json's own fields: HMA takes `enabled` from it and sets name and api itself.
    expect(await create({ bank: 'OFF', api: 'sample', api_json: { enabled: false, name: 'IGNORED', api: 'ignored' } })).toEqual([201, 'Created successfully']);
    expect((await api.call('GET', '/c/exchange/OFF')).json()).toEqual({ name: 'OFF', api: 'sample', enabled: false });
    // The API's configuration comes back in HMA's shape (its fields beside name, api, enabled).
    expect(await create({ bank: 'TX', api: 'test_with_creds', api_json: { privacy_group: 1234 } })).toEqual([201, 'Created successfully']);
    expect((await api.call('GET', '/c/exchange/TX')).json()).toEqual({
      name: 'TX',
      api: 'test_with_creds',
      enabled: true,
      privacy_group: 1234,
      environment: 'test',
      verbose: false,
    });
    // An exchange fills a bank of its own: a taken name is a conflict (HMA: an unhandled 500).
    await api.call('POST', '/c/banks', { name: 'TAKEN' });
    expect((await create({ bank: 'TAKEN', api: 'sample' }))[0]).toBe(409);
    expect((await create({ bank: 'OFF', api: 'sample' }))[0]).toBe(409);

    const status404 = await api.call('GET', '/c/exchange/NONEXISTENT_EXCHANGE/status');
    expect([status404.statusCode, status404.json().message]).toEqual([404, "Exchange 'NONEXISTENT_EXCHANGE' not found"]);
    expect((await api.call('PUT', '/c/exchange/NONEXISTENT_EXCHANGE', { enabled: true })).statusCode).toBe(404);
    for (const name of ['OFF', 'TX']) expect((await api.call('DELETE', `/c/exchange/${name}`)).statusCode).toBe(200);
    await api.call('DELETE', '/c/bank/TAKEN');
  });

  it('API credentials: set, cleared, never returned; schemas of configuration and credentials', async () => {
    expect((await api.call('GET', '/c/exchanges/api/sample')).json()).toEqual({ supports_authentification: false, has_set_authentification: false });
    const tx = '/c/exchanges/api/test_with_creds';
    expect((await api.call('GET', tx)).json()).toEqual({ supports_authentification: true, has_set_authentification: false });
    for (const method of ['GET', 'POST'] as const) {
      const unknown = await api.call(method, '/c/exchanges/api/nope', method === 'POST' ? { credential_json: {} } : undefined);
      expect([unknown.statusCode, unknown.json().message]).toEqual([400, "no such Exchange API 'nope'"]);
    }
    for (const body of [['x'], 'text', 7]) {
      const bad = await api.call('POST', tx, JSON.stringify(body), undefined, { 'content-type': 'application/json' });
      expect([bad.statusCode, bad.json().message]).toEqual([400, 'this endpoint expects a json object payload']);
    }

    const set = await api.call('POST', tx, { credential_json: { api_token: SECRET } });
    expect([set.statusCode, set.json()]).toEqual([200, { supports_authentification: true, has_set_authentification: true }]);
    expect((await api.call('GET', tx)).json()).toEqual({ supports_authentification: true, has_set_authentification: true });
    // No credential_json (or null): nothing changes.
    expect((await api.call('POST', tx, {})).json().has_set_authentification).toBe(true);
    expect((await api.call('POST', tx, { credential_json: null })).json().has_set_authentification).toBe(true);
    // Credentials that do not fit the API's schema are refused, and the stored ones stay.
    expect((await api.call('POST', tx, { credential_json: { api_token: 5 } })).statusCode).toBe(400);
    expect((await api.call('POST', tx, { credential_json: { api_token: SECRET, extra: 1 } })).statusCode).toBe(400);
    expect((await api.call('POST', '/c/exchanges/api/sample', { credential_json: { api_token: SECRET } })).statusCode).toBe(400);
    expect((await api.call('GET', tx)).json().has_set_authentification).toBe(true);
    // Never returned: no answer of the surface holds them.
    for (const url of [tx, `${tx}/schema`, '/c/exchanges/apis', '/c/exchanges']) expect((await api.call('GET', url)).body, url).not.toContain(SECRET);

    const cleared = await api.call('POST', tx, { credential_json: {} });
    expect([cleared.statusCode, cleared.json()]).toEqual([200, { supports_authentification: true, has_set_authentification: false }]);
    expect((await api.call('GET', tx)).json().has_set_authentification).toBe(false);

    const sample = await api.call('GET', '/c/exchanges/api/sample/schema');
    expect([sample.statusCode, sample.json()]).toEqual([200, { config_schema: { fields: [] }, credentials_schema: null }]);
    const schema = (await api.call('GET', `${tx}/schema`)).json();
    expect(schema.config_schema.fields).toEqual([
      { name: 'privacy_group', type: 'number', required: true, default: null, help: 'the group to fetch', choices: null },
      { name: 'environment', type: 'enum', required: false, default: 'test', help: '', choices: ['test', 'production'] },
      { name: 'tags', type: 'set_of_string', required: false, default: null, help: '', choices: null },
      { name: 'verbose', type: 'boolean', required: false, default: false, help: '', choices: null },
    ]);
    expect(schema.credentials_schema).toEqual({ fields: [{ name: 'api_token', type: 'string', required: true, default: null, help: '', choices: null }] });
    const missing = await api.call('GET', '/c/exchanges/api/nope/schema');
    expect([missing.statusCode, missing.json().message]).toEqual([404, "Exchange API 'nope' not found"]);
  });

  it('permissions: reading takes banks.read, writing federation.manage (a curator reads but cannot change exchanges)', async () => {
    const curator = await api.tokenFor('curator');
    expect((await api.call('GET', '/c/exchanges/apis', undefined, curator)).statusCode).toBe(200);
    expect((await api.call('GET', '/c/exchanges/api/sample', undefined, curator)).statusCode).toBe(200);
    expect((await api.call('POST', '/c/exchanges', { api: 'sample', bank: 'CUR' }, curator)).statusCode).toBe(403);
    expect((await api.call('POST', '/c/exchanges/api/test_with_creds', { credential_json: { api_token: SECRET } }, curator)).statusCode).toBe(403);
    expect((await api.call('GET', '/c/exchanges/api/test_with_creds')).json().has_set_authentification).toBe(false);
    expect((await api.call('DELETE', '/c/exchange/ANY', undefined, curator)).statusCode).toBe(403);
    expect((await api.call('GET', '/c/exchanges', undefined, null)).statusCode).toBe(401);
  });

  it('liveness without a token, HMA’s OpenAPI path, 405 for a known path with another method', async () => {
    for (const url of ['/status', '/status/live']) {
      const r = await api.call('GET', url, undefined, null);
      expect([r.statusCode, r.body], url).toEqual([200, 'I-AM-ALIVE']);
    }
    const doc = await api.call('GET', '/openapi/openapi.json', undefined, null);
    expect(doc.statusCode).toBe(200);
    expect(doc.json()).toEqual((await api.call('GET', '/openapi.json', undefined, null)).json());
    expect(doc.json().openapi).toMatch(/^3\./);

    const patch = await api.call('PATCH', '/c/banks');
    expect([patch.statusCode, patch.headers.allow, patch.json()]).toEqual([
      405,
      'GET, HEAD, POST',
      { code: 'METHOD_NOT_ALLOWED', message: 'The method is not allowed for the requested URL.' },
    ]);
    const post = await api.call('POST', '/c/exchange/SOME_NAME/status');
    expect([post.statusCode, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    expect((await api.call('DELETE', '/status')).headers.allow).toBe('GET, HEAD');
    // Every surface, not only HMA's.
    expect((await api.call('PUT', '/api/v1/banks')).statusCode).toBe(405);
    // An unknown path stays 404, and without a token nothing about routes is said.
    expect((await api.call('PATCH', '/c/no_such_thing')).statusCode).toBe(404);
    expect((await api.call('PATCH', '/c/banks', undefined, null)).statusCode).toBe(401);
  });

  it("PUT /c/signal_type/<name>: the ratio is stored and listed (204, no body); HMA's errors", async () => {
    const name = EXAMPLES[0].hma;
    const ratioOf = async () => (await api.call('GET', '/c/signal_type')).json().find((t: { name: string }) => t.name === name).enabled_ratio;
    expect(await ratioOf()).toBe(1);
    const put = await api.call('PUT', `/c/signal_type/${name}`, { enabled_ratio: 0.25 });
    expect([put.statusCode, put.body]).toEqual([204, '']);
    expect(await ratioOf()).toBe(0.25);
    // A numeric string is read as HMA's float() reads it.
    expect((await api.call('PUT', `/c/signal_type/${name}`, { enabled_ratio: ' 0.5 ' })).statusCode).toBe(204);
    expect(await ratioOf()).toBe(0.5);
    const missing = await api.call('PUT', `/c/signal_type/${name}`, {});
    expect([missing.statusCode, missing.json().message]).toEqual([400, 'enabled_ratio is required']);
    const bad = await api.call('PUT', `/c/signal_type/${name}`, { enabled_ratio: 'half' });
    expect([bad.statusCode, bad.json().message]).toEqual([400, "Invalid float: 'half'"]);
    // HMA answers these with an unhandled 500.
    expect((await api.call('PUT', '/c/signal_type/nope', { enabled_ratio: 1 })).statusCode).toBe(400);
    expect((await api.call('PUT', `/c/signal_type/${name}`, { enabled_ratio: 2 })).statusCode).toBe(400);
    expect(await ratioOf()).toBe(0.5);
    // Only an admin changes it; as HMA (enabled at any ratio ≥ 0) lookups are unchanged.
    expect((await api.call('PUT', `/c/signal_type/${name}`, { enabled_ratio: 1 }, await api.tokenFor('curator'))).statusCode).toBe(403);
    expect((await api.call('PUT', `/c/signal_type/${name}`, { enabled_ratio: 1 })).statusCode).toBe(204);
    expect(await ratioOf()).toBe(1);
  });

  it('GET /c/signal_type/index: one entry per HMA type, an unknown one refused as HMA', async () => {
    const bad = await api.call('GET', '/c/signal_type/index?signal_type=nope');
    expect([bad.statusCode, bad.json().message]).toEqual([400, "No such signal type 'nope'"]);
    const one = (await api.call('GET', `/c/signal_type/index?signal_type=${EXAMPLES[0].hma}`)).json();
    expect(Object.keys(one)).toEqual([EXAMPLES[0].hma]);
    expect(one[EXAMPLES[0].hma]).toEqual({
      db_size: expect.any(Number),
      index_size: expect.any(Number),
      index_out_of_date: false,
      newest_db_item: expect.any(Number),
      index_built_to: expect.any(Number),
    });
  });
});

describe('a real `alliance serve`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-hma-exchanges-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the liveness probes without a token and fetches the sample exchange on its sync timer', async () => {
    server = await startServer([], { ALLIANCE_DATA_DIR: dir, ALLIANCE_SYNC_INTERVAL_MS: '300' });
    const token = server.token!;
    expect(token).toBeTruthy();
    for (const path of ['/status', '/status/live']) {
      const r = await http(`${server.url}${path}`, undefined);
      expect([r.status, r.text], path).toEqual([200, 'I-AM-ALIVE']);
    }
    expect((await http(`${server.url}/c/exchanges`, undefined)).status).toBe(401);
    const created = await http(`${server.url}/c/exchanges`, token, 'POST', { api: 'sample', bank: 'SAMPLE', api_json: {} });
    expect([created.status, created.json]).toEqual([201, { message: 'Created successfully' }]);
    // Nothing starts the fetch but the timer.
    const status = await until(async () => {
      const s = (await http(`${server!.url}/c/exchange/SAMPLE/status`, token)).json;
      return s.last_fetch_succeeded === true ? s : undefined;
    }, 'the scheduled fetch of SAMPLE');
    expect(status).toMatchObject({ up_to_date: true, fetched_items: EXAMPLES.length, running_fetch_start_ts: null });
    for (const e of EXAMPLES) {
      const r = await http(`${server.url}/m/raw_lookup?signal_type=${e.hma}&signal=${encodeURIComponent(e.value)}`, token);
      expect(r.json.matches, e.hma).toHaveLength(1);
    }
  }, 90_000);
});
