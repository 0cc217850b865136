/**
 * The Alliance peer client: signed HTTP requests to another node, with a timeout and a size cap
 * (the transport of the federation feed, apis/alliance.ts, of reports and of opinions).
 */
import { AllianceError } from '../errors/catalogue.js';
import { AnswerCut, readAnswerText } from '../media/fetch-url.js';
import type { NodeIdentity } from './identity.js';
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

/** Statuses that say "not now" rather than "no": retried like an unreachable peer. */
const TRANSIENT_4XX = new Set([408, 425, 429]);

/** A catalogue error code (ours, or any vendor's of the same form). */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * A peer's 4xx answer with an error body of the catalogue's shape ({code, message}) as
 * PEER_REFUSED naming its code and message (the message cleaned of control characters, ≤ 500
 * characters); undefined for any other answer.
 */
export function peerRefusal(peer: string, status: number, body: unknown): AllianceError | undefined {
  if (status < 400 || status >= 500 || TRANSIENT_4XX.has(status)) return undefined;
  const b = body as { code?: unknown; message?: unknown } | null;
  if (typeof b !== 'object' || b === null || typeof b.code !== 'string' || !CODE.test(b.code) || typeof b.message !== 'string') return undefined;
  const message = b.message
    // eslint-disable-next-line no-control-regex -- a peer's control characters are not shown to people
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .trim()
    .slice(0, 500);
  return new AllianceError('PEER_REFUSED', `peer ${peer} refused: ${b.code}: ${message}`, { details: { peer, peer_status: status, peer_code: b.code } });
}

/**
 * Sends a signed request; returns the parsed JSON body. A peer's refusal (a 4xx with a catalogue
 * error) is PEER_REFUSED with its code and message; every other failure is FEED_INVALID with the
 * reason (unreachable, late, truncated, not JSON, 5xx, 408/425/429): those are worth retrying.
 */
export async function peerRequest(peer: PeerRef, opts: ClientOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = {
    ...signRequest(opts.identity, opts.self, peer.name, method, path, text),
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(new URL(path, peer.url), { method, headers, body: body === undefined ? undefined : text, signal, redirect: 'error' });
  } catch (err) {
    const e = err as Error;
    throw new AllianceError(
      'FEED_INVALID',
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `peer ${peer.name} did not answer within ${timeoutMs / 1000} s`
        : `cannot reach peer ${peer.name}: ${e.message}`,
    );
  }
  let raw: string;
  try {
    raw = await readAnswerText(res, maxBytes);
  } catch (err) {
    const e = err as Error;
    throw new AllianceError(
      'FEED_INVALID',
      e instanceof AnswerCut && e.late
        ? `peer ${peer.name} stopped sending within ${timeoutMs / 1000} s`
        : `truncated response from peer ${peer.name}: ${e.message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AllianceError('FEED_INVALID', `malformed JSON from peer ${peer.name} (${raw.length} bytes${res.ok ? '; truncated?' : ''})`);
  }
  if (!res.ok) {
    throw (
      peerRefusal(peer.name, res.status, json) ??
      new AllianceError('FEED_INVALID', `peer ${peer.name} answered ${res.status}: ${String((json as { message?: string } | null)?.message ?? '')}`)
    );
  }
  return json;
}
