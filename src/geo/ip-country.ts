/**
 * IP address → country (ISO 3166-1 alpha-2), offline: the ranges ship inside the npm package
 * @ip-location-db/geo-whois-asn-country (CC0, from the regional internet registries' WHOIS and
 * ASN data); nothing is downloaded at run time. Each family's table is read on first use into
 * sorted typed arrays (IPv4 ~330k ranges, IPv6 ~220k, kept by their top 64 bits — allocations are
 * never finer than that) and searched by bisection.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { ipv4Number, isPrivateAddress, isPrivateIpv4 } from '../media/fetch-url.js';

interface Table<T> {
  starts: T;
  ends: T;
  countries: Uint16Array;
}

const packageDir = () => dirname(createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country/package.json'));
let v4: Table<Uint32Array> | undefined;
let v6: Table<BigUint64Array> | undefined;

const code = (cc: string) => (cc.charCodeAt(0) << 8) | cc.charCodeAt(1);
const decode = (n: number) => String.fromCharCode(n >> 8, n & 0xff);

function rows(file: string): string[][] {
  return readFileSync(join(packageDir(), file), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(','));
}

function ipv4Table(): Table<Uint32Array> {
  if (v4) return v4;
  const r = rows('geo-whois-asn-country-ipv4-num.csv');
  v4 = { starts: new Uint32Array(r.length), ends: new Uint32Array(r.length), countries: new Uint16Array(r.length) };
  r.forEach(([s, e, cc], i) => {
    v4!.starts[i] = Number(s);
    v4!.ends[i] = Number(e);
    v4!.countries[i] = code(cc);
  });
  return v4;
}

function ipv6Table(): Table<BigUint64Array> {
  if (v6) return v6;
  const r = rows('geo-whois-asn-country-ipv6-num.csv');
  v6 = { starts: new BigUint64Array(r.length), ends: new BigUint64Array(r.length), countries: new Uint16Array(r.length) };
  r.forEach(([s, e, cc], i) => {
    v6!.starts[i] = BigInt(s) >> 64n;
    v6!.ends[i] = BigInt(e) >> 64n;
    v6!.countries[i] = code(cc);
  });
  return v6;
}

function search<T extends number | bigint>(t: { starts: ArrayLike<T>; ends: ArrayLike<T>; countries: Uint16Array }, x: T): string | null {
  let lo = 0;
  let hi = t.countries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (t.starts[mid] > x) hi = mid - 1;
    else if (t.ends[mid] < x) lo = mid + 1;
    else return decode(t.countries[mid]);
  }
  return null;
}

function ipv6High(ip: string): bigint {
  let s = ip.toLowerCase();
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4tail) {
    const [a, b, c, d] = v4tail[1].split('.').map(Number);
    s = s.slice(0, -v4tail[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.slice(0, 4).reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

/**
 * The country an address is registered to, or null (private, reserved or unknown).
 * @example countryOfIp('193.99.144.80') // 'DE'
 */
export function countryOfIp(ip: string): string | null {
  // Most addresses in a target file are IPv4: parsed once, checked against the private ranges as a number.
  const v4 = ipv4Number(ip);
  if (v4 !== null) return isPrivateIpv4(v4) ? null : search(ipv4Table(), v4);
  const family = isIP(ip);
  if (family === 0 || isPrivateAddress(ip)) return null; // loopback, private, documentation…: no country
  if (family === 4) {
    const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    return search(ipv4Table(), n);
  }
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped) return countryOfIp(mapped[1]);
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip); // the same, written in hex
    if (hex) {
      const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
      return countryOfIp(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return search(ipv6Table(), ipv6High(ip));
  }
  return null;
}
