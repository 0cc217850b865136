/**
 * Fetching media by URL (HMA's `?url=`), without becoming a proxy into the node's network:
 * http(s) only; with an allow-list (ALLIANCE_FETCH_ALLOWED_HOSTS) only those hosts and their
 * subdomains; without one, only public addresses — no loopback, private, link-local, shared,
 * multicast or reserved range, in IPv4 or IPv6 (including IPv4-mapped forms). The address is
 * checked when the connection is made, on the very address connected to, so a name that resolves
 * differently a second time (DNS rebinding) gains nothing. Redirects are followed by hand and
 * checked the same way; the body is streamed to a file with a size cap and a timeout.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { AllianceError } from '../errors/catalogue.js';

export interface FetchOptions {
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
}

const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 3],
] as const) BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible
  ['64:ff9b::', 96], ['64:ff9b:1::', 48], // NAT64: reaches IPv4 addresses
  ['100::', 64], ['2001:db8::', 32], ['2002::', 16], // discard, documentation, 6to4 (embeds any IPv4)
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) BLOCKED.addSubnet(net, bits, 'ipv6');

/** Whether `ip` is an address a fetch must not reach without an allow-list. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return true; // not an address at all: refuse rather than guess
  return BLOCKED.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

const rejected = (why: string) => new AllianceError('URL_REJECTED', `Invalid or unsafe URL provided: ${why}`);

function checkUrl(raw: string, opts: FetchOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw rejected('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw rejected('only http and https');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (opts.allowedHosts.length > 0) {
    if (!opts.allowedHosts.some((h) => host === h || host.endsWith(`.${h}`))) throw rejected(`${host} is not an allowed host`);
  } else if (isIP(host) && isPrivateAddress(host)) {
    throw rejected(`${host} is a private address (allow it with ALLIANCE_FETCH_ALLOWED_HOSTS)`);
  }
  return url;
}

/** A DNS lookup for connections that refuses names resolving to any private address. */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address))) {
      return callback(rejected(`${hostname} resolves to a private address (allow it with ALLIANCE_FETCH_ALLOWED_HOSTS)`), []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

function send(url: URL, opts: FetchOptions, signal: AbortSignal, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, signal, ...(opts.allowedHosts.length === 0 ? { lookup: publicOnlyLookup as never } : {}) }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

const failed = (err: unknown) => (err instanceof AllianceError ? err : new AllianceError('FETCH_FAILED', `Failed to fetch URL: ${(err as Error).message}`));

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
      throw new AllianceError('FETCH_FAILED', `Failed to fetch URL: HTTP ${status}`);
    }
    if (Number(res.headers['content-length'] ?? NaN) > opts.maxBytes) {
      res.destroy();
      throw new AllianceError('PAYLOAD_TOO_LARGE', 'Content too large');
    }
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > opts.maxBytes) res.destroy(new AllianceError('PAYLOAD_TOO_LARGE', 'Content too large'));
    });
    try {
      await pipeline(res, createWriteStream(dest, { mode: 0o600 }));
    } catch (err) {
      throw failed(err);
    }
    const type = res.headers['content-type'];
    return { contentType: type ?? null, size };
  }
  throw new AllianceError('FETCH_FAILED', 'Failed to fetch URL: too many redirects');
}

/**
 * POSTs JSON to `raw` under the same rules as fetching (http(s), allow-list or public addresses
 * only, checked on the address connected to; no redirects; time capped) and reads at most
 * `opts.maxBytes` of the answer. For endpoints users may name (hosting providers' abuse URLs).
 */
export async function postJson(raw: string, body: unknown, opts: FetchOptions): Promise<{ status: number; text: string }> {
  const url = checkUrl(raw, opts);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const text = JSON.stringify(body);
  const res = await send(url, opts, signal, 'POST', text, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).catch((err: unknown) => Promise.reject(failed(err)));
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
