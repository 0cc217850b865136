/**
 * The Alliance peer client: signed HTTP requests to another node, with a timeout and a size cap,
 * and the ExchangeAdapter over its feed — every page verified (signature by the peer's registered
 * key, addressing, position, entries) before it is returned.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { ExchangeAdapter, FetchResult, Opinion } from './adapter.js';
import { open } from './envelope.js';
import type { NodeIdentity } from './identity.js';
import { checkPage } from './page.js';
import { signRequest } from './request-signing.js';

export interface PeerRef {
  name: string;
  url: string;
  public_key: string;
}

export interface ClientOptions {
  identity: NodeIdentity;
  self: string;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Sends a signed request; returns the parsed JSON body. Failures are FEED_INVALID with the reason. */
export async function peerRequest(peer: PeerRef, opts: ClientOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = { ...signRequest(opts.identity, opts.self, peer.name, method, path, text), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(new URL(path, peer.url), { method, headers, body: body === undefined ? undefined : text, signal, redirect: 'error' });
  } catch (err) {
    const e = err as Error;
    throw new AllianceError('FEED_INVALID', e.name === 'TimeoutError' || e.name === 'AbortError' ? `peer ${peer.name} did not answer within ${timeoutMs / 1000} s` : `cannot reach peer ${peer.name}: ${e.message}`);
  }
  let raw: string;
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body ?? []) {
      size += (c as Uint8Array).length;
      if (size > maxBytes) throw new Error(`response larger than ${maxBytes} bytes`);
      chunks.push(Buffer.from(c as Uint8Array));
    }
    raw = Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    const e = err as Error;
    throw new AllianceError('FEED_INVALID', e.name === 'TimeoutError' || e.name === 'AbortError' ? `peer ${peer.name} stopped sending within ${timeoutMs / 1000} s` : `truncated response from peer ${peer.name}: ${e.message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AllianceError('FEED_INVALID', `malformed JSON from peer ${peer.name} (${raw.length} bytes${res.ok ? '; truncated?' : ''})`);
  }
  if (!res.ok) throw new AllianceError('FEED_INVALID', `peer ${peer.name} answered ${res.status}: ${String((json as { message?: string }).message ?? '')}`);
  return json;
}

/** The feed of one published bank of a peer, as an exchange. */
export class AlliancePeerFeed implements ExchangeAdapter<number> {
  readonly name: string;

  constructor(
    private readonly peer: PeerRef,
    private readonly bank: string,
    private readonly opts: ClientOptions,
  ) {
    this.name = `alliance:${peer.name}/${bank}`;
  }

  async fetch(checkpoint: number): Promise<FetchResult<number>> {
    const envelope = await peerRequest(this.peer, this.opts, 'GET', `/federation/v1/banks/${encodeURIComponent(this.bank)}/feed?since=${checkpoint}`);
    const page = checkPage(open(envelope, this.peer.public_key), { publisher: this.peer.name, subscriber: this.opts.self, bank: this.bank, since: checkpoint });
    return { deltas: page.entries, checkpoint: page.to, more: page.more, latest: page.latest };
  }

  async sendOpinion(uid: string, opinion: Opinion, reason: string | null): Promise<void> {
    await peerRequest(this.peer, this.opts, 'POST', '/federation/v1/opinions', { uid, opinion, reason });
  }
}
