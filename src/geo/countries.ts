/** ISO 3166-1 alpha-2 country codes, checked against the region names ICU ships with Node. */
const names = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Whether `code` names a country or territory (upper-case alpha-2; ZZ and unassigned codes do not).
 * @example isCountryCode('DE') // true; isCountryCode('XX') // false
 */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || code === 'ZZ') return false;
  let known = checked.get(code);
  if (known === undefined) {
    try {
      known = names.of(code) !== code;
    } catch {
      known = false;
    }
    checked.set(code, known);
  }
  return known;
}
/** Answers so far (at most 26 × 26): asked on every check API request. */
const checked = new Map<string, boolean>();
