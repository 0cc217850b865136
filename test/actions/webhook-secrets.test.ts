/** Webhook secrets and addresses are stored encrypted on both databases, and deliveries still sign with the secret. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.js';
import { startApi, type TestApi } from '../support/api.js';

describe.each(DIALECTS)('webhook secrets at rest on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect, { fetchAllowedHosts: '127.0.0.1:9' });
  });
  afterAll(() => api.close());

  it('keeps neither the secret nor the address in clear, and shows the address to admins', async () => {
    const secret = 'a-secret-nobody-may-read-0042';
    const url = 'http://127.0.0.1:9/hooks/tok_secret_path';
    expect((await api.call('POST', '/api/v1/webhooks', { name: 'sealed', url, secret })).statusCode).toBe(201);
    const row = await api.node.store.db.selectFrom('webhooks').select(['url', 'secret']).where('name', '=', 'sealed').executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^enc1:/);
    expect(row.url).toMatch(/^enc1:/);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain('tok_secret_path');
    expect((await api.call('GET', '/api/v1/webhooks')).json().webhooks).toEqual([expect.objectContaining({ name: 'sealed', url })]);
    // A webhook to a private address not on the allow-list is refused, nothing stored.
    const refused = await api.call('POST', '/api/v1/webhooks', { name: 'metadata', url: 'http://169.254.169.254/latest', secret });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'WEBHOOK_INVALID', message: expect.stringMatching(/refused/) });
    expect((await api.call('GET', '/api/v1/webhooks')).json().webhooks).toHaveLength(1);
  });
});
