/**
 * ISO 8601 times as people and systems send them, parsed strictly. `Date.parse` accepts far more
 * (it reads "-5" as 1 May 2001 and "March 7" as a date in 2001), so a value that is not a time
 * would pass as one.
 */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Epoch milliseconds of an ISO 8601 date or date-time (a date alone is midnight UTC; a time
 * without an offset is UTC), or undefined when `text` is not one.
 * @example parseIsoTime('2026-07-01T12:00:00+02:00') // 1782900000000
 */
export function parseIsoTime(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  // The usual form (2026-01-31T12:00:00Z, what exporters write) is parsed as it is; a real one prints back as itself.
  if (text.length === 20 && CANONICAL.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19)) return ms;
  }
  const m = ISO_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, date, hm = '00:00', seconds = ':00', zone = 'Z'] = m;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const canonical = `${date}T${hm}${seconds}${offset}`;
  const ms = Date.parse(canonical);
  // Date.parse rolls 2026-02-31 over to March; a real date prints back as itself.
  if (!Number.isFinite(ms) || new Date(Date.parse(`${date}T00:00:00Z`)).toISOString().slice(0, 10) !== date) return undefined;
  return ms;
}

/** Epoch milliseconds (a number or a numeric column) as ISO 8601 UTC; null stays null. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}
