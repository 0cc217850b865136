/**
 * Sharing agreements: who may receive a published bank (members, countries or kinds of member),
 * and which legal statuses may leave — separately for recipients inside the publisher's country
 * and abroad. The default lets only INTERPOL *baseline* material go abroad. The publisher checks
 * it on every request; a subscriber never receives an item it is not entitled to.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { LegalStatus } from '../banks/classification.js';
import { MEMBER_KINDS } from '../members/roles.js';

export const LEGAL_STATUSES: readonly LegalStatus[] = ['baseline', 'national', 'not_illegal', 'unknown'];

export interface Agreement {
  recipients: { members: string[]; countries: string[]; kinds: string[] };
  /** Legal statuses that may go to recipients in the publisher's own country. */
  domestic: LegalStatus[];
  /** Legal statuses that may go abroad. */
  abroad: LegalStatus[];
}

export interface Recipient {
  name: string;
  country: string | null;
  kind: string;
}

/** Validates and normalises an agreement given by a user. */
export interface AgreementInput {
  recipients?: { members?: unknown[]; countries?: unknown[]; kinds?: unknown[] };
  domestic?: unknown[];
  abroad?: unknown[];
}

export function parseAgreement(input: AgreementInput): Agreement {
  const r = input.recipients ?? {};
  const list = (xs: unknown[] | undefined, f: (s: string) => string): string[] => [...new Set((xs ?? []).map((x) => f(String(x).trim())).filter(Boolean))];
  const recipients = { members: list(r.members, (m) => m), countries: list(r.countries, (c) => c.toUpperCase()), kinds: list(r.kinds, (k) => k) };
  if (recipients.members.length + recipients.countries.length + recipients.kinds.length === 0) {
    throw new AllianceError('AGREEMENT_INVALID', 'a sharing agreement names at least one recipient member, country or kind');
  }
  for (const c of recipients.countries)
    if (!/^[A-Z]{2}$/.test(c)) throw new AllianceError('AGREEMENT_INVALID', `"${c}" is not an ISO 3166-1 alpha-2 country code`);
  for (const k of recipients.kinds)
    if (!(MEMBER_KINDS as readonly string[]).includes(k))
      throw new AllianceError('AGREEMENT_INVALID', `"${k}" is not a member kind (${MEMBER_KINDS.join(', ')})`);
  const statuses = (list: unknown[] | undefined, fallback: LegalStatus[]) => {
    const out = (list ?? fallback).map((s) => String(s).trim() as LegalStatus);
    for (const s of out)
      if (!LEGAL_STATUSES.includes(s)) throw new AllianceError('AGREEMENT_INVALID', `"${s}" is not a legal status (${LEGAL_STATUSES.join(', ')})`);
    return [...new Set(out)];
  };
  return { recipients, domestic: statuses(input.domestic, ['baseline', 'national', 'unknown']), abroad: statuses(input.abroad, ['baseline']) };
}

/** Whether `who` may receive the bank at all. */
export function isRecipient(a: Agreement, who: Recipient): boolean {
  return (
    a.recipients.members.includes(who.name) || (who.country !== null && a.recipients.countries.includes(who.country)) || a.recipients.kinds.includes(who.kind)
  );
}

/** The legal statuses `who` may receive (empty when not a recipient). */
export function allowedStatuses(a: Agreement, who: Recipient, publisherCountry: string | null): LegalStatus[] {
  if (!isRecipient(a, who)) return [];
  const domestic = publisherCountry !== null && who.country === publisherCountry;
  return domestic ? a.domestic : a.abroad;
}
