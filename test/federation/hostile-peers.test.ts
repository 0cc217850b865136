/**
 * Acceptance: hostile or broken peers change nothing and leave a clear error in the sync status —
 * a bad signature, a page signed by another key, a replayed old page, a sequence gap, a page for
 * someone else, an invalid entry, a truncated response, a peer that hangs, malformed JSON.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { loadIdentity, type NodeIdentity } from '../../src/exchange/identity.js';
import { PAGE_FORMAT, PAGE_VERSION, type Entry, type Page } from '../../src/exchange/page.js';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { testConfig, type TestEnv } from '../support/dialects.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

function page(since: number, entries: Entry[], over: Partial<Page> = {}): Page {
  const to = entries.length ? entries[entries.length - 1].seq : since;
  return {
    format: PAGE_FORMAT,
    version: PAGE_VERSION,
    publisher: 'evil-peer',
    subscriber: 'subscriber',
    bank: 'BANK',
    since,
    to,
    latest: to,
    more: false,
    generated_at: new Date().toISOString(),
    entries,
    ...over,
  };
}

function upsert(seq: number, value = PDQ): Entry {
  return {
    seq,
    op: 'upsert',
    uid: `evil-peer/${seq}`,
    signals: [{ type: 'pdq', value }],
    classification: 'industry:A1',
    tags: [],
    first_seen: new Date().toISOString(),
    disabled: false,
    origin: { member: 'evil-peer', bank: 'BANK' },
    chain: ['evil-peer'],
  };
}

describe('sync from hostile or broken peers', () => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  let server: Server;
  let peerKey: NodeIdentity;
  let otherKey: NodeIdentity;
  let subId: number;
  let mode = 'valid';
  const keyDirs: string[] = [];

  beforeAll(async () => {
    env = await testConfig('sqlite', { memberName: 'subscriber', syncTimeoutMs: '500' });
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.members.authenticate(node.firstAdminToken!);
    for (let i = 0; i < 2; i++) keyDirs.push(mkdtempSync(join(tmpdir(), 'alliance-evil-')));
    peerKey = loadIdentity(keyDirs[0]);
    otherKey = loadIdentity(keyDirs[1]);
    server = createServer((req, res) => {
      const since = Number(new URL(req.url!, 'http://x').searchParams.get('since'));
      const send = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
      switch (mode) {
        case 'valid':
          return send(seal(peerKey, page(since, [upsert(since + 1)])));
        case 'bad-signature': {
          const e = seal(peerKey, page(since, [upsert(since + 1)]));
          return send({ ...e, payload: e.payload.replace('industry:A1', 'industry:A2') });
        }
        case 'other-key':
          return send(seal(otherKey, page(since, [upsert(since + 1)])));
        case 'forged':
          return send({ ...seal(otherKey, page(since, [upsert(since + 1)])), key: peerKey.publicKey });
        case 'replay':
          return send(seal(peerKey, page(0, [upsert(1)])));
        case 'gap':
          return send(seal(peerKey, page(since + 5, [upsert(since + 6)])));
        case 'someone-else':
          return send(seal(peerKey, page(since, [upsert(since + 1)], { subscriber: 'another-member' })));
        case 'bad-entry':
          return send(seal(peerKey, page(since, [upsert(since + 1, 'not-a-hash')])));
        case 'malformed':
          return send('{"payload": "{\\"format\\"');
        case 'truncated':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
          res.write('{"payload":"');
          return setTimeout(() => res.socket?.destroy(), 20);
        case 'hang':
          return; // never answers
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    await node.federation.addPeer(admin, { name: 'evil-peer', url, publicKey: peerKey.publicKey, country: 'NL', kind: 'hotline' });
    subId = (await node.federation.subscribe(admin, 'evil-peer', 'BANK', 'FROM_EVIL')).id;
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await node.close();
    env.cleanup();
    for (const d of keyDirs) rmSync(d, { recursive: true, force: true });
  });

  const state = async () => {
    const [sub] = await node.federation.subscriptions(admin);
    const content = await node.banks.listContent(admin, 'FROM_EVIL');
    return { checkpoint: Number(sub.checkpoint), contents: content.map((c) => c.signals[0].value) };
  };

  it('applies a valid page', async () => {
    mode = 'valid';
    const r = await node.federation.sync(subId);
    expect(r.error).toBeUndefined();
    expect(await state()).toEqual({ checkpoint: 1, contents: [PDQ] });
  });

  it.each([
    ['bad-signature', /signature does not verify/],
    ['other-key', /signed by another key/],
    ['forged', /signature does not verify/],
    ['replay', /replayed old page: it starts at 0, this node is at 1/],
    ['gap', /sequence gap: the page starts at 6, this node is at 1/],
    ['someone-else', /addressed to "another-member", not to this node/],
    ['bad-entry', /entry 1: pdq must be 64 hex digits/],
    ['malformed', /malformed JSON from peer evil-peer/],
    ['truncated', /truncated response from peer evil-peer|malformed JSON/],
    ['hang', /peer evil-peer did not answer within 0.5 s/],
  ])('%s: nothing changes, the status says why', async (m, reason) => {
    const before = await state();
    mode = m;
    const r = await node.federation.sync(subId);
    expect(r.error).toMatch(reason);
    expect(await state()).toEqual(before);
    const [sub] = await node.federation.subscriptions(admin);
    expect(sub.last_error).toMatch(reason);
    expect(sub.last_error_at).toBeGreaterThan(0);
  });

  it('recovers with the next valid page', async () => {
    mode = 'valid';
    const r = await node.federation.sync(subId);
    expect(r.error).toBeUndefined();
    expect((await state()).checkpoint).toBe(2);
    expect((await node.federation.subscriptions(admin))[0].last_error).toBeNull();
  });
});
