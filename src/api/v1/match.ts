/** /api/v1: hash, lookup (by hash or upload), compare, index status and snapshot, signal types. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuditLog } from '../../audit/audit-log.js';
import type { LookupService } from '../../match/lookup-service.js';
import type { Matcher } from '../../match/matcher.js';
import { parseTypeList } from '../../hasher/hash-file.js';
import { AllianceError } from '../../errors/catalogue.js';
import { getSignalType, SIGNAL_TYPES, thresholdFor } from '../../signals/index.js';
import type { Metrics } from '../metrics.js';
import { BatchLookupAnswer, CompareAnswer, HashAnswer, IndexSnapshot, IndexStatus, LookupResult, SignalTypeList, UploadLookup } from '../contract/index.js';
import { hashUpload, uploadSignals } from '../uploads.js';
import { BankName } from './schemas.js';

export interface MatchRoutesOptions {
  lookup: LookupService;
  matcher: Matcher;
  audit: AuditLog;
  metrics: Metrics;
  maxImagePixels: number;
  /** Frames of one vPDQ value a comparison may hold. */
  vpdqMaxFrames: number;
}

const HashQuery = Type.Object({
  types: Type.Optional(Type.String({ maxLength: 200, description: 'comma-separated signal types (default: by media kind)' })),
  seconds_per_hash: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
});

function types(text: string | undefined): string[] {
  try {
    return parseTypeList(text);
  } catch (err) {
    throw new AllianceError('SIGNAL_TYPE_UNKNOWN', (err as Error).message);
  }
}

