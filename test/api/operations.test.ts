/** Operations: structured logs that never contain tokens, interactive API docs, health. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startApi } from '../support/api.js';

describe('operations', () => {
  it('logs JSON lines for requests and never the token', async () => {
    const sink = new PassThrough();
    let log = '';
    sink.on('data', (c: Buffer) => (log += c.toString('utf8')));
    const api = await startApi('sqlite', { logLevel: 'info' }, sink);
    try {
      await api.call('GET', '/api/v1/banks');
      await api.call('GET', '/api/v1/banks', undefined, 'alli_a-wrong-token-that-must-not-leak');
      await api.call('GET', `/m/raw_lookup?signal_type=pdq&signal=${'0'.repeat(64)}`);
      await new Promise((r) => setTimeout(r, 50));
      const lines = log.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(6);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      // Requests are logged by route template: no query string, no looked-up hash.
      expect(lines.some((l) => JSON.parse(l).req?.route === '/api/v1/banks')).toBe(true);
      expect(lines.some((l) => JSON.parse(l).req?.route === '/m/raw_lookup')).toBe(true);
      expect(log).not.toContain('0'.repeat(64));
      expect(log).not.toContain('signal_type=');
      expect(log).not.toContain(api.adminToken);
      expect(log).not.toContain('a-wrong-token-that-must-not-leak');
    } finally {
      await api.close();
    }
  });

  it('serves interactive API docs and health without a token', async () => {
    const api = await startApi('sqlite');
    try {
      const docs = await api.call('GET', '/docs/', undefined, null);
      expect(docs.statusCode).toBe(200);
      expect(docs.headers['content-type']).toMatch(/text\/html/);
      expect((await api.call('GET', '/health', undefined, null)).json()).toMatchObject({ status: 'ok', index_ready: true });
    } finally {
      await api.close();
    }
  });
});
