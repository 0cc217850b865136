/** ISO 3166-1 alpha-2 country codes, checked against the region names ICU ships with Node. */
const names = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Whether `code` names a country or territory (upper-case alpha-2; ZZ and unassigned codes do not).
 * @example isCountryCode('DE') // true; isCountryCode('XX') // false
 */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || code === 'ZZ') return false;
  try {
    return names.of(code) !== code;
  } catch {
    return false;
  }
}
