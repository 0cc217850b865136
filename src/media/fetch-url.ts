/**
 * Fetching URLs that users name (HMA's `?url=`, notice re-checks, hosting providers' abuse
 * endpoints, webhooks) without becoming a proxy into the node's network: http(s) only, and only
 * public addresses — no loopback, private, link-local, shared, multicast or reserved range, in
 * IPv4 or IPv6 (including IPv4-mapped forms) — except the exact `host:port` pairs an operator
 * lists in ALLIANCE_FETCH_ALLOWED_HOSTS (an internal abuse desk, a test receiver). The list
 * narrows the private-address check to those pairs; it does not switch it off for a host, so
 * listing `127.0.0.1:8080` opens no other port. The address is checked when the connection is
 * made, on the very address connected to, so a name that resolves differently a second time (DNS
 * rebinding) gains nothing. Redirects are followed by hand and checked the same way; bodies are
 * capped in size and time.
 *
 * Errors say "refused" (the URL is not one the node fetches) or "failed" (it could not be
 * fetched), after HMA's own wording, and never carry the remote's own words — connection errors, status lines or bodies
 * would make the node an oracle of what answers inside its network.
 *
 * `readAnswerText` is the size-capped read of a `fetch()` answer's body that the node's own clients
 * (peer requests, exchanges, the CyberTipline) share; they word its failures themselves.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { AllianceError } from '../errors/catalogue.js';

export interface FetchOptions {
  /** `host:port` pairs that may be reached although private (a bare host means ports 80 and 443). */
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
}

const BLOCKED = new BlockList();
const PRIVATE_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const;
for (const [net, bits] of PRIVATE_V4) BLOCKED.addSubnet(net, bits, 'ipv4');

/** An IPv4 address in dotted-quad form as a number (0 … 2³²−1), or null when `ip` is not one (the strict form net.isIPv4 accepts: no leading zeros). */
export function ipv4Number(ip: string): number | null {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return null; // a leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return null;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return n * 256 + part;
}

/** The private and reserved IPv4 ranges as [first, last] numbers, for addresses already parsed. */
const PRIVATE_V4_RANGES = PRIVATE_V4.map(([net, bits]) => {
  const first = ipv4Number(net)!;
  return [first, first + 2 ** (32 - bits) - 1] as const;
});

/** Whether an IPv4 address (as ipv4Number gives it) is private or reserved: what isPrivateAddress says of it, without parsing it again. */
export function isPrivateIpv4(n: number): boolean {
  for (const [first, last] of PRIVATE_V4_RANGES) if (n >= first && n <= last) return true;
  return false;
}
for (const [net, bits] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48], // NAT64: reaches IPv4 addresses
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16], // discard, documentation, 6to4 (embeds any IPv4)
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv6');

/** Whether `ip` is an address a fetch must not reach without an allow-list. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return true; // not an address at all: refuse rather than guess
  return BLOCKED.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** HMA's own wording leads (its clients read it), then what was refused. */
const rejected = (why: string) => new AllianceError('URL_REJECTED', `Invalid or unsafe URL provided: refused, ${why}`);
const NOT_ALLOWED =
  'the URL points to an address this node does not fetch from (private addresses need an ALLIANCE_FETCH_ALLOWED_HOSTS entry with host and port)';

/** A parsed allow-list entry: host (lower case, no brackets) and port (undefined: 80 and 443). */
interface Allowed {
  host: string;
  port?: number;
}

/**
 * Parses ALLIANCE_FETCH_ALLOWED_HOSTS entries: `host:port`, `[v6]:port`, or a bare host for the
 * default ports. Throws USAGE on an entry that is not one.
 * @example parseAllowedHosts(['abuse.internal:8443', '[fd00::5]:80'])
 */
export function parseAllowedHosts(entries: readonly string[]): Allowed[] {
  return entries.map((raw) => {
    const entry = raw.trim().toLowerCase();
    const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s/]+))(?::(\d{1,5}))?$/.exec(entry);
    const port = m?.[3] === undefined ? undefined : Number(m[3]);
    if (!m || (port !== undefined && (port < 1 || port > 65535)))
      throw new AllianceError('USAGE', `ALLIANCE_FETCH_ALLOWED_HOSTS: "${raw}" is not host:port (e.g. abuse.internal:8443 or [fd00::5]:8080)`);
    return { host: m[1] ?? m[2], ...(port !== undefined ? { port } : {}) };
  });
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Whether the URL's host and port are listed (a listed name covers its subdomains, on the same port). */
function isListed(url: URL, opts: FetchOptions): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = portOf(url);
  return parseAllowedHosts(opts.allowedHosts).some(
    (a) => (a.port === undefined ? port === 80 || port === 443 : a.port === port) && (host === a.host || (isIP(a.host) === 0 && host.endsWith(`.${a.host}`))),
  );
}

function checkUrl(raw: string, opts: FetchOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw rejected('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw rejected('only http and https URLs are fetched');
  if (url.username || url.password) throw rejected('URLs with credentials are not fetched');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host) && isPrivateAddress(host) && !isListed(url, opts)) throw rejected(NOT_ALLOWED);
  return url;
}

