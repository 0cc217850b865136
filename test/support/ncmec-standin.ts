/**
 * A stand-in for NCMEC's hash-sharing API v2 on 127.0.0.1 (REFERENCE.md §9), for tests and the
 * sync bench. It holds a log of entry records (the fixture pages' images, videos and deletions, and
 * whatever a test adds later: an update or a deletion is a new record for the same member/id) and
 * answers `GET /v2/entries?from&to` with the records whose timestamp lies in [from, to), in log
 * order (not time order, like NCMEC), as `queryResult` pages of `pageSize` with
 * `<paging><next>/v2/entries?from=…&to=…&start=…&size=…&max=…</next>` while more remain.
 * HTTP Basic (401 on a wrong password), `/v2/status`, `/v2/feedback/<TYPE>/reasons`, and the
 * feedback PUT (recorded: method, path, body). Every request is logged.
 *
 * Faults for the hostile-remote tests: 5xx bursts (N failures, then success), a hang or a slow
 * answer, malformed XML, a DOCTYPE with entity expansion, an XXE external entity, a huge answer
 * streamed lazily (never held), a never-ending trickle, a wrong content type, a document that is
 * not a queryResult; and `hold(page)`,
 * which leaves the request for a page unanswered until `release()` (a crash test kills its
 * client meanwhile). Generator mode serves N synthetic entries (hex MD5/SHA-1/PDQ from a counter)
 * page by page, computing each page when asked, so 1,000,000 cost no memory.
 *
 * Run by itself (the bench): `node --import tsx test/support/ncmec-standin.ts --generate N [--page-size 1000]`
 * prints one JSON line {url, user, password} and serves until killed.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from './paths.js';

const NCMEC_FIXTURES = join(FIXTURES, 'ncmec');
const NS = 'https://hashsharing.ncmec.org/hashsharing/v2';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export type Kind = 'image' | 'video';

/** One entry as the log holds it: its raw XML element (as NCMEC writes it) and what selects it. */
export interface StandinRecord {
  kind: Kind;
  deleted: boolean;
  memberId: string;
  id: string;
  timestamp: number;
  xml: string;
}

export type Fault =
  | { kind: '5xx'; count: number; status?: number }
  | { kind: 'hang' }
  | { kind: 'slow'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'entity-bomb' }
  | { kind: 'xxe' }
  | { kind: 'huge'; bytes?: number }
  | { kind: 'endless' }
  | { kind: 'content-type' }
  /** Well-formed XML that is not a queryResult. */
  | { kind: 'wrong-root' }
  /** A page whose next link is the link that was asked for (a window that never ends). */
  | { kind: 'loop' };

export interface RequestSeen {
  method: string;
  path: string;
  query: Record<string, string>;
  authorized: boolean;
  /** The page of a window an entries request asked for (1: the first). */
  page?: number;
}

export interface FeedbackSeen {
  method: string;
  path: string;
  memberId: string;
  entryId: string;
  type: string;
  body: string;
}

export interface StandinOptions {
  user?: string;
  password?: string;
  pageSize?: number;
  /** The path under which /v2 lives (NCMEC's bases have one: /hashsharing). */
  prefix?: string;
  /** Serve `count` synthetic entries instead of the log. */
  generate?: { count: number };
}

export interface NcmecStandin {
  /** The base URL to configure (`base_url`), e.g. http://127.0.0.1:4567/hashsharing. */
  url: string;
  user: string;
  password: string;
  records: StandinRecord[];
  requests: RequestSeen[];
  feedback: FeedbackSeen[];
  /** Entries requests only. */
  entryRequests(): RequestSeen[];
  /** Appends records (an update or a deletion of an earlier one arrives on a later page). */
  add(...records: StandinRecord[]): void;
  /** The fault for entries requests (for `page` only, when given); null clears it. */
  setFault(fault: Fault | null, opts?: { page?: number }): void;
  /** The next `count` feedback PUTs answer `status` (503 by default) and are not recorded. */
  failFeedback(count: number, status?: number): void;
  /** Leaves the next request for window page `page` unanswered until release(); resolves when it has arrived. */
  hold(page: number): Promise<void>;
  release(): void;
  setPassword(password: string): void;
  close(): Promise<void>;
}

