/** HMA's matcher surface: /m/raw_lookup, /m/lookup (GET, POST), /m/index/status, /m/compare. */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuditLog } from '../../audit/audit-log.js';
import { AllianceError } from '../../errors/catalogue.js';
import type { LookupResult, LookupService } from '../../match/lookup-service.js';
import type { Matcher } from '../../match/matcher.js';
import { SIGNAL_TYPES } from '../../signals/index.js';
import type { Metrics } from '../metrics.js';
import { HmaCompare, HmaIndexStatus, HmaLookup, HmaRawLookup, HmaTypedBankMatches } from '../contract/hma.js';
import { hashMultipart, hashUrl, type MediaOptions } from './media.js';
import { hmaCompareDetail, hmaDistance, hmaSignalTypes, hmaType, nativeType, nativeValue } from './names.js';

export interface HmaMatchOptions extends MediaOptions {
  lookup: LookupService;
  matcher: Matcher;
  audit: AuditLog;
  metrics: Metrics;
}

type Query = Record<string, string | undefined>;
type BankMap = Record<string, Array<{ bank_content_id: number; distance: string }>>;

function signalType(name: string | undefined): string {
  const native = name ? nativeType(name) : undefined;
  if (!native) throw new AllianceError('SIGNAL_TYPE_UNKNOWN', `No such SignalType '${name ?? ''}'`);
  return native;
}

