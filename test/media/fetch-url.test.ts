/**
 * Fetching media by URL (HMA's ?url=) never reaches the node's own network unless allowed, caps
 * the size, and follows redirects only to places it would fetch directly. Local servers only.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchToFile, isPrivateAddress, parseAllowedHosts, type FetchOptions } from '../../src/media/fetch-url.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'fd00::1',
    'fc12::1',
    'fe80::1',
    'febf::1',
    'ff02::1',
    'not-an-ip',
  ])('%s is refused', (ip) => expect(isPrivateAddress(ip)).toBe(true));
  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );
});

describe('fetchToFile', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const open: FetchOptions = { allowedHosts: [], maxBytes: 1000, timeoutMs: 5000 };
  let local: FetchOptions;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alliance-fetch-test-'));
    server = createServer((req, res) => {
      const port = (server.address() as { port: number }).port;
      switch (req.url) {
        case '/image':
          return res.writeHead(200, { 'content-type': 'image/png' }).end('0123456789');
        case '/big':
          return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(5000));
        case '/big-chunked':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(Buffer.alloc(800));
          return setTimeout(() => res.end(Buffer.alloc(800)), 10);
        case '/to-image':
          return res.writeHead(302, { location: '/image' }).end();
        case '/to-localhost':
          return res.writeHead(302, { location: `http://localhost:${port}/image` }).end();
        case '/loop':
          return res.writeHead(302, { location: '/loop' }).end();
        case '/hang':
          return;
        default:
          return res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // The allow-list names host and port: this server only.
    local = { ...open, allowedHosts: [`127.0.0.1:${port()}`] };
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dest = () => join(dir, `f-${Math.random()}`);
  const port = () => (server.address() as { port: number }).port;

  it('refuses loopback and other private targets without an allow-list, whatever the spelling', async () => {
    for (const url of [
      `${base}/image`,
      `http://[::ffff:127.0.0.1]:${port()}/image`,
      `http://[::ffff:7f00:1]:${port()}/image`,
      `http://2130706433:${port()}/image`,
      `http://localhost:${port()}/image`,
    ]) {
      await expect(fetchToFile(url, dest(), open), url).rejects.toMatchObject({ code: 'URL_REJECTED' });
    }
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'not a url']) {
      await expect(fetchToFile(url, dest(), open), url).rejects.toMatchObject({ code: 'URL_REJECTED' });
    }
  });

  it('fetches from an allowed host and follows redirects only within what is allowed', async () => {
    const file = dest();
    expect(await fetchToFile(`${base}/to-image`, file, local)).toEqual({ contentType: 'image/png', size: 10 });
    expect(readFileSync(file, 'utf8')).toBe('0123456789');
    await expect(fetchToFile(`${base}/to-localhost`, dest(), local)).rejects.toMatchObject({ code: 'URL_REJECTED' });
    await expect(fetchToFile(`${base}/loop`, dest(), local)).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      message: expect.stringMatching(/too many redirects/),
    });
    // The status is kept for callers (a notice's re-check), never put into the message.
    await expect(fetchToFile(`${base}/missing`, dest(), local)).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      httpStatus: 404,
      message: expect.not.stringMatching(/404/),
    });
  });

  it('allows listed host:port pairs only: another port of an allowed host stays refused, errors say nothing of the remote', async () => {
    const other = createServer((_req, res) => res.writeHead(500, { 'x-secret': 'internal' }).end('internal answer: redis 7.2'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherPort = (other.address() as { port: number }).port;
    try {
      await expect(fetchToFile(`http://127.0.0.1:${otherPort}/`, dest(), local)).rejects.toMatchObject({
        code: 'URL_REJECTED',
        message: expect.stringMatching(/^Invalid or unsafe URL provided: refused, /),
      });
      // Allowed, but failing: the answer's words never reach the caller.
      const both: FetchOptions = { ...local, allowedHosts: [...local.allowedHosts, `127.0.0.1:${otherPort}`] };
      const err = (await fetchToFile(`http://127.0.0.1:${otherPort}/`, dest(), both).catch((e: unknown) => e)) as Error;
      expect(err).toMatchObject({ code: 'FETCH_FAILED', message: expect.stringMatching(/^Failed to fetch URL: failed /) });
      expect(err.message).not.toMatch(/500|redis|internal answer/);
      // A closed port and an open one fail with the same words.
      const closed = (await fetchToFile('http://127.0.0.1:1/', dest(), { ...local, allowedHosts: ['127.0.0.1:1'] }).catch((e: unknown) => e)) as Error;
      expect(closed.message).toBe(err.message);
      // A bare host means its default ports only.
      await expect(fetchToFile(`${base}/image`, dest(), { ...open, allowedHosts: ['127.0.0.1'] })).rejects.toMatchObject({ code: 'URL_REJECTED' });
    } finally {
      other.close();
    }
  });

  it('reads allow-list entries as host:port and refuses anything else', () => {
    expect(parseAllowedHosts(['Abuse.Internal:8443', '[fd00::5]:80', '10.0.0.7'])).toEqual([
      { host: 'abuse.internal', port: 8443 },
      { host: 'fd00::5', port: 80 },
      { host: '10.0.0.7' },
    ]);
    for (const bad of ['http://x:1', 'x:0', 'x:70000', 'a b:1', 'x:1/y']) expect(() => parseAllowedHosts([bad]), bad).toThrow(/host:port/);
  });

  it('caps the size, declared or streamed, and gives up on a host that hangs', async () => {
    await expect(fetchToFile(`${base}/big`, dest(), local)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(fetchToFile(`${base}/big-chunked`, dest(), local)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(fetchToFile(`${base}/hang`, dest(), { ...local, timeoutMs: 200 })).rejects.toMatchObject({ code: 'FETCH_FAILED' });
  });
});
