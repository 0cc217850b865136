/**
 * Takedown notices against a small hosting provider on 127.0.0.1: sent, re-sent on schedule while
 * the URL still serves the content, closed when the host answers "removed" (time to removal
 * recorded) or when a re-check finds the content gone. Re-checks never reach private addresses
 * unless allowed, and a slow or oversized host leaves a clear event, not a stuck notice.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoticeService } from '../../src/actions/notice-service.js';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { testConfig, type TestEnv } from '../support/dialects.js';
import { PDQ_IMAGES } from '../support/paths.js';

const IMAGE = readFileSync(join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg'));
const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const SELF = { name: 'hotline-nl', country: 'NL', kind: 'hotline' };

describe('takedown notices', () => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  let host: Server;
  let base: string;
  /** What the hosting provider does. */
  const state = { serving: true, answer: 'received', noticesReceived: [] as Array<{ url: string; sends: number; evidence: Record<string, string> }> };

  beforeAll(async () => {
    host = createServer((req, res) => {
      if (req.url === '/abuse' && req.method === 'POST') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c));
        req.on('end', () => {
          state.noticesReceived.push(JSON.parse(body));
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: state.answer }));
        });
        return;
      }
      if (req.url === '/slow-abuse') return; // never answers
      if (req.url === '/huge.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(3 * 1024 * 1024));
      if (req.url?.startsWith('/img') && state.serving) return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(IMAGE);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
    env = await testConfig('sqlite', {
      noticeResendMs: '10',
      fetchAllowedHosts: `127.0.0.1:${(host.address() as { port: number }).port}`,
      fetchMaxBytes: String(1024 * 1024),
    });
    node = await openNode(env.config);
    admin = await node.operator();
    await node.notices.addProvider(admin, { name: 'Local Hosting', domains: ['127.0.0.1'], abuse_url: `${base}/abuse` });
  });

  afterAll(async () => {
    await node?.close();
    env?.cleanup();
    host.closeAllConnections();
    host.close();
  });

  /** Works notices until `id` is closed (or `rounds` pass), waiting out the re-send interval. */
  const run = async (id: number, rounds: number, between?: (round: number) => void) => {
    for (let i = 0; i < rounds; i++) {
      between?.(i);
      await new Promise((r) => setTimeout(r, 15));
      await node.notices.tick();
      if ((await node.notices.get(admin, id)).status !== 'open') return;
    }
  };

  it('re-sends while the content is up, until the host answers "removed"; time to removal is recorded', async () => {
    const n = await node.notices.create(admin, { url: `${base}/img/1.jpg`, evidence: { pdq: PDQ }, legal_basis: 'Illegal content (INTERPOL baseline)' });
    expect(n).toMatchObject({ status: 'open', provider: 'Local Hosting', host: '127.0.0.1', sends: 0 });
    await run(n.id, 3, (round) => (state.answer = round < 2 ? 'received' : 'removed'));
    const done = await node.notices.get(admin, n.id);
    expect(done).toMatchObject({ status: 'removed', closed_by: 'host', sends: 3 });
    expect(done.hours_to_removal).toBeGreaterThanOrEqual(0);
    expect(done.events.map((e) => e.kind)).toEqual(['created', 'sent', 'recheck_present', 'sent', 'recheck_present', 'sent', 'removed']);
    expect(state.noticesReceived.map((x) => x.sends)).toEqual([1, 2, 3]);
    expect(state.noticesReceived[0]).toMatchObject({ url: `${base}/img/1.jpg`, evidence: { pdq: PDQ } });
    const [p] = await node.notices.providers(admin);
    expect(p.stats).toMatchObject({ notices: 1, removed: 1, gone: 0, open: 0, notices_sent: 3, removed_within_24h: 1 });
  });

  it('closes a notice when a re-check finds the content gone', async () => {
    state.answer = 'received';
    state.serving = true;
    const n = await node.notices.create(admin, { url: `${base}/img/2.jpg`, evidence: { pdq: PDQ }, legal_basis: 'Illegal content' });
    await run(n.id, 3, (round) => (state.serving = round < 1));
    const done = await node.notices.get(admin, n.id);
    expect(done).toMatchObject({ status: 'gone', closed_by: 'recheck', sends: 1 });
    expect(done.events.at(-2)).toMatchObject({ kind: 'recheck_gone', detail: expect.stringMatching(/HTTP 404/) });
    // Other bytes at the URL prove nothing when the evidence is an exact hash only: still open.
    state.serving = true;
    const exact = await node.notices.create(admin, { url: `${base}/img/4.jpg`, evidence: { md5: 'b'.repeat(32) }, legal_basis: 'Illegal content' });
    await run(exact.id, 2);
    const open = await node.notices.get(admin, exact.id);
    expect(open.status).toBe('open');
    expect(open.events.find((e) => e.kind === 'recheck_failed')?.detail).toMatch(/exact hashes only, removal cannot be confirmed/);
  });

  it('re-checks refuse private addresses unless allowed, cap sizes, and a slow host leaves an event; nothing is stuck', async () => {
    const strict = new NoticeService(node.store, node.audit, SELF, {
      resendMs: 10,
      fetch: { allowedHosts: [], maxBytes: 1024 * 1024, timeoutMs: 300 },
      maxImagePixels: 50_000_000,
    });
    state.answer = 'received';
    const n = await node.notices.create(admin, { url: `${base}/img/3.jpg`, evidence: { pdq: PDQ }, legal_basis: 'Illegal content' });
    const big = await node.notices.create(admin, { url: `${base}/huge.jpg`, evidence: { pdq: PDQ }, legal_basis: 'Illegal content' });
    await node.notices.tick(); // sent once (the test allows 127.0.0.1)
    await new Promise((r) => setTimeout(r, 15));
    await strict.tick(); // the re-checks of a node that does not allow it
    const events = (await node.notices.get(admin, n.id)).events;
    expect(events.find((e) => e.kind === 'recheck_failed')?.detail).toMatch(
      /^URL_REJECTED: Invalid or unsafe URL provided: refused, .*private addresses need an ALLIANCE_FETCH_ALLOWED_HOSTS entry/,
    );
    expect((await node.notices.get(admin, n.id)).status).toBe('open');
    await new Promise((r) => setTimeout(r, 15));
    await node.notices.tick();
    expect((await node.notices.get(admin, big.id)).events.findLast((e) => e.kind === 'recheck_failed')?.detail).toMatch(/^PAYLOAD_TOO_LARGE/);

    await node.notices.addProvider(admin, { name: 'Slow Hosting', domains: ['slow.localhost'], abuse_url: `${base}/slow-abuse` });
    // Sending goes through the same guard: an abuse URL on a private address is refused unless allowed.
    const refused = await strict.create(admin, { url: 'http://slow.localhost/x.jpg', evidence: { pdq: PDQ }, legal_basis: 'Illegal content' });
    await strict.tick();
    expect((await node.notices.get(admin, refused.id)).events.at(-1)).toMatchObject({
      kind: 'send_failed',
      detail: expect.stringMatching(/^to Slow Hosting: URL_REJECTED: Invalid or unsafe URL provided: refused/),
    });
    const patient = new NoticeService(node.store, node.audit, SELF, {
      resendMs: 10,
      fetch: { allowedHosts: env.config.fetchAllowedHosts, maxBytes: 1024 * 1024, timeoutMs: 300 },
      maxImagePixels: 50_000_000,
    });
    const slow = await patient.create(admin, { url: 'http://slow.localhost/y.jpg', evidence: { pdq: PDQ }, legal_basis: 'Illegal content' });
    await new Promise((r) => setTimeout(r, 15));
    await patient.tick();
    const s = await node.notices.get(admin, slow.id);
    expect(s).toMatchObject({ status: 'open', sends: 0, provider: 'Slow Hosting' });
    expect(s.events.at(-1)).toMatchObject({
      kind: 'send_failed',
      detail: expect.stringMatching(/^to Slow Hosting: FETCH_FAILED: Failed to fetch URL: failed /),
    });
    expect(Date.parse(s.next_action_at!)).toBeGreaterThan(Date.now() - 1000);
  });

  it('refuses bad notices and providers with clear errors', async () => {
    await expect(node.notices.create(admin, { url: 'ftp://x/y', evidence: { pdq: PDQ }, legal_basis: 'x' })).rejects.toMatchObject({ code: 'NOTICE_INVALID' });
    await expect(node.notices.create(admin, { url: `${base}/img/9.jpg`, evidence: {}, legal_basis: 'x' })).rejects.toMatchObject({
      code: 'NOTICE_INVALID',
      message: expect.stringMatching(/evidence/),
    });
    await expect(node.notices.create(admin, { url: `${base}/img/9.jpg`, evidence: { pdq: 'zz' }, legal_basis: 'x' })).rejects.toMatchObject({
      code: 'SIGNAL_MALFORMED',
    });
    await expect(node.notices.addProvider(admin, { name: 'No Contact', domains: ['example.org'] })).rejects.toMatchObject({ code: 'PROVIDER_INVALID' });
    await expect(node.notices.addProvider(admin, { name: 'Bad URL', domains: ['example.org'], abuse_url: 'javascript:alert(1)' })).rejects.toMatchObject({
      code: 'PROVIDER_INVALID',
    });
  });
});

