/**
 * Acceptance: a webhook receiver that fails three times and then succeeds gets exactly one
 * accepted delivery — and the delivery survives the node being killed between attempts (the
 * queue is in the database). Real node processes on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

describe('webhook deliveries across a node restart', () => {
  let dir: string;
  let receiver: Server;
  let node: ServerProcess | undefined;
  const attempts: number[] = [];
  let accepted = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      const failing = attempts.length < 3;
      attempts.push(failing ? 500 : 204);
      if (!failing) accepted++;
      res.writeHead(failing ? 500 : 204).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'alliance-hook-restart-'));
  });

  afterAll(async () => {
    await node?.stop('SIGKILL');
    receiver.closeAllConnections();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (retryMs: string) => ({
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_ACTIONS_TICK_MS: '50',
    ALLIANCE_WEBHOOK_RETRY_BASE_MS: retryMs,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ALLIANCE_FETCH_ALLOWED_HOSTS: `127.0.0.1:${(receiver.address() as { port: number }).port}`,
  });

  it('fails three times, is killed, restarts, delivers once', async () => {
    // A back-off of 2 s on the first run: the node is killed while the delivery waits for its retry.
    node = await startServer([], env('2000'));
    const token = node.token!;
    const call = (method: string, path: string, body?: unknown) => http(`${node!.url}${path}`, token, method, body);
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    expect((await call('POST', '/api/v1/webhooks', { name: 'platform', url, secret: 'a-secret-of-enough-length' })).status).toBe(201);
    expect(
      (await call('POST', '/api/v1/rules', { name: 'tell', conditions: { signal_types: ['md5'] }, actions: ['webhook', 'block'], webhook: 'platform' })).status,
    ).toBe(201);
    await call('POST', '/api/v1/banks', { name: 'KNOWN' });
    await call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'md5', value: 'a'.repeat(32) }] });
    expect((await call('POST', '/api/v1/submissions', { signals: { md5: 'a'.repeat(32) } })).json.decision).toBe('block');
    await expect.poll(async () => (await call('GET', '/api/v1/webhook-deliveries')).json.deliveries[0]?.attempts, { timeout: 10_000 }).toBe(1);
    await node.stop('SIGKILL');
    expect(attempts).toEqual([500]);

    node = await startServer([], env('100'));
    const again = (method: string, path: string) => http(`${node!.url}${path}`, token, method);
    await expect.poll(async () => (await again('GET', '/api/v1/webhook-deliveries?state=delivered')).json.deliveries.length, { timeout: 20_000 }).toBe(1);
    expect(attempts).toEqual([500, 500, 500, 204]);
    expect(accepted).toBe(1);
    const [d] = (await again('GET', '/api/v1/webhook-deliveries')).json.deliveries;
    expect(d).toMatchObject({ state: 'delivered', attempts: 4, last_status: 204 });
  });
});
