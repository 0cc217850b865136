/**
 * No request can stall the node: while a 16,000 × 16,000-frame vPDQ comparison, a 45,000-frame vPDQ
 * lookup and 16 concurrent uploads of a 9,000 × 9,000 PNG run against a real `alliance serve`,
 * `/health` and a PDQ lookup sent after them answer before those are done (an order the test
 * observes, not a time it asserts), the server's memory stays within its decode budget, and what
 * is over a limit gets 413 or 503 (with Retry-After) and a clear message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { bigPng, rssBytes, scenes, vpdqValue } from '../support/heavy-load.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

describe('heavy requests against alliance serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-heavy-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps /health and small lookups answering, memory within budget, and refuses what is over a limit', { timeout: 240_000 }, async () => {
    // Two 81 MP images decode at once at most; 4 heavy tasks may wait; more are refused.
    server = await startServer([], {
      ALLIANCE_DATA_DIR: dir,
      ALLIANCE_DECODE_BUDGET_MP: '170',
      ALLIANCE_COMPUTE_QUEUE: '4',
      ALLIANCE_COMPUTE_THREADS: '2',
      ALLIANCE_SYNC_INTERVAL_MS: '0',
    });
    const token = server.token!;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) => fetch(`${server!.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const videoScenes = scenes(400, 1);
    await post('/api/v1/banks', { name: 'VIDEOS' });
    await post('/api/v1/banks', { name: 'IMAGES' });
    expect((await post('/api/v1/banks/VIDEOS/content', { signals: [{ signal_type: 'vpdq', value: vpdqValue(12_000, videoScenes, 2) }] })).status).toBe(201);
    expect((await post('/api/v1/banks/IMAGES/content', { signals: [{ signal_type: 'pdq', value: PDQ }] })).status).toBe(201);
    const idleRss = rssBytes(server.proc.pid!);

    const compareA = vpdqValue(16_000, scenes(600, 3), 4);
    const compareB = vpdqValue(16_000, scenes(600, 5), 6);
    const query = vpdqValue(45_000, videoScenes, 7);
    const png = await bigPng(9000);
    const finished: Record<string, number> = {};
    const at = (what: string) => (finished[what] = performance.now());
    let peak = idleRss;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(server!.proc.pid!))), 50);

    const compare = post('/api/v1/compare', { signal_type: 'vpdq', a: compareA, b: compareB }).then(
      async (r) => (at('compare'), { status: r.status, json: (await r.json()) as any }),
    );
    const vlookup = post('/api/v1/lookup', { signal_type: 'vpdq', signal: query }).then(
      async (r) => (at('vpdq lookup'), { status: r.status, json: (await r.json()) as any }),
    );
    const ups = Array.from({ length: 16 }, (_, i) => {
      const form = new FormData();
      form.append('file', new Blob([png], { type: 'image/png' }), 'big.png');
      return fetch(`${server!.url}/api/v1/hash`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form }).then(
        async (r) => (at(`upload ${i}`), { status: r.status, retryAfter: r.headers.get('retry-after'), json: (await r.json()) as any }),
      );
    });
    // Sent after all of them: the node answers these while they are still running.
    await new Promise((r) => setTimeout(r, 300));
    const health = await fetch(`${server.url}/health`);
    at('health');
    expect(health.status).toBe(200);
    const small = await post('/api/v1/lookup', { signal_type: 'pdq', signal: PDQ });
    at('pdq lookup');
    expect(((await small.json()) as { matches: unknown[] }).matches).toHaveLength(1);

    const [c, v, uploads] = await Promise.all([compare, vlookup, Promise.all(ups)]);
    clearInterval(sampler);
    expect(c.status, JSON.stringify(c.json)).toBe(200);
    expect(c.json).toMatchObject({ signal_type: 'vpdq', match: false });
    expect(v.status, JSON.stringify(v.json)).toBe(200);
    expect(v.json.matches).toHaveLength(1);
    const small1 = Math.max(finished.health, finished['pdq lookup']);
    expect(small1).toBeLessThan(finished.compare);
    expect(small1).toBeLessThan(finished['vpdq lookup']);
    const answered = uploads.filter((u) => u.status === 200);
    const refused = uploads.filter((u) => u.status === 503);
    expect(answered.length + refused.length).toBe(16);
    expect(answered.length).toBeGreaterThan(0);
    expect(small1).toBeLessThan(
      Math.max(
        ...Object.entries(finished)
          .filter(([k]) => k.startsWith('upload'))
          .map(([, t]) => t),
      ),
    );
    expect(refused.length).toBeGreaterThan(0); // 16 over a queue of 4
    for (const r of refused) {
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(r.json).toMatchObject({ code: 'SERVER_BUSY', message: expect.stringMatching(/retry in \d+ s/) });
    }
    for (const a of answered) expect(a.json.signals.pdq.value).toMatch(/^[0-9a-f]{64}$/);
    // Memory: two images decoding at once, not sixteen (8 used to take the server past 2 GB).
    expect(peak - idleRss).toBeLessThan(1.2 * 2 ** 30);

    // Over the frame limit: refused at once, nothing started.
    const tooLong = vpdqValue(50_001, videoScenes, 8);
    const over = await post('/api/v1/compare', { signal_type: 'vpdq', a: tooLong, b: 'x' });
    expect(over.status).toBe(413);
    expect(((await over.json()) as { message: string }).message).toMatch(/at most 50,000/);
    const overLookup = await post('/api/v1/lookup', { signal_type: 'vpdq', signal: tooLong });
    expect(overLookup.status).toBe(413);
    const hmaOver = await fetch(`${server.url}/m/compare`, { method: 'POST', headers, body: JSON.stringify({ vpdq: [tooLong, tooLong] }) });
    expect(hmaOver.status).toBe(413);
  });
});

describe('slow clients against alliance serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-slow-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes connections that trickle their headers or body, and idle keep-alive ones; /health answers meanwhile', { timeout: 120_000 }, async () => {
    server = await startServer([], {
      ALLIANCE_DATA_DIR: dir,
      ALLIANCE_HEADERS_TIMEOUT_MS: '2000',
      ALLIANCE_REQUEST_TIMEOUT_MS: '4000',
      ALLIANCE_KEEPALIVE_TIMEOUT_MS: '1000',
      ALLIANCE_SYNC_INTERVAL_MS: '0',
    });
    const { port } = new URL(server.url);
    const open = (first: string) =>
      new Promise<{ closed: Promise<void>; socket: Socket }>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(first);
          resolve({ socket, closed: new Promise((r) => socket.once('close', () => r())) });
        });
        socket.on('error', () => undefined);
        socket.once('error', reject);
      });
    const conns = [
      // 300 trickle their headers, a byte every second (never finishing them).
      ...(await Promise.all(Array.from({ length: 300 }, () => open('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ')))),
      // 100 send headers, then trickle a body that never ends.
      ...(await Promise.all(
        Array.from({ length: 100 }, () =>
          open(
            `POST /api/v1/lookup HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server!.token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
          ),
        ),
      )),
    ];
    let closed = 0;
    for (const c of conns) void c.closed.then(() => closed++);
    const trickle = setInterval(() => {
      for (const c of conns) if (!c.socket.destroyed) c.socket.write('a');
    }, 1000);
    try {
      // The server still answers while they hang on.
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      await until(() => (closed === conns.length ? true : undefined), 'every trickling connection closed by the server', 150);
      // An idle keep-alive connection is closed after its timeout too.
      const idle = await open('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      let answer = '';
      idle.socket.on('data', (d) => (answer += d.toString()));
      await until(() => (idle.socket.destroyed || idle.socket.readableEnded ? true : undefined), 'the idle keep-alive connection closed', 100);
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      clearInterval(trickle);
      for (const c of conns) c.socket.destroy();
    }
  });
});
