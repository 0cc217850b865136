/**
 * Webhooks: signed JSON deliveries from a durable queue. A receiver that fails three times and
 * then succeeds gets exactly one accepted delivery; a delivery queued before a restart is
 * delivered after it; one that keeps failing goes to the dead-letter list and can be replayed.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher, webhookSignature } from '../../src/actions/webhook-dispatcher.js';
import { SecretBox } from '../../src/store/secret-box.js';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { testConfig, type TestEnv } from '../support/dialects.js';

const SECRET = 'a-shared-secret-of-some-length';
const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  answered: number;
}

describe('webhook deliveries', () => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  let server: Server;
  let url: string;
  const received: Received[] = [];
  /** Status codes the receiver answers with, in turn; then 204. */
  let script: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const answered = script.shift() ?? 204;
        received.push({ headers: req.headers, body, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    env = await testConfig('sqlite', {
      webhookRetryBaseMs: '1',
      webhookMaxAttempts: '4',
      fetchAllowedHosts: `127.0.0.1:${(server.address() as { port: number }).port},127.0.0.1:9`,
    });
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.members.authenticate(node.firstAdminToken!);
    await node.banks.createBank(admin, { name: 'KNOWN' });
    await node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'pdq', value: PDQ }], classification: 'industry:A1' });
    await node.rules.addWebhook(admin, { name: 'trust-and-safety', url, secret: SECRET });
    await node.rules.create(admin, {
      name: 'tell trust and safety',
      conditions: { banks: ['KNOWN'] },
      actions: ['webhook', 'block'],
      webhook: 'trust-and-safety',
    });
  });

  afterAll(async () => {
    await node?.close();
    env?.cleanup();
    server.closeAllConnections();
    server.close();
  });

  /** Runs the dispatcher until nothing is due, as `serve` does on its timer. */
  const drain = async () => {
    for (let i = 0; i < 100; i++) {
      await node.webhooks.tick();
      const open = await node.store.db.selectFrom('webhook_deliveries').select('id').where('state', '=', 'pending').execute();
      if (open.length === 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const deliveries = () => node.webhooks.deliveries(admin);

  it("keeps the webhook's address out of the audit log (addresses often carry their credential)", async () => {
    const secretUrl = 'https://hooks.example/services/T000/B000/secret-path-token?key=query-token';
    await node.rules.addWebhook(admin, { name: 'chat-ops', url: secretUrl, secret: SECRET });
    const [entry] = await node.audit.list({ limit: 1, action: 'webhook.create' });
    expect(entry.target).toBe('chat-ops');
    expect(entry.detail).not.toMatch(/secret-path-token|query-token/);
    expect(JSON.parse(entry.detail)).toEqual({ origin: 'https://hooks.example', url_sha256: expect.stringMatching(/^[0-9a-f]{16}$/) });
    await node.rules.removeWebhook(admin, 'chat-ops');
  });

  it('a receiver that fails three times then succeeds gets exactly one accepted, signed delivery', async () => {
    script = [500, 503, 502];
    const s = await node.submissions.submit(admin, { signals: { pdq: PDQ }, external_id: 'post-1' });
    expect(s.decision).toBe('block');
    await drain();
    expect(received.map((r) => r.answered)).toEqual([500, 503, 502, 204]);
    const ok = received[3];
    expect(ok.headers['x-alliance-signature']).toBe(webhookSignature(SECRET, String(ok.headers['x-alliance-timestamp']), ok.body));
    expect(JSON.parse(ok.body)).toMatchObject({
      event: 'match',
      data: { submission: { id: s.id, decision: 'block', external_id: 'post-1', matches: [{ bank: 'KNOWN', distance: 0 }] } },
    });
    expect(new Set(received.map((r) => r.headers['x-alliance-delivery'])).size).toBe(1); // the same delivery each time
    expect(await deliveries()).toMatchObject([{ state: 'delivered', attempts: 4, last_status: 204, last_error: null }]);
  });

  it('a delivery queued before a restart is delivered after it', async () => {
    received.length = 0;
    await node.submissions.submit(admin, { signals: { pdq: PDQ }, external_id: 'post-2' });
    await node.close(); // nothing delivered yet
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.members.authenticate(node.firstAdminToken ?? (await node.members.createToken(await node.operator(), 'local', 'admin')).token);
    await drain();
    expect(received.map((r) => JSON.parse(r.body).data.submission.external_id)).toEqual(['post-2']);
  });

  it('one that keeps failing goes to the dead-letter list; a replay delivers it', async () => {
    received.length = 0;
    script = [500, 500, 500, 500];
    await node.submissions.submit(admin, { signals: { pdq: PDQ }, external_id: 'post-3' });
    await drain();
    const [dead] = await node.webhooks.deliveries(admin, 'dead');
    expect(dead).toMatchObject({
      attempts: 4,
      last_status: 500,
      last_error: 'Failed to deliver: failed, the endpoint answered HTTP 500',
      payload: { submission: { external_id: 'post-3' } },
    });
    await node.webhooks.replay(admin, dead.id);
    await drain();
    expect(received.map((r) => r.answered)).toEqual([500, 500, 500, 500, 204]);
    expect(await node.webhooks.deliveries(admin, 'dead')).toEqual([]);
    await expect(node.webhooks.replay(admin, 9999)).rejects.toMatchObject({ code: 'DELIVERY_NOT_FOUND' });
  });

  it('a receiver that is down counts as a failed attempt, not a crash', async () => {
    await node.rules.addWebhook(admin, { name: 'nobody-home', url: 'http://127.0.0.1:9/hook', secret: SECRET });
    await node.rules.create(admin, { name: 'tell nobody', conditions: { signal_types: ['md5'] }, actions: ['webhook'], webhook: 'nobody-home' });
    await node.submissions.submit(admin, { signals: { md5: 'c'.repeat(32) } });
    await node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'md5', value: 'c'.repeat(32) }] });
    await node.submissions.submit(admin, { signals: { md5: 'c'.repeat(32) } });
    await drain();
    const [d] = await node.webhooks.deliveries(admin, 'dead');
    expect(d).toMatchObject({ webhook: 'nobody-home', attempts: 4, last_status: null, last_error: expect.stringMatching(/^Failed to fetch URL: failed /) });
  });

  it('refuses webhooks to private addresses not on the allow-list, at creation and at delivery', async () => {
    for (const url of [
      'http://127.0.0.1:22/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/x',
      'http://10.0.0.1/x',
      'http://2130706433/x',
    ]) {
      await expect(node.rules.addWebhook(admin, { name: `private-${Math.random().toString(16).slice(2, 8)}`, url, secret: SECRET }), url).rejects.toMatchObject(
        { code: 'WEBHOOK_INVALID', message: expect.stringMatching(/refused/) },
      );
    }
    // A webhook stored while allowed is still refused at delivery once the allowance is gone.
    await node.rules.addWebhook(admin, { name: 'was-allowed', url: 'http://127.0.0.1:9/hook', secret: SECRET });
    await node.rules.create(admin, { name: 'tell was-allowed', conditions: { signal_types: ['sha1'] }, actions: ['webhook'], webhook: 'was-allowed' });
    await node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'sha1', value: '1'.repeat(40) }] });
    await node.submissions.submit(admin, { signals: { sha1: '1'.repeat(40) } });
    const strict = new WebhookDispatcher(node.store, node.audit, new SecretBox(env.dataDir), { retryBaseMs: 1, maxAttempts: 1, allowedHosts: [] });
    await strict.tick();
    const [d] = (await node.webhooks.deliveries(admin, 'dead')).filter((x) => x.webhook === 'was-allowed');
    expect(d).toMatchObject({ attempts: 1, last_status: null, last_error: expect.stringMatching(/^Invalid or unsafe URL provided: refused/) });
  });
});
