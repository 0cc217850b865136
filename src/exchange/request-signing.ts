/**
 * Node-to-node requests are signed with HTTP Message Signatures (RFC 9421) over Ed25519, with the
 * body bound by a Content-Digest (RFC 9530), so another vendor's node can sign and check them with
 * any RFC 9421 implementation (docs/federation-protocol.md is the profile). A request carries:
 *
 *   content-digest: sha-256=:<base64 of SHA-256 of the body>:
 *   alliance-recipient: <the receiving member's name>
 *   signature-input: alliance=("@method" "@path" "@query" "content-digest" "alliance-recipient");created=…;expires=…;nonce="…";keyid="<sender member>";alg="ed25519";tag="alliance-federation"
 *   signature: alliance=:<base64 Ed25519 signature of the signature base>:
 *
 * The receiver checks the signature with the key registered for `keyid`, that the digest is the
 * body's, that it is the recipient, that `created` is at most five minutes off (and `expires` not
 * passed), and that it never saw the nonce before within that window (`federation_nonces`, shared
 * by every process of the node): a captured request cannot be replayed, to it or to another node.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseDictionary, serializeInnerList, type InnerList, type Item } from 'structured-headers';
import { AllianceError } from '../errors/catalogue.js';
import { verifySignature, type NodeIdentity } from './identity.js';

export const SIGNATURE_TAG = 'alliance-federation';
export const RECIPIENT_HEADER = 'alliance-recipient';
/** What every federation request's signature must cover. */
export const REQUIRED_COMPONENTS = ['@method', '@path', '@query', 'content-digest', RECIPIENT_HEADER] as const;
export const MAX_SKEW_S = 5 * 60;

/** `sha-256=:<base64>:` of a body (RFC 9530). */
export function contentDigest(body: string | Buffer): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  // Several fields of one name are one value joined by ", " (RFC 9110 §5.3, RFC 9421 §2.1).
  return (Array.isArray(v) ? v.join(', ') : v).trim();
}

/** A request's target split as RFC 9421 derives @path and @query from it. */
function pathAndQuery(target: string): { path: string; query: string } {
  const at = target.indexOf('?');
  const path = at < 0 ? target : target.slice(0, at);
  return { path: path === '' ? '/' : path, query: at < 0 ? '?' : target.slice(at) };
}

/** The value of one covered component. */
function componentValue(name: string, method: string, target: string, headers: Headers): string {
  switch (name) {
    case '@method':
      return method.toUpperCase();
    case '@path':
      return pathAndQuery(target).path;
    case '@query':
      return pathAndQuery(target).query;
    default: {
      if (name.startsWith('@')) throw new AllianceError('PEER_UNTRUSTED', `the signature covers ${name}, a derived component this node does not support`);
      const v = header(headers, name);
      if (v === undefined) throw new AllianceError('PEER_UNTRUSTED', `the signature covers the ${name} field, which the request does not carry`);
      return v;
    }
  }
}

/** The signature base (RFC 9421 §2.5) of a request for the covered components and parameters. */
export function signatureBase(params: InnerList, method: string, target: string, headers: Headers): string {
  const lines = params[0].map(([name, p]) => {
    if (typeof name !== 'string') throw new AllianceError('PEER_UNTRUSTED', 'covered components are strings');
    if (p.size > 0) throw new AllianceError('PEER_UNTRUSTED', `component parameters (${name};${[...p.keys()].join(';')}) are not supported`);
    return `"${name}": ${componentValue(name, method, target, headers)}`;
  });
  lines.push(`"@signature-params": ${serializeInnerList(params)}`);
  return lines.join('\n');
}

/**
 * Headers that sign a request from `member` to the node of member `recipient`.
 * @example fetch(url, { method: 'POST', body, headers: signRequest(identity, 'hotline-nl', 'bka-de', 'POST', '/federation/v1/reports', body) })
 */
export function signRequest(identity: NodeIdentity, member: string, recipient: string, method: string, target: string, body = ''): Record<string, string> {
  const created = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-digest': contentDigest(body), [RECIPIENT_HEADER]: recipient };
  const params: InnerList = [
    REQUIRED_COMPONENTS.map((c): Item => [c, new Map()]),
    new Map<string, string | number>([
      ['created', created],
      ['expires', created + MAX_SKEW_S],
      ['nonce', randomBytes(16).toString('base64url')],
      ['keyid', member],
      ['alg', 'ed25519'],
      ['tag', SIGNATURE_TAG],
    ]),
  ];
  const signature = identity.sign(signatureBase(params, method, target, headers));
  return { ...headers, 'signature-input': `alliance=${serializeInnerList(params)}`, signature: `alliance=:${signature}:` };
}

