/**
 * Node-to-node requests are RFC 9421 HTTP Message Signatures (Ed25519) with an RFC 9530
 * Content-Digest, checked by a maintained independent implementation (the http-message-signatures
 * package) in both directions: what it signs, a node accepts; what a node signs, it verifies. A
 * captured request replayed to the same node within its window is refused (the refusal audited, nothing else);
 * every tampered variant is refused.
 */
import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyString, type NodeIdentity } from '../../src/exchange/identity.js';
import { signRequest, verifyRequest, type VerifyOptions } from '../../src/exchange/request-signing.js';
import { DIALECTS } from '../support/dialects.js';
import { startApi, type TestApi } from '../support/api.js';

const FIELDS = ['@method', '@path', '@query', 'content-digest', 'alliance-recipient'];
/** Computed here with node:crypto, not with the code under test. */
const digestOf = (body: string) => `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;

function keyPair(): { privateKey: KeyObject; publicKeyObject: KeyObject; publicKey: string; identity: NodeIdentity } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKeyObject: publicKey,
    publicKey: publicKeyString(publicKey),
    identity: { publicKey: publicKeyString(publicKey), fingerprint: 'test', sign: (d) => sign(null, Buffer.from(d), privateKey).toString('base64') },
  };
}

/** Signs a request with the independent library, as another vendor's node would. */
async function librarySigned(
  privateKey: KeyObject,
  keyid: string,
  recipient: string,
  method: string,
  url: string,
  body: string,
  overrides: Record<string, unknown> = {},
) {
  const req = await httpbis.signMessage(
    {
      key: { id: keyid, alg: 'ed25519', sign: async (data: Buffer) => sign(null, data, privateKey) },
      name: 'sig1',
      fields: FIELDS,
      params: ['created', 'expires', 'nonce', 'keyid', 'alg', 'tag'],
      paramValues: { nonce: `n-${Math.random().toString(36).slice(2)}-${Date.now()}`, tag: 'alliance-federation', ...overrides },
    },
    { method, url, headers: { 'content-digest': digestOf(body), 'alliance-recipient': recipient, 'content-type': 'application/json' } },
  );
  return req.headers as Record<string, string>;
}

describe('RFC 9421 signatures, checked by an independent implementation', () => {
  const sender = keyPair();
  const nonces = new Set<string>();
  const opts: VerifyOptions = {
    self: 'hotline-nl',
    keyOf: async (m) => (m === 'platform-de' ? sender.publicKey : undefined),
    rememberNonce: async (k, n) => (nonces.has(`${k} ${n}`) ? false : (nonces.add(`${k} ${n}`), true)),
  };

  it('accepts a request the library signed, and the library verifies what the node signs', async () => {
    const body = '{"uid":"hotline-nl/1","opinion":"confirmed"}';
    const headers = await librarySigned(sender.privateKey, 'platform-de', 'hotline-nl', 'POST', 'http://node.example/federation/v1/opinions?x=1', body);
    await expect(verifyRequest(headers, 'POST', '/federation/v1/opinions?x=1', body, opts)).resolves.toBe('platform-de');

    const ours = signRequest(sender.identity, 'platform-de', 'hotline-nl', 'GET', '/federation/v1/banks/KNOWN/feed?since=7');
    expect(ours['content-digest']).toBe(digestOf(''));
    const verified = await httpbis.verifyMessage(
      {
        keyLookup: async (params) =>
          params.keyid === 'platform-de'
            ? { id: 'platform-de', algs: ['ed25519'], verify: async (data: Buffer, signature: Buffer) => verify(null, data, sender.publicKeyObject, signature) }
            : null,
        requiredFields: FIELDS,
        requiredParams: ['created', 'keyid', 'nonce'],
      },
      { method: 'GET', url: 'http://node.example/federation/v1/banks/KNOWN/feed?since=7', headers: ours },
    );
    expect(verified).toBe(true);
  });

  it('refuses every tampered or incomplete variant, and a replay', async () => {
    const body = '{"a":1}';
    const url = 'http://node.example/federation/v1/reports';
    const good = await librarySigned(sender.privateKey, 'platform-de', 'hotline-nl', 'POST', url, body);
    const refused = async (headers: Record<string, string>, target = '/federation/v1/reports', text = body, o = opts) =>
      expect(verifyRequest(headers, 'POST', target, text, o)).rejects.toMatchObject({ code: 'PEER_UNTRUSTED' });
    await refused(good, '/federation/v1/reports', '{"a":2}'); // another body: the digest no longer matches
    await refused({ ...good, 'content-digest': digestOf('{"a":2}') }, '/federation/v1/reports', '{"a":2}'); // a matching digest, but not the signed one
    await refused(good, '/federation/v1/opinions'); // another path
    await refused(good, '/federation/v1/reports?since=0'); // another query
    await refused(good, undefined, undefined, { ...opts, self: 'authority-be' }); // sent to another node
    await refused(await librarySigned(sender.privateKey, 'platform-de', 'authority-be', 'POST', url, body)); // addressed to another node
    await refused(await librarySigned(sender.privateKey, 'ngo-fr', 'hotline-nl', 'POST', url, body)); // not a peer
    await refused(await librarySigned(keyPair().privateKey, 'platform-de', 'hotline-nl', 'POST', url, body)); // another key
    await refused(
      await librarySigned(sender.privateKey, 'platform-de', 'hotline-nl', 'POST', url, body, {
        created: new Date(Date.now() - 10 * 60_000),
        expires: new Date(Date.now() + 60_000),
      }),
    ); // stale
    await refused(await librarySigned(sender.privateKey, 'platform-de', 'hotline-nl', 'POST', url, body, { expires: new Date(Date.now() - 1000) })); // expired
    const noNonce = await httpbis.signMessage(
      {
        key: { id: 'platform-de', alg: 'ed25519', sign: async (d: Buffer) => sign(null, d, sender.privateKey) },
        fields: FIELDS,
        params: ['created', 'keyid', 'alg'],
      },
      { method: 'POST', url, headers: { 'content-digest': digestOf(body), 'alliance-recipient': 'hotline-nl' } },
    );
    await refused(noNonce.headers as Record<string, string>);
    const fewer = await httpbis.signMessage(
      {
        key: { id: 'platform-de', alg: 'ed25519', sign: async (d: Buffer) => sign(null, d, sender.privateKey) },
        fields: ['@method', '@path'],
        params: ['created', 'keyid', 'nonce'],
        paramValues: { nonce: 'x'.repeat(20) },
      },
      { method: 'POST', url, headers: {} },
    );
    await refused(fewer.headers as Record<string, string>); // the body and the recipient are not covered
    await refused({ 'content-digest': digestOf(body) }); // not signed at all
    await refused({ ...good, 'signature-input': 'sig1=(' }); // malformed
    // The good one passes once; the same request again is a replay.
    await expect(verifyRequest(good, 'POST', '/federation/v1/reports', body, opts)).resolves.toBe('platform-de');
    await expect(verifyRequest(good, 'POST', '/federation/v1/reports', body, opts)).rejects.toMatchObject({ message: expect.stringMatching(/seen before/) });
  });
});

describe.each(DIALECTS)('replaying a signed request to a node on %s', (dialect) => {
  let api: TestApi;
  let url: string;
  const peer = keyPair();

  beforeAll(async () => {
    api = await startApi(dialect, { memberName: 'hotline-nl', memberKind: 'hotline', memberCountry: 'NL' });
    url = await api.app.listen({ port: 0, host: '127.0.0.1' });
    expect(
      (await api.call('POST', '/api/v1/peers', { name: 'platform-de', url: 'http://127.0.0.1:9', public_key: peer.publicKey, kind: 'platform', country: 'DE' }))
        .statusCode,
    ).toBe(201);
  });
  afterAll(() => api.close());

  it('answers the first, refuses the same request again (401, audited) and changes nothing else', async () => {
    const body = JSON.stringify({ uid: 'hotline-nl/999', opinion: 'confirmed', reason: null });
    const headers = {
      ...(await librarySigned(peer.privateKey, 'platform-de', 'hotline-nl', 'POST', `${url}/federation/v1/opinions`, body)),
      'content-type': 'application/json',
    };
    const send = () => fetch(`${url}/federation/v1/opinions`, { method: 'POST', headers, body });
    const first = await send();
    expect(first.status).not.toBe(401); // verified; the opinion itself is refused (no such content) — not a signature matter
    const audited = (await api.node.audit.list({ limit: 1000 })).length;
    const again = await send();
    expect(again.status).toBe(401);
    expect(((await again.json()) as { message: string }).message).toMatch(/seen before/);
    await api.node.audit.flush();
    // The refusal itself is on record, and nothing else.
    const after = await api.node.audit.list({ limit: 1000 });
    expect(after.length).toBe(audited + 1);
    expect(after.find((e) => e.action === 'federation.refused' && /seen before/.test(e.detail))).toMatchObject({ actor: 'unverified:platform-de' });
    // A GET signed by the same library, with its own nonce, passes too (identity is not signed, banks is).
    const get = await librarySigned(peer.privateKey, 'platform-de', 'hotline-nl', 'GET', `${url}/federation/v1/banks`, '');
    expect((await fetch(`${url}/federation/v1/banks`, { headers: get })).status).toBe(200);
    // Bodies that are not JSON (text, multipart) are refused: the digest could not cover what a handler would read.
    for (const body of [
      'uid=x',
      (() => {
        const f = new FormData();
        f.append('uid', 'x');
        return f;
      })(),
    ]) {
      const signedEmpty = await librarySigned(peer.privateKey, 'platform-de', 'hotline-nl', 'POST', `${url}/federation/v1/opinions`, '');
      const { 'content-type': _drop, ...rest } = signedEmpty;
      expect((await fetch(`${url}/federation/v1/opinions`, { method: 'POST', headers: rest, body })).status).toBe(415);
    }
  });
});
