/**
 * Fetching media by URL (HMA's `?url=`), without becoming a proxy into the node's network:
 * http(s) only; with an allow-list (ALLIANCE_FETCH_ALLOWED_HOSTS) only those hosts and their
 * subdomains; without one, any host whose addresses are all public (no loopback, private,
 * link-local or cloud-metadata ranges). Redirects are followed by hand and checked the same way;
 * the body is streamed to a file with a size cap and a timeout.
 */
import { lookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AllianceError } from '../errors/catalogue.js';

export interface FetchOptions {
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
}

const PRIVATE_V4 = [/^0\./, /^10\./, /^127\./, /^169\.254\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./, /^22[4-9]\./, /^2[3-5]\d\./];

export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) return PRIVATE_V4.some((re) => re.test(ip));
  const v6 = ip.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80') || v6.startsWith('ff');
}

async function checkUrl(raw: string, opts: FetchOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AllianceError('URL_REJECTED', 'Invalid or unsafe URL provided');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AllianceError('URL_REJECTED', 'Invalid or unsafe URL provided: only http and https');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (opts.allowedHosts.length > 0) {
    if (!opts.allowedHosts.some((h) => host === h || host.endsWith(`.${h}`))) throw new AllianceError('URL_REJECTED', `Invalid or unsafe URL provided: ${host} is not an allowed host`);
    return url;
  }
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new AllianceError('FETCH_FAILED', `Failed to fetch URL: cannot resolve ${host}`);
  if (addresses.some(isPrivateAddress)) throw new AllianceError('URL_REJECTED', `Invalid or unsafe URL provided: ${host} is a private address (allow it with ALLIANCE_FETCH_ALLOWED_HOSTS)`);
  return url;
}

/** Downloads `raw` to `dest`; returns the response's content type and the size. */
export async function fetchToFile(raw: string, dest: string, opts: FetchOptions): Promise<{ contentType: string | null; size: number }> {
  let url = await checkUrl(raw, opts);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  for (let hop = 0; hop < 5; hop++) {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'manual', signal });
    } catch (err) {
      throw new AllianceError('FETCH_FAILED', `Failed to fetch URL: ${(err as Error).message}`);
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      url = await checkUrl(new URL(res.headers.get('location')!, url).toString(), opts);
      continue;
    }
    if (!res.ok || !res.body) throw new AllianceError('FETCH_FAILED', `Failed to fetch URL: HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > opts.maxBytes) throw new AllianceError('PAYLOAD_TOO_LARGE', 'Content too large');
    let size = 0;
    const counted = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream).on('data', (c: Buffer) => {
      size += c.length;
      if (size > opts.maxBytes) counted.destroy(new AllianceError('PAYLOAD_TOO_LARGE', 'Content too large'));
    });
    try {
      await pipeline(counted, createWriteStream(dest, { mode: 0o600 }));
    } catch (err) {
      if (err instanceof AllianceError) throw err;
      throw new AllianceError('FETCH_FAILED', `Failed to fetch URL: ${(err as Error).message}`);
    }
    return { contentType: res.headers.get('content-type'), size };
  }
  throw new AllianceError('FETCH_FAILED', 'Failed to fetch URL: too many redirects');
}
