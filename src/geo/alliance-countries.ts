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
