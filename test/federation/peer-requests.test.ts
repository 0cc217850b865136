/**
 * What a peer may ask of a node: a signed request is good only at the node it was addressed to,
 * and a peer may send an opinion only on an item its sharing agreement lets it receive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdentity, type NodeIdentity } from '../../src/exchange/identity.js';
import { signRequest, verifyRequest } from '../../src/exchange/request-signing.js';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { testConfig, type TestEnv } from '../support/dialects.js';

const PDQ = (d: string) => d.repeat(64);

describe('requests from peers', () => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  let key: NodeIdentity;
  const keyDirs: string[] = [];
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    env = await testConfig('sqlite', { memberName: 'hotline-nl', memberCountry: 'NL', memberKind: 'hotline' });
    node = await openNode(env.config);
    admin = await node.members.authenticate(node.firstAdminToken!);
    const identity = () => loadIdentity(keyDirs[keyDirs.push(mkdtempSync(join(tmpdir(), 'alliance-peer-key-'))) - 1]);
    key = identity();
    await node.federation.addPeer(admin, { name: 'platform-de', url: 'http://127.0.0.1:9', publicKey: key.publicKey, country: 'DE', kind: 'platform' });
    await node.federation.addPeer(admin, { name: 'ngo-fr', url: 'http://127.0.0.1:9', publicKey: identity().publicKey, country: 'FR', kind: 'ngo' });
    await node.banks.createBank(admin, { name: 'KNOWN' });
    ids.baseline = (await node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'pdq', value: PDQ('a') }], classification: 'industry:A1' })).id;
    ids.national = (await node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'pdq', value: PDQ('b') }], classification: 'uk:B' })).id;
    await node.federation.publish(admin, 'KNOWN', { recipients: { countries: ['DE'] }, abroad: ['baseline'] });
  });

  afterAll(async () => {
    await node.close();
    env.cleanup();
    for (const d of keyDirs) rmSync(d, { recursive: true, force: true });
  });

  it('a signed request is verified only by the node it was addressed to', async () => {
    const headers = signRequest(key, 'platform-de', 'hotline-nl', 'POST', '/federation/v1/opinions', '{"x":1}');
    const keyOf = async (m: string) => (m === 'platform-de' ? key.publicKey : undefined);
    const seen = new Set<string>();
    const opts = (self: string) => ({ self, keyOf, rememberNonce: async (k: string, n: string) => (seen.has(k + n) ? false : (seen.add(k + n), true)) });
    await expect(verifyRequest(headers, 'POST', '/federation/v1/opinions', '{"x":1}', opts('authority-be'))).rejects.toMatchObject({ code: 'PEER_UNTRUSTED' });
    await expect(verifyRequest(headers, 'POST', '/federation/v1/opinions', '{"x":2}', opts('hotline-nl'))).rejects.toMatchObject({ code: 'PEER_UNTRUSTED' });
    await expect(verifyRequest(headers, 'POST', '/federation/v1/opinions', '{"x":1}', opts('hotline-nl'))).resolves.toBe('platform-de');
  });

  it('a peer may judge only what its agreement lets it receive', async () => {
    const accepted = await node.federation.receiveOpinion('platform-de', `hotline-nl/${ids.baseline}`, 'confirmed', null);
    expect(accepted.counts).toEqual({ confirmed: 1 });
    // Nationally illegal material does not leave NL; a French NGO is not a recipient at all.
    await expect(node.federation.receiveOpinion('platform-de', `hotline-nl/${ids.national}`, 'false_positive', null)).rejects.toMatchObject({
      code: 'OPINION_INVALID',
    });
    await expect(node.federation.receiveOpinion('ngo-fr', `hotline-nl/${ids.baseline}`, 'false_positive', null)).rejects.toMatchObject({
      code: 'OPINION_INVALID',
    });
    const counts = await node.federation.opinionCounts(admin, [ids.baseline, ids.national]);
    expect(Object.fromEntries(counts)).toEqual({ [ids.baseline]: { confirmed: 1 } });
  });
});
