/**
 * The node's identity: an Ed25519 key pair created on first start under the data directory
 * (private key PEM, mode 0600). Public keys travel as "ed25519:" + base64 of the raw 32 bytes.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AllianceError } from '../errors/catalogue.js';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
export const KEY_FILE = 'node-key.pem';

export interface NodeIdentity {
  /** "ed25519:<base64>" */
  publicKey: string;
  /** Short fingerprint for people to compare (first 16 hex of SHA-256 of the raw key). */
  fingerprint: string;
  /** Signs bytes; returns base64. */
  sign(data: Buffer | string): string;
}

export function publicKeyString(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return `ed25519:${der.subarray(der.length - 32).toString('base64')}`;
}

/** Parses "ed25519:<base64 of 32 bytes>"; throws VALIDATION. */
export function parsePublicKey(text: string): KeyObject {
  const m = /^ed25519:([A-Za-z0-9+/]{43}=)$/.exec(text.trim());
  const raw = m ? Buffer.from(m[1], 'base64') : undefined;
  if (!raw || raw.length !== 32) throw new AllianceError('VALIDATION', 'a public key is "ed25519:" followed by the base64 of 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function fingerprint(publicKey: string): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

/** Whether `signature` (base64) is `publicKey`'s signature of `data`. */
export function verifySignature(publicKey: string, data: Buffer | string, signature: string): boolean {
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data) : data, parsePublicKey(publicKey), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Loads the node's key, creating it on first start. */
export function loadIdentity(dataDir: string): NodeIdentity {
  const file = join(dataDir, KEY_FILE);
  let privateKey: KeyObject;
  if (existsSync(file)) privateKey = createPrivateKey(readFileSync(file));
  else {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    privateKey = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  const publicKey = publicKeyString(createPublicKey(privateKey));
  return {
    publicKey,
    fingerprint: fingerprint(publicKey),
    sign: (data) => sign(null, typeof data === 'string' ? Buffer.from(data) : data, privateKey).toString('base64'),
  };
}
