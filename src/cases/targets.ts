/**
 * Deconfliction targets: identifiers normalised so that the same target written differently
 * (`John.Doe` and ` john.doe`) is the same, then keyed with HMAC-SHA256 under the alliance-wide
 * key. Only the keyed hash (and a short hint for the investigator) is ever stored or shared: a
 * node that does not hold an identifier cannot recover it, and cannot test guesses without the key.
 */
import { createHash, createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { AllianceError, failWith } from '../errors/catalogue.js';
import { getSignalType, recogniseType } from '../signals/index.js';

export const TARGET_KINDS = ['username', 'email', 'phone', 'ip', 'device', 'url', 'series', 'hash'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

const bad = failWith('CASE_INVALID');

// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
const ASCII = /^[\x00-\x7f]*$/;

/** `s` in Unicode NFKC (plain ASCII, most identifiers, is already). */
export function nfkc(s: string): string {
  return ASCII.test(s) ? s : s.normalize('NFKC');
}

/** The canonical form of an identifier of `kind`. */
export function normaliseTarget(kind: TargetKind, raw: string): string {
  const v = nfkc(raw).trim();
  if (!v) throw bad(`${kind}: empty`);
  switch (kind) {
    case 'username':
      return v.replace(/^@/, '').toLowerCase();
    case 'email': {
      const e = v.toLowerCase();
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) throw bad(`email: "${v.slice(0, 80)}" is not an e-mail address`);
      return e;
    }
    case 'phone': {
      const digits = v.replace(/[\s().-]/g, '');
      if (!/^\+?\d{6,15}$/.test(digits)) throw bad(`phone: "${v.slice(0, 40)}" is not a phone number (international form: +49…)`);
      return digits.startsWith('+') ? digits : digits.replace(/^00/, '+');
    }
    case 'ip': {
      const family = isIP(v);
      if (!family) throw bad(`ip: "${v.slice(0, 60)}" is not an IPv4 or IPv6 address`);
      // A dotted quad isIP accepts (no leading zeros) is its own canonical form; IPv6 has many spellings.
      return family === 4 ? v : new URL(`http://[${v}]/`).hostname.replace(/^\[|\]$/g, '');
    }
    case 'url': {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        throw bad(`url: "${v.slice(0, 80)}" is not a URL`);
      }
      u.hash = '';
      return u.toString().replace(/\/$/, '');
    }
    case 'hash': {
      const [type, value] = v.includes(':') ? v.split(':', 2) : ['', v];
      // A bare hash is the type it is recognised as (64 hex digits: PDQ).
      const t = getSignalType(type.toLowerCase() || recogniseType(value)?.name || '?');
      return `${t.name}:${t.normalize(value)}`;
    }
    default:
      return v.toLowerCase();
  }
}

/** HMAC-SHA256 of the normalised target under the alliance-wide key (hex). */
export function keyTarget(key: Buffer, kind: TargetKind, normalised: string): string {
  return createHmac('sha256', key).update(`${kind}:${normalised}`).digest('hex');
}

/** A few characters to recognise a target by, revealing little: "j…e", "j…e@…com", "+49…12". */
export function hintOf(kind: TargetKind, normalised: string): string {
  if (kind === 'email') {
    const [user, domain] = normalised.split('@');
    return `${user[0]}…${user.length > 1 ? user.at(-1) : ''}@…${domain.split('.').at(-1)}`;
  }
  if (kind === 'phone') return `${normalised.slice(0, 3)}…${normalised.slice(-2)}`;
  if (kind === 'hash' || kind === 'series') return `${normalised.slice(0, 12)}…`;
  return normalised.length <= 2 ? '…' : `${normalised[0]}…${normalised.at(-1)}`;
}

/** The key from its configured text (hex or base64), or an error saying deconfliction is off. */
/**
 * The demo deconfliction key: public (anyone can compute it), so it protects nothing. Only
 * `alliance serve --demo` sets it, when no key is configured; every answer about cases says
 * `demo: true` while it is in use.
 */
export const DEMO_DECONFLICTION_KEY = createHash('sha256').update('alliance demo deconfliction key: public, for serve --demo only').digest('hex');

export function parseKey(text: string | null): Buffer {
  if (!text) throw new AllianceError('DECONFLICTION_OFF', 'deconfliction needs the alliance-wide key: set ALLIANCE_DECONFLICTION_KEY');
  const key = /^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length < 32) throw new AllianceError('DECONFLICTION_OFF', 'ALLIANCE_DECONFLICTION_KEY must hold 32 bytes or more (hex or base64)');
  return key;
}
