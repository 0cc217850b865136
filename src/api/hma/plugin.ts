/**
 * The HMA-compatible surface (docs/hma-api.md): the same paths, parameters and JSON shapes as
 * Meta's Hasher-Matcher-Actioner, as a thin adapter over Alliance's services. Differences that
 * are deliberate: a bearer token is required (HMA has no authentication; /status and /status/live
 * take none, as load balancers probe them), validation failures are
 * 400 `{code, message}` rather than 422 arrays, new signals match at once (HMA: up to minutes),
 * content is only reachable under its own bank, and negative banks suppress matches.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuditLog } from '../../audit/audit-log.js';
import type { BankService } from '../../banks/bank-service.js';
import type { LookupService } from '../../match/lookup-service.js';
import type { Matcher } from '../../match/matcher.js';
import { AllianceError } from '../../errors/catalogue.js';
import { toHttpError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { ExchangeService } from '../../exchange/index.js';
import type { Store } from '../../store/index.js';
import { hmaCurationRoutes } from './curation.js';
import { hmaExchangeRoutes } from './exchanges.js';
import { hashMultipart, hashUrl, type MediaOptions } from './media.js';
import { hmaMatchingRoutes } from './matching.js';
import { HmaHashes, HmaSiteMap } from '../contract/hma.js';

export interface HmaOptions extends MediaOptions {
  banks: BankService;
  lookup: LookupService;
  matcher: Matcher;
  audit: AuditLog;
  metrics: Metrics;
  exchanges: ExchangeService;
  store: Store;
}

/** HMA's statuses where they differ from Alliance's catalogue. */
const HMA_STATUS: Record<string, number> = { BANK_EXISTS: 403 };

function hmaErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const e = toHttpError(err);
  if (e.status >= 500) request.log.error({ err }, 'request failed');
  const message = e.code === 'INTERNAL' ? 'internal error (details are in the server log)' : e.message;
  void reply.status(HMA_STATUS[e.code] ?? e.status).send({ code: e.code, message });
}

export async function hmaPlugin(app: FastifyInstance, opts: HmaOptions): Promise<void> {
  app.setErrorHandler(hmaErrorHandler);
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/h/hash', { config: { permission: 'hash' }, schema: { response: { 200: HmaHashes } } }, async (req) => {
    const q = req.query as Record<string, string | undefined>;
    if (!q.url) throw new AllianceError('VALIDATION', 'querystring must have required property url');
    const hashes = await hashUrl(q.url, q.content_type, q.types, opts);
    opts.audit.recordRead(req.principal, 'hma.hash', 'url', {}, Object.keys(hashes).length);
    return hashes;
  });

  r.post('/h/hash', { config: { permission: 'hash' }, schema: { response: { 200: HmaHashes } } }, async (req) => {
    const { signals } = await hashMultipart(req, (req.query as Record<string, string | undefined>).types, opts);
    opts.audit.recordRead(req.principal, 'hma.hash', 'upload', {}, Object.keys(signals).length);
    return signals;
  });

  await hmaMatchingRoutes(app, opts);
  await hmaCurationRoutes(app, opts);
  await hmaExchangeRoutes(app, opts);

  // Load balancers and orchestrators probe these without a token (as HMA's): they say only whether the node is up.
  app.get('/status', { config: { permission: 'public' } }, async (_req, reply) => {
    const ready = opts.matcher.status().ready;
    void reply.status(ready ? 200 : 503).type('text/plain; charset=utf-8');
    return ready ? 'I-AM-ALIVE' : 'INDEX-NOT-LOADED';
  });
  app.get('/status/live', { config: { permission: 'public' } }, async (_req, reply) => {
    void reply.type('text/plain; charset=utf-8');
    return 'I-AM-ALIVE';
  });
  r.get('/site-map', { config: { permission: 'index.read' }, schema: { response: { 200: HmaSiteMap } } }, async () => SITE_MAP);
}

const SITE_MAP = [
  '/c/bank/<bank_name>',
  '/c/bank/<bank_name>/content',
  '/c/bank/<bank_name>/content/<int:content_id>',
  '/c/bank/<bank_name>/signal',
  '/c/banks',
  '/c/content_type',
  '/c/exchange/<string:exchange_name>',
  '/c/exchange/<string:exchange_name>/status',
  '/c/exchanges',
  '/c/exchanges/api/<string:api_name>',
  '/c/exchanges/api/<string:api_name>/schema',
  '/c/exchanges/apis',
  '/c/signal_type',
  '/c/signal_type/<signal_type_name>',
  '/c/signal_type/index',
  '/h/hash',
  '/m/compare',
  '/m/index/status',
  '/m/lookup',
  '/m/raw_lookup',
  '/openapi/openapi.json',
  '/site-map',
  '/status',
  '/status/live',
];
