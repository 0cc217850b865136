/** The offline IP → country table, and country codes. */
import { describe, expect, it } from 'vitest';
import { isCountryCode } from '../../src/geo/countries.js';
import { countryOfIp } from '../../src/geo/ip-country.js';

describe('countryOfIp', () => {
  it.each([
    ['193.99.144.80', 'DE'],
    ['8.8.8.8', 'US'],
    ['81.2.69.160', 'GB'],
    ['::ffff:193.99.144.80', 'DE'],
    ['::ffff:c163:9050', 'DE'], // the same address in hex
    ['2001:638::1', 'DE'],
    ['127.0.0.1', null],
    ['10.1.2.3', null],
    ['192.0.2.1', null], // documentation
    ['2001:db8::1', null], // documentation
    ['fe80::1', null],
    ['not an address', null],
  ])('%s → %s', (ip, country) => expect(countryOfIp(ip)).toBe(country));
});

describe('isCountryCode', () => {
  it.each([
    ['DE', true],
    ['GB', true],
    ['XX', false],
    ['ZZ', false],
    ['de', false],
    ['DEU', false],
    ['', false],
  ])('%s → %s', (code, ok) => expect(isCountryCode(code)).toBe(ok));
});
