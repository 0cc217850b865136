/**
 * Signed envelopes: `{ "payload": "<JSON text>", "signature": "<base64 Ed25519>", "key": "ed25519:…" }`.
 * The signature covers the payload's exact bytes, so no JSON canonicalisation is needed; feed
 * pages travel in envelopes over HTTP and, one per line, in offline bundles.
 */
import { AllianceError } from '../errors/catalogue.js';
import { verifySignature, type NodeIdentity } from './identity.js';

export interface Envelope {
  payload: string;
  signature: string;
  key: string;
}

export function seal(identity: NodeIdentity, payload: unknown): Envelope {
  const text = JSON.stringify(payload);
  return { payload: text, signature: identity.sign(text), key: identity.publicKey };
}

/**
 * Checks an envelope against the key registered for its sender and returns the parsed payload.
 * Throws FEED_INVALID with the reason (not JSON, not an envelope, signed by another key, bad signature).
 */
export function open(raw: unknown, expectedKey: string): unknown {
  const e = raw as Partial<Envelope>;
  if (typeof e !== 'object' || e === null || typeof e.payload !== 'string' || typeof e.signature !== 'string' || typeof e.key !== 'string') {
    throw new AllianceError('FEED_INVALID', 'not a signed envelope (payload, signature, key)');
  }
  if (e.key !== expectedKey) throw new AllianceError('FEED_INVALID', `signed by another key (${e.key.slice(0, 20)}…), not the one registered for this peer`);
  if (!verifySignature(expectedKey, e.payload, e.signature))
    throw new AllianceError('FEED_INVALID', 'the signature does not verify: the page was altered or forged');
  try {
    return JSON.parse(e.payload);
  } catch {
    throw new AllianceError('FEED_INVALID', 'the signed payload is not JSON');
  }
}