/** A DNS lookup for connections that refuses names resolving to any private address. */
function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address))) return callback(rejected(NOT_ALLOWED), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

function send(
  url: URL,
  opts: FetchOptions,
  signal: AbortSignal,
  method = 'GET',
  body?: string,
  headers: Record<string, string> = {},
): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  // A listed host:port may be private; anything else must resolve to public addresses only.
  const lookup = isListed(url, opts) ? {} : { lookup: publicOnlyLookup as never };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, signal, ...lookup }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A failed fetch. Its message says nothing of what answered (or did not); `httpStatus` keeps the
 * HTTP status for callers that act on it (a notice's re-check: 404 or 410 means the content is gone).
 */
export class FetchFailed extends AllianceError {
  constructor(readonly httpStatus?: number) {
    super('FETCH_FAILED', 'Failed to fetch URL: failed (no answer, an error answer, or the connection broke)');
  }
}

const failed = (err?: unknown) => (err instanceof AllianceError ? err : new FetchFailed());

/** Downloads `raw` to `dest`; returns the response's content type and the size. */
export async function fetchToFile(raw: string, dest: string, opts: FetchOptions): Promise<{ contentType: string | null; size: number }> {
  let url = checkUrl(raw, opts);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  for (let hop = 0; hop < 5; hop++) {
    const res = await send(url, opts, signal).catch((err: unknown) => Promise.reject(failed(err)));
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      url = checkUrl(new URL(res.headers.location, url).toString(), opts);
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new FetchFailed(status);
    }
    if (Number(res.headers['content-length'] ?? NaN) > opts.maxBytes) {
      res.destroy();
      throw new AllianceError('PAYLOAD_TOO_LARGE', `Content too large: refused, more than ${opts.maxBytes.toLocaleString('en')} bytes`);
    }
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > opts.maxBytes)
        res.destroy(new AllianceError('PAYLOAD_TOO_LARGE', `Content too large: refused, more than ${opts.maxBytes.toLocaleString('en')} bytes`));
    });
    try {
      await pipeline(res, createWriteStream(dest, { mode: 0o600 }));
    } catch (err) {
      throw failed(err);
    }
    const type = res.headers['content-type'];
    return { contentType: type ?? null, size };
  }
  throw new AllianceError('FETCH_FAILED', 'Failed to fetch URL: failed, too many redirects');
}

/**
 * POSTs `text` to `raw` under the same rules as fetching (http(s), public addresses or listed
 * host:port only, checked on the address connected to; no redirects; time capped) and reads at
 * most `opts.maxBytes` of the answer. For endpoints users name: hosting providers' abuse URLs,
 * webhooks. The status is returned for the caller's records; network failures are FETCH_FAILED.
 */
export async function postText(raw: string, text: string, headers: Record<string, string>, opts: FetchOptions): Promise<{ status: number; text: string }> {
  const url = checkUrl(raw, opts);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const res = await send(url, opts, signal, 'POST', text, { ...headers, 'content-length': String(Buffer.byteLength(text)) }).catch((err: unknown) =>
    Promise.reject(failed(err)),
  );
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > opts.maxBytes) {
        res.destroy();
        break;
      }
      chunks.push(c);
    }
  } catch (err) {
    throw failed(err);
  }
  return { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, opts.maxBytes) };
}

/** POSTs JSON (see `postText`). */
export function postJson(raw: string, body: unknown, opts: FetchOptions): Promise<{ status: number; text: string }> {
  return postText(raw, JSON.stringify(body), { 'content-type': 'application/json' }, opts);
}

/** Checks a URL a user registers (a webhook, an abuse endpoint) the way a fetch would; throws URL_REJECTED. */
export function checkFetchableUrl(raw: string, opts: Pick<FetchOptions, 'allowedHosts'>): URL {
  return checkUrl(raw, { allowedHosts: opts.allowedHosts, maxBytes: 0, timeoutMs: 0 });
}

/** readAnswerText's refusal of a body past its cap (the rest is not read). */
export class AnswerTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`response larger than ${maxBytes} bytes`);
  }
}

/** readAnswerText's failure to read a body: `late` when the request's deadline (or its signal) ended it. */
export class AnswerCut extends Error {
  constructor(
    message: string,
    readonly late: boolean,
  ) {
    super(message);
  }
}

/**
 * The body of a `fetch()` answer as UTF-8 text, read up to `maxBytes`: past them AnswerTooLarge
 * (the stream is cancelled, the rest never read). The deadline is the signal the request was made
 * with, which also ends the body: a body that does not end in time, or breaks, is AnswerCut (its
 * `late` says which). The one loop for the peer client, the exchanges' remote HTTP and the
 * CyberTipline client; each words the failures for its callers.
 */
export async function readAnswerText(res: Response, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res.body ?? []) {
      const bytes = c as Uint8Array;
      size += bytes.length;
      if (size > maxBytes) throw new AnswerTooLarge(maxBytes);
      chunks.push(Buffer.from(bytes));
    }
  } catch (err) {
    if (err instanceof AnswerTooLarge) throw err;
    const e = err as Error;
    throw new AnswerCut(e.message, e.name === 'TimeoutError' || e.name === 'AbortError');
  }
  return Buffer.concat(chunks).toString('utf8');
}
