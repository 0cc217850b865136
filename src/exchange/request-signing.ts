/**
 * Node-to-node requests are signed with the node's Ed25519 key instead of carrying a shared
 * secret: headers name the sending member, the time, and a signature over method, the receiving
 * member, path, time and the body's SHA-256 (naming the receiver means a request one peer received
 * cannot be replayed to another node). The receiver verifies it with the public key registered for that peer
 * (`alliance peer add`) and refuses anything older or newer than five minutes.
 */
import { createHash } from 'node:crypto';
import { AllianceError } from '../errors/catalogue.js';
import { verifySignature, type NodeIdentity } from './identity.js';

export const HEADER_PEER = 'x-alliance-peer';
export const HEADER_DATE = 'x-alliance-date';
export const HEADER_SIGNATURE = 'x-alliance-signature';
const MAX_SKEW_MS = 5 * 60 * 1000;

function canonical(method: string, recipient: string, path: string, date: string, body: string): string {
  return `${method.toUpperCase()}\n${recipient}\n${path}\n${date}\n${createHash('sha256').update(body).digest('hex')}`;
}

/** Headers for a request from `member` to the node of member `recipient`. */
export function signRequest(identity: NodeIdentity, member: string, recipient: string, method: string, path: string, body = ''): Record<string, string> {
  const date = new Date().toISOString();
  return { [HEADER_PEER]: member, [HEADER_DATE]: date, [HEADER_SIGNATURE]: identity.sign(canonical(method, recipient, path, date, body)) };
}

/** The member named by a signed request to this node (member `self`), once its signature checks against `keyOf(member)`. */
export async function verifyRequest(
  headers: Record<string, string | string[] | undefined>,
  self: string,
  method: string,
  path: string,
  body: string,
  keyOf: (member: string) => Promise<string | undefined>,
): Promise<string> {
  const h = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const member = h(HEADER_PEER);
  const date = h(HEADER_DATE);
  const signature = h(HEADER_SIGNATURE);
  if (!member || !date || !signature) throw new AllianceError('PEER_UNTRUSTED', `a federation request must be signed (${HEADER_PEER}, ${HEADER_DATE}, ${HEADER_SIGNATURE})`);
  const t = Date.parse(date);
  if (Number.isNaN(t) || Math.abs(Date.now() - t) > MAX_SKEW_MS) throw new AllianceError('PEER_UNTRUSTED', 'the request date is missing or more than five minutes off');
  const key = await keyOf(member);
  if (!key || !verifySignature(key, canonical(method, self, path, date, body), signature)) throw new AllianceError('PEER_UNTRUSTED', `not signed by the key registered for peer "${member.slice(0, 100)}"`);
  return member;
}
