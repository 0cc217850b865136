/**
 * Every refusal of a federation request is in the audit log — an unsigned or malformed request, an
 * unknown peer, a wrong key, a replay, another recipient, a body that is not what was signed or not
 * JSON, a route's own refusal, a country report from a member that is not an authority or signed
 * by another key — and a flood of identical refusals is one entry plus one count per window.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { publicKeyString, type NodeIdentity } from '../../src/exchange/identity.js';
import { signRequest } from '../../src/exchange/request-signing.js';
import type { AuditEntry } from '../../src/store/schema.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

function identity(): NodeIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKeyString(publicKey), fingerprint: 'test', sign: (d) => sign(null, Buffer.from(d), privateKey).toString('base64') };
}

describe.each(DIALECTS)('refused federation requests on %s', (dialect) => {
  let api: TestApi;
  let url: string;
  const platform = identity();
  const police = identity();
  const stranger = identity();

  beforeAll(async () => {
    api = await startApi(dialect, { memberName: 'secretariat', memberKind: 'secretariat' });
    url = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const admin = await api.node.operator();
    await api.node.federation.addPeer(admin, {
      name: 'platform-de',
      url: 'http://127.0.0.1:9',
      publicKey: platform.publicKey,
      country: 'DE',
      kind: 'platform',
    });
    await api.node.federation.addPeer(admin, { name: 'police-be', url: 'http://127.0.0.1:9', publicKey: police.publicKey, country: 'BE', kind: 'authority' });
  });
  afterAll(() => api?.close());

  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${url}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body });
  const signed = (who: NodeIdentity, keyid: string, method: string, path: string, body = '', recipient = 'secretariat') =>
    send(method, path, signRequest(who, keyid, recipient, method, path, body), method === 'GET' ? undefined : body);
  const entries = async (): Promise<Array<AuditEntry & { d: Record<string, unknown> }>> => {
    await api.node.audit.flush();
    return (await api.node.audit.list({ limit: 1000 })).map((e) => ({ ...e, d: JSON.parse(e.detail) as Record<string, unknown> }));
  };
  /** Sends one refused request; returns its status and the one audit entry it added. */
  const refusal = async (request: () => Promise<Response>) => {
    const before = (await entries()).length;
    const res = await request();
    const after = await entries();
    expect(after.length, `${res.status} ${await res.clone().text()}`).toBe(before + 1);
    return { status: res.status, code: ((await res.json()) as { code: string }).code, entry: after[0] };
  };

  it.each([
    ['unsigned', () => send('POST', '/federation/v1/opinions', {}, '{}'), 401, 'unverified:unregistered', /must be signed/],
    [
      'malformed signature',
      () => send('GET', '/federation/v1/banks', { 'signature-input': 'alliance=(', signature: 'alliance=:x:' }),
      401,
      'unverified:unregistered',
      /malformed Signature-Input/,
    ],
    ['unknown peer', () => signed(stranger, 'nobody', 'GET', '/federation/v1/banks'), 401, 'unverified:unregistered', /"nobody" is not a registered peer/],
    [
      'wrong key',
      () => signed(stranger, 'platform-de', 'GET', '/federation/v1/banks'),
      401,
      'unverified:platform-de',
      /not signed by the key registered for peer "platform-de"/,
    ],
    [
      'another recipient',
      () => signed(platform, 'platform-de', 'GET', '/federation/v1/banks', '', 'hotline-nl'),
      401,
      'unverified:platform-de',
      /addressed to "hotline-nl", not to this node/,
    ],
    [
      'altered body',
      () =>
        send('POST', '/federation/v1/opinions', signRequest(platform, 'platform-de', 'secretariat', 'POST', '/federation/v1/opinions', '{"a":1}'), '{"a":2}'),
      401,
      'unverified:platform-de',
      /Content-Digest/,
    ],
    [
      'malformed JSON',
      () => send('POST', '/federation/v1/opinions', signRequest(platform, 'platform-de', 'secretariat', 'POST', '/federation/v1/opinions', '{'), '{'),
      400,
      'unverified:platform-de',
      /malformed JSON/,
    ],
    [
      'not JSON',
      () =>
        fetch(`${url}/federation/v1/opinions`, {
          method: 'POST',
          headers: { ...signRequest(platform, 'platform-de', 'secretariat', 'POST', '/federation/v1/opinions', 'uid=x'), 'content-type': 'text/plain' },
          body: 'uid=x',
        }),
      415,
      'unverified:platform-de',
      /carry JSON bodies/,
    ],
    [
      "a route's own refusal",
      () => signed(platform, 'platform-de', 'POST', '/federation/v1/opinions', '{"uid":"secretariat/1"}'),
      400,
      'peer:platform-de',
      /an opinion is \{uid, opinion, reason\}/,
    ],
    [
      'an unpublished bank',
      () => signed(platform, 'platform-de', 'GET', '/federation/v1/banks/NOPE/feed?since=0'),
      404,
      'peer:platform-de',
      /bank NOPE is not published to platform-de/,
    ],
  ])('%s', async (_name, request, status, actor, reason) => {
    const r = await refusal(request);
    expect(r.status).toBe(status);
    expect(r.entry).toMatchObject({
      action: 'federation.refused',
      actor,
      d: { code: r.code, reason: expect.stringMatching(reason), route: expect.stringMatching(/^(GET|POST) \/federation\/v1\//), ip: '127.0.0.1' },
    });
  });

  it('a replayed request', async () => {
    const headers = signRequest(platform, 'platform-de', 'secretariat', 'GET', '/federation/v1/banks');
    expect((await send('GET', '/federation/v1/banks', headers)).status).toBe(200);
    const r = await refusal(() => send('GET', '/federation/v1/banks', headers));
    expect(r).toMatchObject({
      status: 401,
      entry: {
        action: 'federation.refused',
        actor: 'unverified:platform-de',
        d: { code: 'PEER_UNTRUSTED', reason: expect.stringMatching(/seen before \(a replay\)/), keyid: 'platform-de' },
      },
    });
  });

  it('country reports from a member that is not an authority, or signed by another key', async () => {
    const body = JSON.stringify(seal(platform, { format: 'alliance-country-report/1', member: 'platform-de' }));
    const notAuthority = await refusal(() => signed(platform, 'platform-de', 'POST', '/federation/v1/country-reports', body));
    expect(notAuthority).toMatchObject({
      status: 400,
      code: 'COUNTRY_REPORT_INVALID',
      entry: {
        action: 'country_report.refused',
        target: 'platform-de',
        actor: 'peer:platform-de',
        d: { reason: expect.stringMatching(/registered as a platform: country reports come from national authorities/) },
      },
    });
    const otherKey = JSON.stringify(seal(stranger, { format: 'alliance-country-report/1', member: 'police-be' }));
    const forged = await refusal(() => signed(police, 'police-be', 'POST', '/federation/v1/country-reports', otherKey));
    expect(forged).toMatchObject({
      status: 400,
      code: 'COUNTRY_REPORT_INVALID',
      entry: { action: 'country_report.refused', target: 'police-be', d: { reason: expect.stringMatching(/signed by another key/) } },
    });
  });

  it('a flood of one refusal is one entry, then one count for the window', async () => {
    await api.node.refusals.flush(); // a new window
    const before = (await entries()).length;
    for (let i = 0; i < 50; i++) expect((await send('POST', '/federation/v1/opinions', {}, '{}')).status).toBe(401);
    // Made-up names are one kind of refusal, not one each.
    for (let i = 0; i < 20; i++) expect((await signed(stranger, `made-up-${i}`, 'GET', '/federation/v1/banks')).status).toBe(401);
    expect((await entries()).length).toBe(before + 2);
    await api.node.refusals.flush();
    const after = await entries();
    expect(after.length).toBe(before + 4);
    const counts = after.slice(0, 2).map((e) => [e.d.code, e.d.reason, e.d.repeated]);
    expect(counts).toEqual(
      expect.arrayContaining([
        ['PEER_UNTRUSTED', expect.stringMatching(/must be signed/), 49],
        ['PEER_UNTRUSTED', '"made-up-0" is not a registered peer', 19],
      ]),
    );
    expect(after[0].d).toMatchObject({ from: expect.any(String), to: expect.any(String) });
  });
});
