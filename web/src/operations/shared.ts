/** What the operations pages share: field placement of the operation service's refusals, words for states and outcomes. */
import type { FieldSentences, Problem } from '../problems';

export const OUTCOMES = ['identified', 'searched', 'arrested', 'charged', 'convicted', 'acquitted', 'no_further_action', 'victims_safeguarded'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** `no_further_action` → "no further action". */
export const words = (s: string) => s.replace(/_/g, ' ');

/** A country code, or the fall-back line's name. */
export const countryName = (c: string | null) => c ?? 'unattributed';

/**
 * The operation service's own refusals (OPERATION_INVALID, LEAD_INVALID) name the field first
 * ("ends_at: after starts_at", "reason: required"); OPERATION_EXISTS is about the name. The
 * problem is put beside that field like a schema refusal (problems.ts), in the form's words.
 */
export function placed(error: Problem | null, fields: FieldSentences, codes: readonly string[] = ['OPERATION_INVALID', 'LEAD_INVALID']): Problem | null {
  if (!error || error.field) return error;
  if (error.code === 'OPERATION_EXISTS' && fields['body/name']) return { ...error, field: 'body/name', label: fields['body/name'].label ?? 'name' };
  if (!error.code || !codes.includes(error.code)) return error;
  const m = /^([a-z_]+): (.*)$/is.exec(error.sentence);
  const field = m ? `body/${m[1].toLowerCase()}` : '';
  const own = fields[field];
  if (!m || !own) return error;
  const label = own.label ?? words(m[1].toLowerCase());
  return { ...error, field, label, sentence: own.invalid ?? `The ${label}: ${m[2].replace(/\.$/, '')}.` };
}

/** A median time as the picture gives it (two decimals), or "not known yet": nothing measured is not 0. */
export const median = (n: number | null | undefined) =>
  n === null || n === undefined ? 'not known yet' : n.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** An attribution reason in words: the evidence says what it is ("account country FR", "e-mail domain mail.example.de"), an address is named as one. */
export const reasonText = (r: { basis: string; evidence: string }) => (r.basis === 'ip' ? `IP address ${r.evidence}` : r.evidence);