// ---- records -----------------------------------------------------------------------------------

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The records of a fixture page, in document order, their XML as written there. */
export function fixtureRecords(file: string): StandinRecord[] {
  const text = readFileSync(join(NCMEC_FIXTURES, file), 'utf8');
  const out: StandinRecord[] = [];
  for (const m of text.matchAll(/<(image|video|deletedImage|deletedVideo)>[\s\S]*?<\/\1>/g)) {
    const tag = m[1];
    const xml = m[0];
    out.push({
      kind: tag.toLowerCase().endsWith('image') ? 'image' : 'video',
      deleted: tag.startsWith('deleted'),
      memberId: /<member id="([^"]+)"/.exec(xml)![1],
      id: /<id>([^<]+)<\/id>/.exec(xml)![1],
      timestamp: Date.parse(/<timestamp>([^<]+)<\/timestamp>/.exec(xml)![1]),
      xml,
    });
  }
  return out;
}

/** A new version of an entry (neutral test data: the caller gives hex fingerprints). */
export function entryRecord(e: {
  kind: Kind;
  memberId: string;
  memberName?: string;
  id: string;
  timestamp: string | number;
  classification?: string;
  fingerprints: Record<string, string>;
}): StandinRecord {
  const ts = typeof e.timestamp === 'number' ? e.timestamp : Date.parse(e.timestamp);
  const fps = Object.entries(e.fingerprints)
    // "href:…": an oversized fingerprint, sent empty with the link to fetch it by (as NCMEC does).
    .map(([k, v]) => (v.startsWith('href:') ? `<${k} rel="self" href="${v.slice(5)}"/>` : `<${k}>${v}</${k}>`))
    .join('');
  return {
    kind: e.kind,
    deleted: false,
    memberId: e.memberId,
    id: e.id,
    timestamp: ts,
    xml: `<${e.kind}><member id="${e.memberId}">${e.memberName ?? 'Example Member'}</member><timestamp>${stamp(ts)}</timestamp><id>${e.id}</id>${
      e.classification ? `<classification>${e.classification}</classification>` : ''
    }<fingerprints>${fps}</fingerprints></${e.kind}>`,
  };
}

export function deletionRecord(e: { kind: Kind; memberId: string; id: string; timestamp: string | number }): StandinRecord {
  const ts = typeof e.timestamp === 'number' ? e.timestamp : Date.parse(e.timestamp);
  const tag = e.kind === 'image' ? 'deletedImage' : 'deletedVideo';
  return {
    kind: e.kind,
    deleted: true,
    memberId: e.memberId,
    id: e.id,
    timestamp: ts,
    xml: `<${tag}><member id="${e.memberId}">Example Member</member><id>${e.id}</id><timestamp>${stamp(ts)}</timestamp></${tag}>`,
  };
}

/** `words` 32-bit words of random-looking hex from (i, salt): a multiply-xorshift mix, far cheaper than a digest (the bench makes 3 M). */
function hex(i: number, salt: number, words: number): string {
  let out = '';
  let x = (i * 0x9e3779b1) ^ (salt * 0x85ebca77);
  for (let w = 0; w < words; w++) {
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
    x ^= x >>> 16;
    out += (x >>> 0).toString(16).padStart(8, '0');
    x += 0x6d2b79f5 + w;
  }
  return out;
}

/** Synthetic entry i of the generator: random-looking hex fingerprints, a timestamp spread over a year. */
function generated(i: number, t0: number, dt: number): { ts: number; xml: string } {
  const ts = t0 + Math.floor(i * dt);
  return {
    ts,
    xml: `<image><member id="7">Bench Member</member><timestamp>${stamp(ts)}</timestamp><id>gen${i}</id><classification>${i % 2 ? 'A1' : 'B1'}</classification><fingerprints><md5>${hex(i, 1, 4)}</md5><sha1>${hex(i, 2, 5)}</sha1><pdq>${hex(i, 3, 8)}</pdq></fingerprints></image>`,
  };
}

export const SAMPLE_PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
export const SAMPLE_NEW_MD5 = 'abcdefabcdefabcdefabcdefabcdefab';

