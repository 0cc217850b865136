/** The offline IP → country table, and country codes. */
import { describe, expect, it } from 'vitest';
import { isCountryCode } from '../../src/geo/countries.js';
import { isIP } from 'node:net';
import { countryOfIp } from '../../src/geo/ip-country.js';
import { ipv4Number, isPrivateAddress, isPrivateIpv4 } from '../../src/media/fetch-url.js';
import { seededRandom } from '../support/random.js';

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
    ['01.2.3.4', null], // a leading zero: not an address net.isIP accepts
    ['100.64.0.1', null], // carrier-grade NAT
    ['223.255.255.255', 'AU'],
    ['224.0.0.1', null], // multicast
  ])('%s → %s', (ip, country) => expect(countryOfIp(ip)).toBe(country));

  it('reads dotted quads as net.isIP does and knows the private ranges as the fetch guard does', () => {
    const rnd = seededRandom(0x1b873593);
    const octet = () => {
      const r = rnd();
      return r < 0.05 ? `0${Math.floor(rnd() * 10)}` : r < 0.08 ? `${256 + Math.floor(rnd() * 800)}` : r < 0.1 ? '' : `${Math.floor(rnd() * 256)}`;
    };
    // Addresses near every private boundary as well as anywhere.
    const edges = [0, 10, 100, 127, 169, 172, 192, 198, 203, 223, 224, 255];
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      const first = rnd() < 0.5 ? `${edges[Math.floor(rnd() * edges.length)]}` : octet();
      const parts = [first, octet(), octet(), octet()].slice(0, rnd() < 0.03 ? 3 : 4);
      const ip = rnd() < 0.02 ? `${parts.join('.')}.1` : parts.join('.');
      const n = ipv4Number(ip);
      expect(n !== null, ip).toBe(isIP(ip) === 4);
      if (n === null) continue;
      valid++;
      expect(n, ip).toBe(ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0));
      expect(isPrivateIpv4(n), ip).toBe(isPrivateAddress(ip));
    }
    expect(valid).toBeGreaterThan(10_000);
  });
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
