/**
 * Classifications and their explicit crosswalks (docs/classification.md). Members label material
 * in different schemes — Project VIC/VICS categories 0–4, the UK's A/B/C, the industry's A1–B2,
 * and INTERPOL's baseline vs nationally illegal — and sharing rules depend on the legal status.
 * A classification keeps the label as given and adds every other scheme's value that follows
 * from it; where a scheme cannot be derived (e.g. UK A vs B from "sex act") it is null, never a
 * guess.
 */
import { AllianceError } from '../errors/catalogue.js';

export type Scheme = 'vics' | 'uk' | 'industry' | 'legal';
export type LegalStatus = 'baseline' | 'national' | 'not_illegal' | 'unknown';

export interface Classification {
  /** The scheme and value as given. */
  scheme: Scheme;
  value: string;
  /** Crosswalked values (null: does not follow from the given label). */
  vics: number | null;
  uk: 'A' | 'B' | 'C' | null;
  industry: 'A1' | 'A2' | 'B1' | 'B2' | null;
  legal: LegalStatus;
}

type Derived = Omit<Classification, 'scheme' | 'value'>;

/** The crosswalk table: one row per label of every scheme. */
export const CROSSWALK: Record<Scheme, Record<string, Derived>> = {
  industry: {
    // A = prepubescent, B = pubescent; 1 = sex act, 2 = lascivious exhibition.
    A1: { vics: 1, uk: null, industry: 'A1', legal: 'baseline' },
    A2: { vics: 1, uk: 'C', industry: 'A2', legal: 'baseline' },
    B1: { vics: 1, uk: null, industry: 'B1', legal: 'national' },
    B2: { vics: 1, uk: 'C', industry: 'B2', legal: 'national' },
  },
  uk: {
    // A penetrative/sadism, B non-penetrative, C other indecent images; the age band is not part of it.
    A: { vics: 1, uk: 'A', industry: null, legal: 'national' },
    B: { vics: 1, uk: 'B', industry: null, legal: 'national' },
    C: { vics: 1, uk: 'C', industry: null, legal: 'national' },
  },
  vics: {
    // US VICS 2.0: 0 non-pertinent, 1 CSAM, 2 exploitive/age difficult, 3 CGI/animation, 4 comparison.
    '0': { vics: 0, uk: null, industry: null, legal: 'not_illegal' },
    '1': { vics: 1, uk: null, industry: null, legal: 'national' },
    '2': { vics: 2, uk: null, industry: null, legal: 'unknown' },
    '3': { vics: 3, uk: null, industry: null, legal: 'national' },
    '4': { vics: 4, uk: null, industry: null, legal: 'not_illegal' },
  },
  legal: {
    // INTERPOL baseline: illegal in every member country; national: illegal in some.
    baseline: { vics: 1, uk: null, industry: null, legal: 'baseline' },
    national: { vics: null, uk: null, industry: null, legal: 'national' },
    not_illegal: { vics: null, uk: null, industry: null, legal: 'not_illegal' },
    unknown: { vics: null, uk: null, industry: null, legal: 'unknown' },
  },
};

const BARE: Record<string, Scheme> = {
  A1: 'industry',
  A2: 'industry',
  B1: 'industry',
  B2: 'industry',
  A: 'uk',
  B: 'uk',
  C: 'uk',
  baseline: 'legal',
  national: 'legal',
  not_illegal: 'legal',
};

/**
 * Parses "scheme:value" (vics:1, uk:A, industry:A1, legal:baseline) or an unambiguous bare label
 * (A1, C, baseline).
 * @example parseClassification('industry:A1').legal // 'baseline'
 */
export function parseClassification(text: string): Classification {
  const t = text.trim();
  // Own keys only: "constructor" or "__proto__" must not reach Object.prototype.
  const own = <T>(table: Record<string, T>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);
  const [rawScheme, rawValue] = t.includes(':') ? t.split(':', 2) : [own(BARE, t) ?? own(BARE, t.toUpperCase()) ?? own(BARE, t.toLowerCase()), t];
  const scheme = rawScheme?.toLowerCase() as Scheme | undefined;
  if (!scheme || !Object.hasOwn(CROSSWALK, scheme)) {
    throw new AllianceError(
      'CLASSIFICATION_INVALID',
      `unknown classification "${text}": use vics:0…4, uk:A|B|C, industry:A1|A2|B1|B2 or legal:baseline|national|not_illegal|unknown`,
    );
  }
  const value = scheme === 'legal' ? rawValue.toLowerCase() : rawValue.toUpperCase();
  const derived = own(CROSSWALK[scheme], value);
  if (!derived)
    throw new AllianceError('CLASSIFICATION_INVALID', `"${rawValue}" is not a ${scheme} classification (known: ${Object.keys(CROSSWALK[scheme]).join(', ')})`);
  return { scheme, value, ...derived };
}

/** Short label in the form it was given, e.g. "industry:A1". */
export function classificationLabel(c: Classification): string {
  return `${c.scheme}:${c.value}`;
}