/**
 * Three pages of four: page 1 is the first fixture page (two entries, two deletions of entries
 * never seen); page 2 the second and third fixture pages' entries and one with a PDQ; page 3 a new
 * version of `willupdate`, the deletion of `willdelete`, and an entry with no fingerprint Alliance matches.
 */
export function seed(s: NcmecStandin): void {
  s.add(...fixtureRecords('entries-page-1.xml'), ...fixtureRecords('entries-page-2.xml'), ...fixtureRecords('entries-page-3-updates.xml'));
  s.add(
    entryRecord({
      kind: 'image',
      memberId: '44',
      id: 'img-pdq',
      timestamp: '2020-02-01T00:00:00Z',
      classification: 'B1',
      fingerprints: { md5: 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0', pdq: SAMPLE_PDQ, netclean: 'opaque-n' },
    }),
    entryRecord({
      kind: 'video',
      memberId: '101',
      memberName: 'TX Example',
      id: 'willupdate',
      timestamp: '2019-11-24T15:10:00Z',
      classification: 'A2',
      fingerprints: { md5: SAMPLE_NEW_MD5, videntifier: 'opaque-v', 'tmk-pdqf': 'href:/v2/entries/1/fingerprints/TMK_PDQF' },
    }),
    deletionRecord({ kind: 'video', memberId: '101', id: 'willdelete', timestamp: '2019-11-25T15:10:00Z' }),
    entryRecord({ kind: 'video', memberId: '45', id: 'nomatch', timestamp: '2020-03-01T00:00:00Z', fingerprints: { pdna: 'opaque-p' } }),
  );
}

// ---- the server --------------------------------------------------------------------------------

export async function startNcmecStandin(opts: StandinOptions = {}): Promise<NcmecStandin> {
  const user = opts.user ?? 'test_user';
  let password = opts.password ?? 'test-password';
  const size = opts.pageSize ?? 1000;
  const prefix = opts.prefix ?? '/hashsharing';
  const records: StandinRecord[] = [];
  const requests: RequestSeen[] = [];
  const feedback: FeedbackSeen[] = [];
  let fault: { f: Fault; page?: number } | null = null;
  let feedbackFailures = { count: 0, status: 503 };
  let held: { page: number; arrived: () => void } | null = null;
  let heldResponses: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const started = Date.now();
  const gen = opts.generate ? { count: opts.generate.count, t0: started - 400 * 86400_000, dt: (365 * 86400_000) / Math.max(1, opts.generate.count) } : null;

  const xml = (res: ServerResponse, body: string, status = 200) => res.writeHead(status, { 'content-type': 'application/xml' }).end(body);

  /** The window's records [from, to) in log order, or, generated, the index range. */
  function windowOf(from: number, to: number): { count: number; at(i: number): { ts: number; xml: string; kind: Kind } } {
    if (gen) {
      const lo = Math.max(0, Math.ceil((from - gen.t0) / gen.dt));
      let hi = Math.min(gen.count, Math.ceil((to - gen.t0) / gen.dt));
      // Exact at the edges (floor in generated()).
      const tsOf = (i: number) => gen.t0 + Math.floor(i * gen.dt);
      let l = lo;
      while (l > 0 && tsOf(l - 1) >= from) l--;
      while (l < gen.count && tsOf(l) < from) l++;
      while (hi < gen.count && tsOf(hi) < to) hi++;
      while (hi > l && tsOf(hi - 1) >= to) hi--;
      return { count: Math.max(0, hi - l), at: (i) => ({ ...generated(l + i, gen.t0, gen.dt), kind: 'image' }) };
    }
    const sel = records.filter((r) => r.timestamp >= from && r.timestamp < to);
    return { count: sel.length, at: (i) => ({ ts: sel[i].timestamp, xml: sel[i].xml, kind: sel[i].kind }) };
  }

  function entriesPage(query: Record<string, string>, base: string): string {
    const from = Date.parse(query.from ?? '');
    const to = query.to ? Date.parse(query.to) : Date.now();
    const start = Math.max(1, Number(query.start ?? 1) || 1);
    const win = windowOf(Number.isNaN(from) ? 0 : from, to);
    const images: string[] = [];
    const videos: string[] = [];
    let maxImage = 0;
    let maxVideo = 0;
    for (let i = start - 1; i < Math.min(win.count, start - 1 + size); i++) {
      const r = win.at(i);
      if (r.kind === 'image') {
        images.push(r.xml);
        maxImage = Math.max(maxImage, r.ts);
      } else {
        videos.push(r.xml);
        maxVideo = Math.max(maxVideo, r.ts);
      }
    }
    const list = (name: string, items: string[], max: number) =>
      items.length ? `<${name} count="${items.length}" maxTimestamp="${stamp(max)}">\n${items.join('\n')}\n</${name}>` : `<${name} count="0"/>`;
    const nextStart = start + size;
    const paging =
      nextStart <= win.count
        ? `<paging><next>/v2/entries?from=${encodeURIComponent(query.from ?? '')}&amp;to=${encodeURIComponent(query.to ?? '')}&amp;start=${nextStart}&amp;size=${size}&amp;max=${nextStart + size - 1}</next></paging>`
        : '';
    void base;
    return `${HEAD}<queryResult xmlns="${NS}">\n${list('images', images, maxImage)}\n${list('videos', videos, maxVideo)}\n${paging}\n</queryResult>\n`;
  }

  /** Writes `chunk` until `limit` bytes (or forever), respecting back-pressure, stopping when the client goes. */
  function stream(res: ServerResponse, head: string, chunk: string, limit: number, pauseMs: number) {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.write(head);
    let sent = head.length;
    let gone = false;
    res.on('close', () => (gone = true));
    const pump = () => {
      while (!gone && sent < limit) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
        if (pauseMs) return void setTimeout(pump, pauseMs);
      }
      if (!gone) res.end('</images></queryResult>');
    };
    pump();
  }

  function faulty(res: ServerResponse, f: Fault, asked: URL): boolean {
    switch (f.kind) {
      case 'loop': {
        const own = `/v2/entries${asked.search}`.replace(/&/g, '&amp;');
        xml(
          res,
          entriesPage(Object.fromEntries(asked.searchParams), prefix).replace(
            /<paging>[\s\S]*<\/paging>|(?=<\/queryResult>)/,
            `<paging><next>${own}</next></paging>`,
          ),
        );
        return true;
      }
      case '5xx':
        if (f.count <= 0) return false;
        f.count--;
        xml(res, `<error>temporarily unavailable</error>`, f.status ?? 503);
        return true;
      case 'hang':
        return true; // never answered; the socket is destroyed on close()
      case 'slow':
        return false; // handled by the caller (delays, then answers)
      case 'malformed':
        xml(res, `${HEAD}<queryResult xmlns="${NS}"><images count="1"><image><member id="42">Example Member</member><id>x</id></images></queryResult>`);
        return true;
      case 'entity-bomb': {
        const ents = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');
        xml(
          res,
          `<?xml version="1.0"?>\n<!DOCTYPE queryResult [\n${ents}\n]>\n<queryResult xmlns="${NS}"><images count="1"><image><member id="42">M</member><id>&lol9;</id></image></images></queryResult>`,
        );
        return true;
      }
      case 'xxe':
        xml(
          res,
          `<?xml version="1.0"?>\n<!DOCTYPE queryResult [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>\n<queryResult xmlns="${NS}"><images count="1"><image><member id="42">M</member><id>x</id><timestamp>2020-01-01T00:00:00Z</timestamp><fingerprints><md5>&secret;</md5></fingerprints></image></images></queryResult>`,
        );
        return true;
      case 'huge': {
        const one = generated(1, started, 0).xml;
        stream(res, `${HEAD}<queryResult xmlns="${NS}"><images count="1">`, `${one}\n`.repeat(100), f.bytes ?? 400 * 2 ** 20, 0);
        return true;
      }
      case 'endless':
        stream(res, `${HEAD}<queryResult xmlns="${NS}"><images count="1">`, '<!-- more -->\n', Infinity, 20);
        return true;
      case 'wrong-root':
        xml(res, `${HEAD}<html xmlns="${NS}"><body><image><id>x</id></image></body></html>`);
        return true;
      case 'content-type':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>');
        return true;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://standin');
    const query = Object.fromEntries(u.searchParams);
    const path = u.pathname.startsWith(`${prefix}/`) ? u.pathname.slice(prefix.length) : u.pathname;
    const auth = req.headers.authorization ?? '';
    const authorized = auth === `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const seen: RequestSeen = { method: req.method ?? 'GET', path, query, authorized };
    requests.push(seen);
    let body = '';
    for await (const c of req) body += (c as Buffer).toString('utf8');
    if (!u.pathname.startsWith(`${prefix}/v2/`)) return xml(res, '<error>not found</error>', 404);
    if (!authorized) return res.writeHead(401, { 'www-authenticate': 'Basic realm="hashsharing"', 'content-type': 'text/plain' }).end('Unauthorized');

    if (req.method === 'GET' && path === '/v2/status')
      return xml(res, `${HEAD}<status xmlns="${NS}"><ipAddress>127.0.0.1</ipAddress><username>${user}</username><member id="1">test member</member></status>`);
    const reasons = /^\/v2\/feedback\/([A-Z0-9_]+)\/reasons$/.exec(path);
    if (req.method === 'GET' && reasons) {
      const t = reasons[1];
      return xml(
        res,
        `${HEAD}<availableFeedbackReasons xmlns="${NS}"><reason guid="01234567-abcd-0123-4567-012345678900" name="Example Reason 1" type="${t}"/><reason guid="89abcdef-0123-4567-89ab-cdef01234567" name="Example Reason 2" type="${t}"/></availableFeedbackReasons>`,
      );
    }
    const fb = /^\/v2\/entries\/([^/]+)\/([^/]+)\/([A-Z0-9_]+)\/feedback$/.exec(path);
    if (fb) {
      if (req.method !== 'PUT') return xml(res, '<error>method not allowed</error>', 405);
      if (feedbackFailures.count > 0) {
        feedbackFailures.count--;
        return xml(res, '<error>temporarily unavailable</error>', feedbackFailures.status);
      }
      if (!/^(<\?xml[^>]*\?>\s*)?<feedbackSubmission xmlns="https:\/\/hashsharing\.ncmec\.org\/hashsharing\/v2">/.test(body.trim()))
        return xml(res, '<error>not a feedbackSubmission</error>', 400);
      feedback.push({ method: req.method, path, memberId: decodeURIComponent(fb[1]), entryId: decodeURIComponent(fb[2]), type: fb[3], body });
      return xml(res, readFileSync(join(NCMEC_FIXTURES, 'feedback-update-result.xml'), 'utf8'));
    }
    if (req.method === 'GET' && path === '/v2/entries') {
      const page = Math.floor((Math.max(1, Number(query.start ?? 1) || 1) - 1) / size) + 1;
      seen.page = page;
      if (held && held.page === page) {
        const h = held;
        held = null;
        h.arrived();
        await new Promise<void>((r) => heldResponses.push(r));
      }
      if (fault && (fault.page === undefined || fault.page === page)) {
        if (fault.f.kind === 'slow') await new Promise((r) => setTimeout(r, (fault!.f as { ms: number }).ms));
        else if (faulty(res, fault.f, u)) return;
      }
      return xml(res, entriesPage(query, prefix));
    }
    return xml(res, '<error>not found</error>', 404);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    user,
    get password() {
      return password;
    },
    records,
    requests,
    feedback,
    entryRequests: () => requests.filter((r) => r.path === '/v2/entries'),
    add: (...rs) => void records.push(...rs),
    setFault(f, o = {}) {
      fault = f ? { f, page: o.page } : null;
    },
    failFeedback(count, status = 503) {
      feedbackFailures = { count, status };
    },
    hold(page) {
      return new Promise<void>((arrived) => (held = { page, arrived }));
    },
    release() {
      held = null;
      const waiting = heldResponses;
      heldResponses = [];
      for (const r of waiting) r();
    },
    setPassword(p) {
      password = p;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// ---- by itself (the bench) -----------------------------------------------------------------------

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const flag = (n: string) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
  const s = await startNcmecStandin({ generate: { count: Number(flag('--generate') ?? 1000) }, pageSize: Number(flag('--page-size') ?? 1000) });
  process.stdout.write(`${JSON.stringify({ url: s.url, user: s.user, password: s.password })}\n`);
  process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
}