export interface VerifyOptions {
  /** This node's member name (the recipient the request must name). */
  self: string;
  /** The key registered for a member, if it is a peer. */
  keyOf: (member: string) => Promise<string | undefined>;
  /** Remembers a nonce until `expiresAt` (epoch s); false when it was seen already (a replay). */
  rememberNonce: (keyid: string, nonce: string, expiresAt: number) => Promise<boolean>;
}

function refuse(why: string): AllianceError {
  return new AllianceError('PEER_UNTRUSTED', why);
}

/** The signature this node checks: the one tagged alliance-federation, or the only one. */
function pick(input: Map<string, Item | InnerList>): [string, InnerList] {
  const lists = [...input.entries()].filter((e): e is [string, InnerList] => Array.isArray(e[1][0]));
  const tagged = lists.find(([, l]) => l[1].get('tag') === SIGNATURE_TAG);
  if (tagged) return tagged;
  if (lists.length === 1) return lists[0];
  throw refuse(`no signature tagged "${SIGNATURE_TAG}" among ${lists.length}`);
}

/**
 * The member that signed a request to this node, once every check passed (see the module doc).
 * Throws PEER_UNTRUSTED with the reason otherwise. `target` is the request target as received
 * (path and query, undecoded); `body` its exact bytes.
 */
export async function verifyRequest(raw: Headers, method: string, target: string, body: string | Buffer, opts: VerifyOptions): Promise<string> {
  // Field names are case-insensitive (Node lowercases those it receives; a caller's object may not).
  const headers: Headers = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
  const inputText = header(headers, 'signature-input');
  const signatureText = header(headers, 'signature');
  if (!inputText || !signatureText) throw refuse('a federation request must be signed (HTTP Message Signatures, RFC 9421: Signature-Input and Signature)');
  let inputs: Map<string, Item | InnerList>;
  let signatures: Map<string, Item | InnerList>;
  try {
    inputs = parseDictionary(inputText);
    signatures = parseDictionary(signatureText);
  } catch (err) {
    throw refuse(`malformed Signature-Input or Signature: ${(err as Error).message.slice(0, 200)}`);
  }
  const [label, params] = pick(inputs);
  const sig = signatures.get(label);
  if (!sig || !(sig[0] instanceof ArrayBuffer)) throw refuse(`no signature value for "${label}"`);
  const covered = params[0].map(([c]) => c);
  const missing = REQUIRED_COMPONENTS.filter((c) => !covered.includes(c));
  if (missing.length) throw refuse(`the signature must cover ${missing.join(', ')}`);
  const p = params[1];
  const keyid = p.get('keyid');
  const nonce = p.get('nonce');
  const created = p.get('created');
  const expires = p.get('expires');
  const alg = p.get('alg');
  if (typeof keyid !== 'string' || keyid === '') throw refuse('the signature needs a keyid (the sending member)');
  if (typeof nonce !== 'string' || nonce.length < 16 || nonce.length > 128) throw refuse('the signature needs a nonce of 16 to 128 characters');
  if (alg !== undefined && alg !== 'ed25519') throw refuse(`alg "${String(alg).slice(0, 40)}" is not ed25519`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof created !== 'number' || !Number.isInteger(created) || Math.abs(now - created) > MAX_SKEW_S)
    throw refuse("the signature's created time is missing or more than five minutes off");
  if (expires !== undefined && (typeof expires !== 'number' || expires < now)) throw refuse('the signature has expired');
  if (header(headers, RECIPIENT_HEADER) !== opts.self)
    throw refuse(`the request is addressed to "${String(header(headers, RECIPIENT_HEADER) ?? '').slice(0, 100)}", not to this node (${opts.self})`);
  const digest = header(headers, 'content-digest') ?? '';
  const sha256 = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):/.exec(digest)?.[1];
  if (!sha256 || `sha-256=:${sha256}:` !== contentDigest(body)) throw refuse('the Content-Digest is missing or is not the SHA-256 of the body');
  const key = await opts.keyOf(keyid);
  if (!key) throw refuse(`"${keyid.slice(0, 100)}" is not a registered peer`);
  if (!verifySignature(key, signatureBase(params, method, target, headers), Buffer.from(sig[0]).toString('base64')))
    throw refuse(`not signed by the key registered for peer "${keyid.slice(0, 100)}"`);
  // Only a request that verified takes a nonce place (a flood of forged ones fills nothing).
  if (!(await opts.rememberNonce(keyid, nonce, Math.max(created, now) + MAX_SKEW_S + 60))) throw refuse('this signed request was seen before (a replay)');
  return keyid;
}
