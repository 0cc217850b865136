/**
 * Which country a target belongs to, from its evidence, with the reasons and a confidence:
 *
 * - each IP address the target used, placed by the offline IP database (geo/): 3 points for its
 *   country (private and unknown addresses place nothing);
 * - the account's country as the board recorded it: 2 points;
 * - an e-mail address under a country's domain (`.de`, `.co.uk` → GB): 1 point; generic domains
 *   (`.com`, `.net`, webmail) say nothing.
 *
 * The country with the most points wins (ties: the IP evidence first, then the alphabet, so the
 * answer never depends on the order of the file). Confidence: **high** when the IP evidence places
 * the target there and nothing points elsewhere; **medium** when IP or account evidence supports it
 * and it holds at least half the points; **low** otherwise (an e-mail domain alone, or evidence that
 * disagrees); **none** with no evidence at all (country null: the referral waits for an analyst).
 */
import { countryOfIp } from '../geo/ip-country.js';
import { isCountryCode } from '../geo/countries.js';
import type { TargetIdentifiers } from './targets-file.js';

export type Confidence = 'high' | 'medium' | 'low' | 'none';

export interface Reason {
  basis: 'ip' | 'account' | 'email_domain';
  country: string;
  /** What was seen, for the analyst ("193.99.144.80 at 2026-03-01T10:00:00.000Z"). */
  evidence: string;
}

export interface Attribution {
  country: string | null;
  confidence: Confidence;
  reasons: Reason[];
}

const WEIGHT: Record<Reason['basis'], number> = { ip: 3, account: 2, email_domain: 1 };

/** Country-code domains that are not the ISO code (the UK's). */
const TLD_COUNTRY: Record<string, string> = { uk: 'GB' };

/** The country an e-mail address's domain names, if it ends in a country-code top-level domain. */
export function countryOfEmailDomain(email: string): string | null {
  const tld = email.slice(email.lastIndexOf('.') + 1).toLowerCase();
  if (tld.length !== 2) return null;
  const code = TLD_COUNTRY[tld] ?? tld.toUpperCase();
  return isCountryCode(code) ? code : null;
}

export function attribute(ids: TargetIdentifiers): Attribution {
  const reasons: Reason[] = [];
  for (const e of ids.ips) {
    const country = countryOfIp(e.ip);
    if (country) reasons.push({ basis: 'ip', country, evidence: e.at ? `${e.ip} at ${e.at}` : e.ip });
  }
  if (ids.account_country) reasons.push({ basis: 'account', country: ids.account_country, evidence: `account country ${ids.account_country}` });
  for (const email of ids.emails) {
    const country = countryOfEmailDomain(email);
    if (country) reasons.push({ basis: 'email_domain', country, evidence: `e-mail domain ${email.slice(email.lastIndexOf('@') + 1)}` });
  }
  if (reasons.length === 0) return { country: null, confidence: 'none', reasons };
  const points = new Map<string, { total: number; ip: number }>();
  for (const r of reasons) {
    const p = points.get(r.country) ?? { total: 0, ip: 0 };
    p.total += WEIGHT[r.basis];
    if (r.basis === 'ip') p.ip += WEIGHT.ip;
    points.set(r.country, p);
  }
  const [country, best] = [...points.entries()].sort((a, b) => b[1].total - a[1].total || b[1].ip - a[1].ip || a[0].localeCompare(b[0]))[0];
  const all = [...points.values()].reduce((n, p) => n + p.total, 0);
  const supported = reasons.some((r) => r.country === country && r.basis !== 'email_domain');
  const confidence: Confidence = best.ip > 0 && best.total === all ? 'high' : supported && best.total * 2 >= all ? 'medium' : 'low';
  return { country, confidence, reasons };
}
