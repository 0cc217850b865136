/**
 * One overview of every source of signals, whatever its kind: a subscription to a peer's bank
 * (kind alliance, here a peer that cannot be reached), external exchanges (the sample exchange,
 * fetched; a disabled one) — with their state, failing first, over /api/v1/sources and
 * `alliance sources`, whose --check fails while a source fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdentity } from '../../src/exchange/index.js';
import { startApi, type TestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/dialects.js';

describe.each(DIALECTS)('sources on %s', (dialect) => {
  let api: TestApi;
  let keyDir: string;

  beforeAll(async () => {
    api = await startApi(dialect, { memberName: 'subscriber', memberKind: 'hotline', memberCountry: 'NL' });
    keyDir = mkdtempSync(join(tmpdir(), 'alliance-sources-peer-'));
  });

  afterAll(async () => {
    await api.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('lists subscriptions and exchanges with their kind and health, failing first', async () => {
    const admin = await api.node.operator();
    const cli = (...args: string[]) =>
      runCli([...args, '--data', api.env.dataDir], { env: api.env.config.databaseUrl ? { ALLIANCE_DATABASE_URL: api.env.config.databaseUrl } : {} });

    expect((await api.call('GET', '/api/v1/sources')).json()).toEqual({ sources: [] });
    expect((await cli('sources', '--check')).code).toBe(0);

    await api.node.exchanges.create(admin, { name: 'SAMPLE_ON', api: 'sample' });
    await api.node.exchanges.create(admin, { name: 'SAMPLE_OFF', api: 'sample', enabled: false });
    const before = (await api.call('GET', '/api/v1/sources')).json().sources;
    expect(before.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['SAMPLE_ON', 'never_fetched'],
      ['SAMPLE_OFF', 'disabled'],
    ]);

    const fetched = await api.node.exchanges.fetch('SAMPLE_ON');
    expect(fetched.error ?? null).toBeNull();
    // A peer that is not there: its subscription fails, and says why.
    await api.node.federation.addPeer(admin, {
      name: 'gone',
      url: 'http://127.0.0.1:9',
      publicKey: loadIdentity(keyDir).publicKey,
      country: 'FR',
      kind: 'hotline',
    });
    const sub = await api.node.federation.subscribe(admin, 'gone', 'HASHES');
    expect((await api.node.federation.sync(sub.id)).error_code).toBe('FEED_INVALID');

    const res = await api.call('GET', '/api/v1/sources');
    expect(res.statusCode, res.body).toBe(200);
    const sources = res.json().sources;
    expect(sources.map((s: { kind: string; name: string; state: string }) => [s.kind, s.name, s.state])).toEqual([
      ['alliance', 'gone/HASHES', 'failing'],
      ['sample', 'SAMPLE_ON', 'ok'],
      ['sample', 'SAMPLE_OFF', 'disabled'],
    ]);
    const [failing, ok] = sources;
    expect(failing).toMatchObject({ bank: sub.bank, last_error_code: 'FEED_INVALID', last_success_at: null, subscription: sub.id, items: 0 });
    expect(failing.last_error).toMatch(/cannot reach peer gone/);
    expect(failing.last_attempt_at).not.toBeNull();
    expect(ok).toMatchObject({ bank: 'SAMPLE_ON', items: fetched.added, up_to_date: true, lag_items: null, subscription: null, last_error: null });
    expect(Date.parse(ok.last_success_at)).toBeGreaterThan(0);

    const text = await cli('sources');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^FAILING\talliance\tgone\/HASHES\t→ .*FEED_INVALID: cannot reach peer gone/);
    const check = await cli('sources', '--check', '--json');
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).sources).toHaveLength(3);
  });

  it('is read with banks.read, refused to a matcher and without a token', async () => {
    expect((await api.call('GET', '/api/v1/sources', undefined, await api.tokenFor('analyst'))).statusCode).toBe(200);
    expect((await api.call('GET', '/api/v1/sources', undefined, await api.tokenFor('matcher'))).statusCode).toBe(403);
    expect((await api.call('GET', '/api/v1/sources', undefined, null)).statusCode).toBe(401);
  });
});
