/**
 * Keyword signals: terms and phrases used to seek or trade abuse material, shared in banks like
 * any hash (Lantern members share them so). A value is the term as written; it matches text that
 * contains it after both are reduced to skeletons (skeleton.ts), which defeats case, diacritics,
 * look-alike letters, leetspeak, inserted spaces and punctuation, repeated letters and emoji.
 * Keywords are never computed from files.
 */
import { AllianceError } from '../../errors/catalogue.js';
import { KeywordIndex } from '../../index/index.js';
import type { CompareResult, SignalType, SignalValue } from '../signal-type.js';
import { skeleton } from './skeleton.js';

/** Fewer letters would match too much ordinary text. */
export const MIN_TERM_LETTERS = 3;
/** Longest text a keyword value or query may be. */
export const MAX_TEXT_LENGTH = 2000;

/** A searched text: composed, trimmed, one space between words (any text of 1 to MAX_TEXT_LENGTH characters). */
function normalizeQuery(value: string): string {
  // The length is the text's as sent: composing (NFC) may lengthen some scripts' text.
  if (value.length > MAX_TEXT_LENGTH) throw new AllianceError('SIGNAL_MALFORMED', `a keyword is 1 to ${MAX_TEXT_LENGTH} characters, got ${value.length}`);
  const v = value.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (v.length === 0) throw new AllianceError('SIGNAL_MALFORMED', `a keyword is 1 to ${MAX_TEXT_LENGTH} characters, got 0`);
  return v;
}

/** A listed term: as a query, and with enough letters once reduced not to match ordinary text. */
function normalize(value: string): string {
  const v = normalizeQuery(value);
  const letters = skeleton(v).text.length;
  if (letters < MIN_TERM_LETTERS)
    throw new AllianceError('SIGNAL_MALFORMED', `a keyword needs at least ${MIN_TERM_LETTERS} letters once reduced ("${v.slice(0, 40)}" has ${letters})`);
  return v;
}

export const keywordSignal: SignalType = {
  name: 'keyword',
  description: 'A term or phrase (text), matched in searched text after reduction that defeats common evasion',
  media: 'text',
  comparison: 'exact',
  defaultThreshold: 0,
  normalize,
  normalizeQuery,
  compare(a: string, b: string): CompareResult {
    const match = skeleton(normalize(a)).text === skeleton(normalize(b)).text;
    return { match, distance: match ? 0 : 1 };
  },
  // By value, as exact types are (submissions hold file hashes, rarely keywords).
  retroMatch: 'value',
  describe: (r) => (r.match ? 'same term → match' : 'different terms → no match'),
  check: 'text',
  async hash(): Promise<SignalValue> {
    throw new AllianceError('SIGNAL_NOT_APPLICABLE', 'keywords are text: they are not computed from files');
  },
  createIndex: () => new KeywordIndex('keyword'),
  restoreIndex: (snap) => KeywordIndex.fromSnapshot(snap),
};
