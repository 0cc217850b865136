/**
 * A peer's refusal is the peer's word, not a broken exchange: a 4xx with an error of the catalogue's
 * shape reaches the caller as PEER_REFUSED naming the peer's own code and message (sync reports,
 * subscription status, API answers), the scheduled sync does not ask again until someone does,
 * and a job that meets one fails at once instead of retrying for a week. Unreachable peers, 5xx,
 * 429 and answers that are not the peer's error (a proxy's page) stay FEED_INVALID and are retried.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { loadIdentity, type NodeIdentity } from '../../src/exchange/identity.js';
import { PAGE_FORMAT, PAGE_VERSION } from '../../src/exchange/page.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { enqueueJob, getJob } from '../../src/store/jobs.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

describe.each(DIALECTS)("a peer's refusal on %s", (dialect) => {
  let api: TestApi;
  let server: Server;
  let peerKey: NodeIdentity;
  let keyDir: string;
  let subId: number;
  let mode = 'valid';
  let hits = 0;

  beforeAll(async () => {
    api = await startApi(dialect, { memberName: 'subscriber', memberKind: 'hotline', memberCountry: 'NL' });
    keyDir = mkdtempSync(join(tmpdir(), 'alliance-refusing-peer-'));
    peerKey = loadIdentity(keyDir);
    server = createServer((req, res) => {
      hits++;
      const since = Number(new URL(req.url!, 'http://x').searchParams.get('since'));
      const send = (status: number, body: unknown, type = 'application/json') =>
        res.writeHead(status, { 'content-type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));
      switch (mode) {
        case 'valid': {
          const entries =
            since === 0
              ? [
                  {
                    seq: 1,
                    op: 'upsert',
                    uid: 'publisher/1',
                    signals: [{ type: 'pdq', value: PDQ }],
                    classification: 'industry:A1',
                    tags: [],
                    first_seen: new Date().toISOString(),
                    disabled: false,
                    origin: { member: 'publisher', bank: 'BANK' },
                    chain: ['publisher'],
                  },
                ]
              : [];
          const to = since === 0 ? 1 : since;
          return send(
            200,
            seal(peerKey, {
              format: PAGE_FORMAT,
              version: PAGE_VERSION,
              publisher: 'publisher',
              subscriber: 'subscriber',
              bank: 'BANK',
              since,
              to,
              latest: to,
              more: false,
              generated_at: new Date().toISOString(),
              entries,
            }),
          );
        }
        case 'not-published':
          return send(404, { code: 'NOT_PUBLISHED', message: 'bank BANK is not published to subscriber' });
        case 'untrusted':
          return send(401, { code: 'PEER_UNTRUSTED', message: '"subscriber" is not a registered peer\u0007' });
        case 'busy':
          return send(503, { code: 'SERVER_BUSY', message: 'in maintenance' });
        case 'slow-down':
          return send(429, { code: 'RATE_LIMITED', message: 'too many requests' });
        case 'proxy':
          return send(403, '<html>Forbidden</html>', 'text/html');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const admin = await api.node.operator();
    await api.node.federation.addPeer(admin, { name: 'publisher', url, publicKey: peerKey.publicKey, country: 'NL', kind: 'hotline' });
    subId = (await api.node.federation.subscribe(admin, 'publisher', 'BANK', 'FROM_PUBLISHER')).id;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    server?.close();
    await api?.close();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  const subscription = async () => (await api.call('GET', '/api/v1/subscriptions')).json().subscriptions[0];

  it("says the peer's code and message, and the schedule waits for an explicit sync", async () => {
    mode = 'valid';
    expect(await api.node.federation.sync(subId)).toMatchObject({ added: 1, checkpoint: 1 });
    mode = 'not-published';
    const r = await api.call('POST', `/api/v1/subscriptions/${subId}/sync`);
    expect(r.json()).toMatchObject({
      error: 'peer publisher refused: NOT_PUBLISHED: bank BANK is not published to subscriber',
      error_code: 'PEER_REFUSED',
      peer_code: 'NOT_PUBLISHED',
      checkpoint: 1,
    });
    expect(await subscription()).toMatchObject({
      last_error: 'peer publisher refused: NOT_PUBLISHED: bank BANK is not published to subscriber',
      last_error_code: 'PEER_REFUSED',
      checkpoint: 1,
    });
    // The scheduled sync does not ask a peer that said no; an explicit one does.
    const before = hits;
    expect(await api.node.federation.syncAll(undefined, { scheduled: true })).toEqual([]);
    expect(hits).toBe(before);
    expect(await api.node.federation.syncAll()).toMatchObject([{ error_code: 'PEER_REFUSED' }]);
    expect(hits).toBe(before + 1);
    // Once the peer takes it again, the subscription is back on the schedule.
    mode = 'valid';
    expect(await api.node.federation.syncAll()).toMatchObject([{ checkpoint: 1 }]);
    expect(await subscription()).toMatchObject({ last_error: null, last_error_code: null });
    expect(await api.node.federation.syncAll(undefined, { scheduled: true })).toHaveLength(1);
  });

  it.each([
    ['busy', /^peer publisher answered 503: in maintenance$/],
    ['slow-down', /^peer publisher answered 429: too many requests$/],
    ['proxy', /^malformed JSON from peer publisher/],
  ])('%s: still a failure to retry (FEED_INVALID), on the schedule too', async (m, reason) => {
    mode = m;
    const r = await api.node.federation.sync(subId);
    expect(r).toMatchObject({ error: expect.stringMatching(reason), error_code: 'FEED_INVALID' });
    expect(r.peer_code).toBeUndefined();
    expect(await subscription()).toMatchObject({ last_error_code: 'FEED_INVALID' });
    const before = hits;
    expect(await api.node.federation.syncAll(undefined, { scheduled: true })).toHaveLength(1);
    expect(hits).toBe(before + 1);
  });

  it("answers the API's caller with the peer's code (an opinion the origin refuses)", async () => {
    mode = 'untrusted';
    const [content] = await api.node.banks.listContent(await api.node.operator(), 'FROM_PUBLISHER');
    const r = await api.call('POST', `/api/v1/content/${content.id}/opinion`, { opinion: 'disputed' });
    expect([r.statusCode, r.json()]).toEqual([
      424,
      {
        code: 'PEER_REFUSED',
        message: 'peer publisher refused: PEER_UNTRUSTED: "subscriber" is not a registered peer',
        peer: 'publisher',
        peer_status: 401,
        peer_code: 'PEER_UNTRUSTED',
      },
    ]);
  });

  it('fails a job at the first refusal; retries it while the peer is busy', async () => {
    const runner = new JobRunner(
      api.node.store,
      { 'test.deliver': () => api.node.federation.postToPeer('publisher', '/federation/v1/reports', { uid: 'subscriber/1' }) },
      60_000,
      { 'test.deliver': 180 },
    );
    mode = 'busy';
    const busy = await enqueueJob(api.node.store.db, 'test.deliver', {});
    await runner.tick();
    expect(await getJob(api.node.store.db, busy)).toMatchObject({ state: 'queued', attempts: 1, last_error: 'peer publisher answered 503: in maintenance' });
    mode = 'untrusted';
    const refused = await enqueueJob(api.node.store.db, 'test.deliver', {});
    await runner.tick();
    expect(await getJob(api.node.store.db, refused)).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error: expect.stringMatching(/^peer publisher refused: PEER_UNTRUSTED: /),
    });
    await runner.stop();
  });
});
