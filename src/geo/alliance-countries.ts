/**
 * The countries of the Global Alliance against Child Sexual Abuse Online: the 48 that endorsed its
 * launch on 5 December 2012 (European Commission press release of 6 December 2012) and those that
 * joined before the alliance counted 54 (Armenia, Bosnia and Herzegovina, Canada, Costa Rica,
 * Israel, Kosovo, Mexico). Used to seed the help directory with placeholders a curator fills.
 */
export const ALLIANCE_COUNTRIES: readonly string[] = [
  // European Union member states of the time
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'GB',
  // the others
  'AL', 'AM', 'AU', 'BA', 'KH', 'CA', 'CR', 'GE', 'GH', 'IL', 'JP', 'XK', 'KR', 'MX', 'MD', 'ME', 'NZ', 'NG', 'NO', 'PH', 'RS', 'CH', 'TH', 'TR', 'UA', 'US', 'VN',
];

/**
 * The official (or main national) languages of each alliance country, as language codes: a
 * message is looked for in the user's language, then in English (the documented fall-back).
 */
export const COUNTRY_LANGUAGES: Readonly<Record<string, readonly string[]>> = {
  AT: ['de'], BE: ['nl', 'fr', 'de'], BG: ['bg'], HR: ['hr'], CY: ['el', 'tr'], CZ: ['cs'], DK: ['da'], EE: ['et'], FI: ['fi', 'sv'],
  FR: ['fr'], DE: ['de'], GR: ['el'], HU: ['hu'], IE: ['en', 'ga'], IT: ['it'], LV: ['lv'], LT: ['lt'], LU: ['lb', 'fr', 'de'],
  MT: ['mt', 'en'], NL: ['nl'], PL: ['pl'], PT: ['pt'], RO: ['ro'], SK: ['sk'], SI: ['sl'], ES: ['es', 'ca', 'eu', 'gl'], SE: ['sv'], GB: ['en', 'cy'],
  AL: ['sq'], AM: ['hy'], AU: ['en'], BA: ['bs', 'hr', 'sr'], KH: ['km'], CA: ['en', 'fr'], CR: ['es'], GE: ['ka'], GH: ['en'],
  IL: ['he', 'ar'], JP: ['ja'], XK: ['sq', 'sr'], KR: ['ko'], MX: ['es'], MD: ['ro'], ME: ['cnr', 'sr'], NZ: ['en', 'mi'], NG: ['en'],
  NO: ['nb', 'nn'], PH: ['fil', 'en'], RS: ['sr'], CH: ['de', 'fr', 'it', 'rm'], TH: ['th'], TR: ['tr'], UA: ['uk'], US: ['en', 'es'], VN: ['vi'],
};