export async function matchRoutes(app: FastifyInstance, opts: MatchRoutesOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { lookup, matcher, audit, metrics } = opts;

  r.get(
    '/signal-types',
    {
      config: { permission: 'index.read' },
      schema: { tags: ['match'], summary: 'The signal types this node hashes and matches', response: { 200: SignalTypeList } },
    },
    async () => ({
      signal_types: [...SIGNAL_TYPES.values()].map((t) => ({
        name: t.name,
        description: t.description,
        media: t.media,
        comparison: t.comparison,
        default_threshold: t.defaultThreshold,
        max_threshold: t.maxThreshold ?? null,
      })),
    }),
  );

  r.post(
    '/hash',
    {
      config: { permission: 'hash' },
      schema: {
        tags: ['match'],
        summary: 'Hash an uploaded file (multipart); the media is dropped after hashing',
        querystring: HashQuery,
        consumes: ['multipart/form-data'],
        response: { 200: HashAnswer },
      },
    },
    async (req) => {
      const upload = await hashUpload(req, {
        types: types(req.query.types),
        maxImagePixels: opts.maxImagePixels,
        autoOrient: false,
        secondsPerHash: req.query.seconds_per_hash ?? 1,
        dihedral: false,
      });
      const { result } = upload;
      uploadSignals(upload); // throws the hashing error, if any
      audit.recordRead(req.principal, 'hash', result.format ?? null, { media: result.media, size: result.size }, Object.keys(result.signals).length);
      return {
        media: result.media,
        format: result.format,
        size: result.size,
        signals: Object.fromEntries(Object.entries(result.signals).map(([t, s]) => [t, { value: s.value, quality: s.quality ?? null }])),
      };
    },
  );

  const LookupBody = Type.Object(
    {
      signal_type: Type.String({ minLength: 1, maxLength: 40 }),
      signal: Type.String({
        minLength: 1,
        maxLength: 8 * 1024 * 1024,
        description: 'The hash; vPDQ as reference lines (at most ALLIANCE_VPDQ_MAX_FRAMES frames)',
      }),
      banks: Type.Optional(Type.Array(BankName, { maxItems: 1000 })),
      threshold: Type.Optional(Type.Number({ minimum: 0 })),
    },
    { additionalProperties: false },
  );

  r.post(
    '/lookup',
    {
      config: { permission: 'lookup' },
      schema: { tags: ['match'], summary: 'Match a hash against the banks, with reasons', body: LookupBody, response: { 200: LookupResult } },
    },
    async (req) => {
      const result = await lookup.lookup(req.body.signal_type, req.body.signal, { banks: req.body.banks, threshold: req.body.threshold, knownBanks: true });
      metrics.lookups.inc({ signal_type: result.signal_type, outcome: result.matches.length ? 'match' : 'no_match' });
      audit.recordRead(
        req.principal,
        'lookup',
        result.signal_type,
        { banks: req.body.banks ?? null, suppressed: result.suppressed.length },
        result.matches.length,
      );
      return result;
    },
  );

  /** At most this many signals per POST /lookup/batch (a platform's backfill sends many batches). */
  const BATCH_MAX = 1000;
  const BatchBody = Type.Object(
    {
      items: Type.Array(
        Type.Object(
          {
            id: Type.Optional(Type.String({ maxLength: 200, description: "the caller's reference, echoed in the answer" })),
            signal_type: Type.String({ minLength: 1, maxLength: 40 }),
            signal: Type.String({ minLength: 1, maxLength: 1024 * 1024 }),
            threshold: Type.Optional(Type.Number({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: BATCH_MAX },
      ),
      banks: Type.Optional(Type.Array(BankName, { maxItems: 1000 })),
      threshold: Type.Optional(Type.Number({ minimum: 0, description: "every item's threshold unless the item gives its own" })),
    },
    { additionalProperties: false },
  );

  r.post(
    '/lookup/batch',
    {
      config: { permission: 'lookup' },
      schema: {
        tags: ['match'],
        summary: `Match up to ${BATCH_MAX} hashes in one request: one answer per item, in order; an item that cannot be looked up gets its error, the others their lookups`,
        body: BatchBody,
        response: { 200: BatchLookupAnswer },
      },
    },
    async (req) => {
      const { items, banks } = req.body;
      const outcomes = await lookup.lookupBatch(items, { banks, threshold: req.body.threshold });
      let matched = 0;
      let failed = 0;
      // Counted per label set, then added once each (a counter's inc costs ~1 µs: 1 ms a batch of 1,000).
      const counted = new Map<string, { signal_type: string; outcome: string; n: number }>();
      const results = outcomes.map(({ result, error }, index) => {
        const id = items[index].id ?? null;
        if (error) {
          if (error.status >= 500) req.log.error({ err: error, index }, 'batch lookup item failed');
          failed++;
          return { index, id, result: null, error: { code: error.code, message: error.message } };
        }
        if (result.matches.length) matched++;
        const outcome = result.matches.length ? 'match' : 'no_match';
        const key = `${result.signal_type} ${outcome}`;
        const c = counted.get(key) ?? counted.set(key, { signal_type: result.signal_type, outcome, n: 0 }).get(key)!;
        c.n++;
        return { index, id, result, error: null };
      });
      for (const { signal_type, outcome, n } of counted.values()) metrics.lookups.inc({ signal_type, outcome }, n);
      audit.recordRead(req.principal, 'lookup.batch', null, { banks: banks ?? null, items: items.length, failed }, matched);
      return { results, looked_up: items.length - failed, matched, failed };
    },
  );

  r.post(
    '/lookup/upload',
    {
      config: { permission: 'lookup' },
      schema: {
        tags: ['match'],
        summary: 'Hash an upload and match every signal of it',
        querystring: HashQuery,
        consumes: ['multipart/form-data'],
        response: { 200: UploadLookup },
      },
    },
    async (req) => {
      const upload = await hashUpload(req, {
        types: types(req.query.types),
        maxImagePixels: opts.maxImagePixels,
        autoOrient: false,
        secondsPerHash: req.query.seconds_per_hash ?? 1,
        dihedral: false,
      });
      const signals = uploadSignals(upload);
      const results = [];
      for (const [type, value] of Object.entries(signals)) {
        const res = await lookup.lookup(type, value);
        metrics.lookups.inc({ signal_type: type, outcome: res.matches.length ? 'match' : 'no_match' });
        results.push({ ...res, signal: value });
      }
      const matched = results.reduce((n, x) => n + x.matches.length, 0);
      audit.recordRead(req.principal, 'lookup.upload', upload.result.format ?? null, { types: Object.keys(signals) }, matched);
      return { media: upload.result.media, format: upload.result.format, results };
    },
  );

  r.post(
    '/compare',
    {
      config: { permission: 'lookup' },
      schema: {
        tags: ['match'],
        summary: 'Compare two hashes of one signal type',
        body: Type.Object(
          {
            signal_type: Type.String(),
            a: Type.String({ minLength: 1 }),
            b: Type.String({ minLength: 1 }),
            threshold: Type.Optional(Type.Number({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CompareAnswer },
      },
    },
    async (req) => {
      const type = getSignalType(req.body.signal_type);
      const threshold = thresholdFor(type, req.body.threshold);
      const res = await app.compute.compare(type, req.body.a, req.body.b, threshold, opts.vpdqMaxFrames);
      return { signal_type: type.name, threshold, ...res };
    },
  );

  r.get(
    '/index',
    { config: { permission: 'index.read' }, schema: { tags: ['index'], summary: 'Index status per signal type', response: { 200: IndexStatus } } },
    async () => matcher.status(),
  );

  r.post(
    '/index/snapshot',
    { config: { permission: 'members.manage' }, schema: { tags: ['index'], summary: 'Write index snapshots now (admin)', response: { 200: IndexSnapshot } } },
    async () => matcher.snapshot(),
  );
}