describe('takedown notices by e-mail', () => {
  let env: TestEnv;
  let node: AllianceNode;
  let smtp: NetServer;
  const mails: string[] = [];

  beforeAll(async () => {
    // Just enough SMTP for one client: greeting, EHLO, MAIL, RCPT, DATA, QUIT.
    smtp = createNetServer((socket) => {
      let data = false;
      let buffer = '';
      socket.write('220 localhost test SMTP\r\n');
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let i: number;
        while ((i = data ? buffer.indexOf('\r\n.\r\n') : buffer.indexOf('\r\n')) >= 0) {
          if (data) {
            mails.push(buffer.slice(0, i));
            buffer = buffer.slice(i + 5);
            data = false;
            socket.write('250 2.0.0 queued as TEST1\r\n');
            continue;
          }
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO' || verb === 'HELO') socket.write('250-localhost\r\n250 8BITMIME\r\n');
          else if (verb === 'DATA') {
            data = true;
            socket.write('354 go ahead\r\n');
          } else if (verb === 'QUIT') socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.address() as { port: number }).port;
    env = await testConfig('sqlite', { noticeResendMs: '10', smtpUrl: `smtp://127.0.0.1:${port}`, smtpFrom: 'notices@hotline.example' });
    node = await openNode(env.config);
  });

  afterAll(async () => {
    await node?.close();
    env?.cleanup();
    smtp.close();
  });

  it('sends the notice to the abuse address, re-sends it, and closes when removal is confirmed', async () => {
    const admin = await node.operator();
    await node.notices.addProvider(admin, { name: 'Mail Only Hosting', domains: ['192.0.2.10'], abuse_email: 'abuse@files.example.net' });
    const n = await node.notices.create(admin, {
      url: 'https://192.0.2.10/a/b.jpg',
      evidence: { md5: 'a'.repeat(32) },
      legal_basis: 'Illegal content (INTERPOL baseline)',
    });
    await node.notices.tick();
    await new Promise((r) => setTimeout(r, 15));
    // The URL cannot be re-checked from here (a documentation address, refused without a lookup): the notice goes on being sent.
    await node.notices.tick();
    const sent = await node.notices.get(admin, n.id);
    expect(sent).toMatchObject({ status: 'open', sends: 2 });
    expect(sent.events.filter((e) => e.kind === 'sent').map((e) => e.detail)).toEqual([
      expect.stringMatching(/^e-mail to abuse@files\.example\.net: 250 2\.0\.0 queued as TEST1/),
      expect.any(String),
    ]);
    expect(mails).toHaveLength(2);
    expect(mails[0]).toMatch(/^From: notices@hotline\.example/m);
    expect(mails[0]).toMatch(/^To: abuse@files\.example\.net/m);
    expect(mails[0]).toMatch(/^Subject: Takedown notice .*192\.0\.2\.10\/a\/b\.jpg/m);
    expect(mails[0]).toContain('filename=notice.json');
    const closed = await node.notices.confirmRemoved(admin, n.id, 'the host replied by e-mail');
    expect(closed).toMatchObject({ status: 'removed', closed_by: 'host' });
    expect(closed.events.at(-1)).toMatchObject({ kind: 'removed', detail: expect.stringMatching(/the host replied by e-mail/) });
    await expect(node.notices.confirmRemoved(admin, n.id, null)).rejects.toMatchObject({ code: 'NOTICE_INVALID' });
  });
});