/** HMA's coin-flip: deterministic for a given seed, 0 when bypassed. */
export function coinFlip(seed: string | undefined, bypass: boolean): number {
  if (bypass) return 0;
  if (seed === undefined) return Math.random();
  const h = createHash('sha256').update(seed).digest();
  return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

function banksParam(q: Query): string[] | undefined {
  return q.banks ? q.banks.split(',') : undefined;
}

function bankMap(result: LookupResult): BankMap {
  const out: BankMap = {};
  for (const m of result.matches) (out[m.bank] ??= []).push({ bank_content_id: m.content_id, distance: hmaDistance(m.signal_type, m.distance, m.detail) });
  return out;
}

export async function hmaMatchingRoutes(app: FastifyInstance, opts: HmaMatchOptions): Promise<void> {
  const { lookup, matcher, audit, metrics } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const run = async (
    request: { principal: Parameters<AuditLog['recordRead']>[0] },
    type: string,
    signal: string,
    options: Parameters<LookupService['lookup']>[2],
  ) => {
    const native = signalType(type);
    let result: LookupResult;
    try {
      // HMA's answers name no series: the lookup need not read them.
      result = await lookup.lookup(native, nativeValue(native, signal), { ...options, series: false });
    } catch (err) {
      if (err instanceof AllianceError && err.code === 'SIGNAL_MALFORMED') throw new AllianceError('SIGNAL_MALFORMED', `invalid signal: ${err.message}`);
      throw err;
    }
    metrics.lookups.inc({ signal_type: native, outcome: result.matches.length ? 'match' : 'no_match' });
    audit.recordRead(request.principal, options?.raw ? 'hma.raw_lookup' : 'hma.lookup', native, { banks: options?.banks ?? null }, result.matches.length);
    return result;
  };

  r.get('/m/raw_lookup', { config: { permission: 'lookup' }, schema: { response: { 200: HmaRawLookup } } }, async (req) => {
    const q = req.query as Query;
    if (!q.signal || !q.signal_type) throw new AllianceError('VALIDATION', 'signal and signal_type are required');
    const result = await run(req, q.signal_type, q.signal, { raw: true, banks: banksParam(q) });
    if (/^(true|1|yes|on|t|y)$/i.test(q.include_distance ?? '')) {
      return { matches: result.matches.map((m) => ({ bank_content_id: m.content_id, distance: hmaDistance(m.signal_type, m.distance, m.detail) })) };
    }
    return { matches: result.matches.map((m) => m.content_id) };
  });

  r.get('/m/lookup', { config: { permission: 'lookup' }, schema: { response: { 200: HmaLookup } } }, async (req) => {
    const q = req.query as Query;
    const coin = coinFlip(q.seed, q.bypass_coinflip?.toLowerCase() === 'true');
    if (q.url !== undefined) {
      const hashes = await hashUrl(q.url, q.content_type, q.types, opts);
      const out: Record<string, BankMap> = {};
      for (const [type, value] of Object.entries(hashes)) out[type] = bankMap(await run(req, type, value, { coin, banks: banksParam(q) }));
      return q.signal_type ? (out[q.signal_type] ?? {}) : out;
    }
    if (!q.signal || !q.signal_type) throw new AllianceError('VALIDATION', 'Either url or both signal and signal_type are required');
    return bankMap(await run(req, q.signal_type, q.signal, { coin, banks: banksParam(q) }));
  });

  r.post('/m/lookup', { config: { permission: 'lookup' }, schema: { response: { 200: HmaTypedBankMatches } } }, async (req) => {
    const q = req.query as Query;
    const coin = coinFlip(q.seed, q.bypass_coinflip === 'true');
    const { signals } = await hashMultipart(req, q.types, opts);
    const out: Record<string, BankMap> = {};
    for (const [type, value] of Object.entries(signals)) out[type] = bankMap(await run(req, type, value, { coin, banks: banksParam(q) }));
    return out;
  });

  r.get('/m/index/status', { config: { permission: 'index.read' }, schema: { response: { 200: HmaIndexStatus } } }, async (req) => {
    const q = req.query as Query;
    const status = matcher.status();
    const names = q.signal_type ? [q.signal_type] : hmaSignalTypes();
    const out: Record<string, { built_to: number; present: boolean; size: number }> = {};
    for (const name of names) {
      const native = nativeType(name);
      if (!native || !SIGNAL_TYPES.has(native)) throw new AllianceError('SIGNAL_TYPE_UNKNOWN', `No such signal type '${name}'`);
      const size = status.types[native]?.size ?? 0;
      out[name] = { built_to: size > 0 ? Math.floor(Date.now() / 1000) : -1, present: size > 0, size };
    }
    return out;
  });

  r.post('/m/compare', { config: { permission: 'lookup' }, schema: { response: { 200: HmaCompare } } }, async (req) => {
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AllianceError('VALIDATION', 'Request input was not a dict');
    const out: Record<string, [boolean, Record<string, number>]> = {};
    for (const [name, pair] of Object.entries(body as Record<string, unknown>)) {
      if (!Array.isArray(pair)) throw new AllianceError('VALIDATION', `Comparison hashes for ${name} was not a list`);
      if (pair.length !== 2) throw new AllianceError('VALIDATION', 'Comparison hash list length must be exactly 2');
      const native = signalType(name);
      const type = SIGNAL_TYPES.get(native)!;
      if (typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw new AllianceError('SIGNAL_MALFORMED', `Invalid ${name} hash: hashes are strings`);
      // HMA's vPDQ form is JSON, converted here: refuse what cannot be within the frame limit before parsing it.
      if (type.costly && Math.max(pair[0].length, pair[1].length) > opts.vpdqMaxFrames * 128) {
        throw new AllianceError(
          'PAYLOAD_TOO_LARGE',
          `a ${name} hash of a comparison may hold at most ${opts.vpdqMaxFrames.toLocaleString('en')} frames (ALLIANCE_VPDQ_MAX_FRAMES)`,
        );
      }
      let r;
      try {
        // Normalised and compared on a compute thread for costly types (long vPDQ values), within the frame limit.
        r = await app.compute.compare(type, nativeValue(native, pair[0]), nativeValue(native, pair[1]), type.defaultThreshold, opts.vpdqMaxFrames);
      } catch (err) {
        if (err instanceof AllianceError && err.code === 'SIGNAL_MALFORMED')
          throw new AllianceError('SIGNAL_MALFORMED', `Invalid ${name} hash: ${err.message}`);
        throw err;
      }
      out[hmaType(native)] = [r.match, hmaCompareDetail(native, r)];
    }
    return out;
  });
}
