/**
 * /federation/v1: what other nodes call. Requests are signed with the calling node's Ed25519 key
 * (no bearer token: exchange/request-signing.ts) and checked against the key registered for that
 * peer before anything is read; answers that carry data are signed envelopes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import { AllianceError } from '../../errors/catalogue.js';
import { type FederationService, verifyRequest } from '../../exchange/index.js';
import type { ReportService } from '../../actions/index.js';
import type { DeconflictionService } from '../../cases/deconfliction.js';
import type { SeriesFeed } from '../../cases/series-feed.js';
import type { HelpFeed } from '../../awareness/help-feed.js';
import type { CountryReports } from '../../reporting/country-report.js';
import type { AuditWitnesses } from '../../audit/witnesses.js';
import type { RefusalLog } from '../../audit/refusals.js';
import type { LeadService } from '../../operations/index.js';
import { toHttpError } from '../errors.js';
import { FederationIdentity } from '../contract/federation.js';
import {
  CheckpointKept,
  CountryReportReceived,
  KeptCheckpoints,
  LeadPackageReceived,
  LeadUpdateReceived,
  OpinionReceived,
  PeerBankList,
  ReportReceived,
  SignedEnvelope,
} from '../contract/peer.js';

declare module 'fastify' {
  interface FastifyRequest {
    peerName?: string;
    rawBody?: string;
  }
}

export async function peerRoutes(
  app: FastifyInstance,
  opts: {
    federation: FederationService;
    reports: ReportService;
    seriesFeed: SeriesFeed;
    deconfliction: DeconflictionService;
    countryReports: CountryReports;
    helpFeed: HelpFeed;
    auditWitnesses: AuditWitnesses;
    refusals: RefusalLog;
    leads: LeadService;
  },
): Promise<void> {
  const { federation, reports, seriesFeed, deconfliction, countryReports, helpFeed, auditWitnesses, refusals, leads } = opts;
  // Every refusal (a 4xx: signature checks, unknown peers, bodies, the routes' own) is audited,
  // identical ones coalesced per minute (audit/refusals.ts). Server failures are logged, not audited.
  app.addHook('onError', async (req, _reply, error) => {
    const e = toHttpError(error);
    if (e.status >= 500) return;
    const claimed = req.peerName ?? claimedKeyid(req.headers['signature-input']);
    const registered = req.peerName !== undefined || (claimed !== undefined && (await federation.keyOf(claimed).catch(() => undefined)) !== undefined);
    await refusals.refuse({
      peer: req.peerName,
      claimed,
      registered,
      method: req.method,
      route: req.routeOptions.url ?? req.url.split('?')[0].slice(0, 200),
      ip: req.ip,
      error: e,
    });
  });
  // Keep the body's exact text: the signature covers its hash.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (req, body, done) => {
    (req as FastifyRequest).rawBody = body as string;
    try {
      done(null, body === '' ? {} : app.parseJsonBody(req, body as string));
    } catch (err) {
      done(err instanceof AllianceError ? err : new AllianceError('VALIDATION', 'malformed JSON body'), undefined);
    }
  });
  // Bodies of any other type are kept as they came too (the digest must cover every body), and refused.
  app.removeContentTypeParser(['text/plain', 'multipart/form-data']);
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (req, body, done) => {
    (req as FastifyRequest).rawBody = body as string;
    done(null, undefined);
  });
  app.addHook('preHandler', async (req) => {
    if (req.rawBody && !/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      throw new AllianceError('UNSUPPORTED_MEDIA_TYPE', 'federation requests carry JSON bodies (application/json)');
  });
  const config = { permission: 'federation' as const };
  /** Signed requests, answered by `response` (200). */
  const signed = <T extends TSchema>(response: T) => ({ config, schema: { response: { 200: response } } });
  app.addHook('preHandler', async (req) => {
    if (req.url.startsWith('/federation/v1/identity')) return;
    req.peerName = await verifyRequest(req.headers, req.method, req.url, req.rawBody ?? '', {
      self: federation.self.name,
      keyOf: (m) => federation.keyOf(m),
      rememberNonce: (keyid, nonce, expiresAt) => federation.rememberRequestNonce(keyid, nonce, expiresAt),
    });
  });

  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/federation/v1/identity', signed(FederationIdentity), async () => ({
    member: federation.self.name,
    country: federation.self.country,
    kind: federation.self.kind,
    public_key: federation.identity.publicKey,
    fingerprint: federation.identity.fingerprint,
  }));

  r.get('/federation/v1/banks', signed(PeerBankList), async (req) => ({ banks: await federation.banksFor(req.peerName!) }));

  r.get('/federation/v1/banks/:name/feed', signed(SignedEnvelope), async (req) => {
    const { name } = req.params as { name: string };
    const q = req.query as { since?: string; limit?: string };
    const since = Number(q.since ?? 0);
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    if (!Number.isSafeInteger(since) || since < 0 || (limit !== undefined && (!Number.isInteger(limit) || limit < 1)))
      throw new AllianceError('VALIDATION', 'since is a position ≥ 0, limit a count ≥ 1');
    return federation.feedPage(req.peerName!, name, since, limit);
  });

  r.post('/federation/v1/opinions', signed(OpinionReceived), async (req) => {
    const b = req.body as { uid?: unknown; opinion?: unknown; reason?: unknown };
    if (typeof b !== 'object' || b === null || typeof b.uid !== 'string' || typeof b.opinion !== 'string')
      throw new AllianceError('OPINION_INVALID', 'an opinion is {uid, opinion, reason}');
    return federation.receiveOpinion(req.peerName!, b.uid, b.opinion, typeof b.reason === 'string' ? b.reason : null);
  });

  // An incident report routed to this node (its country's receiving authority, or the fall-back).
  r.post('/federation/v1/reports', signed(ReportReceived), async (req) => reports.receive(req.peerName!, req.body));

  // A lead package of an operation, from an authority's node (signed envelope), to this country's authority.
  r.post('/federation/v1/lead-packages', signed(LeadPackageReceived), async (req) => leads.receive(req.peerName!, req.body));
  // A status update on a lead package this node sent (acknowledged, accepted, declined, assigned, an outcome), signed by its receiver.
  r.post('/federation/v1/lead-updates', signed(LeadUpdateReceived), async (req) => leads.receiveUpdate(req.peerName!, req.body));

  // Series status (never notes, never content ids), to every registered peer.
  r.get('/federation/v1/series', signed(SignedEnvelope), async (req) => {
    const since = Number((req.query as { since?: string }).since ?? 0);
    return seriesFeed.page(req.peerName!, since);
  });

  // The help directory: this node's curated entries (and removals), to every registered peer.
  r.get('/federation/v1/help-directory', signed(SignedEnvelope), async (req) =>
    helpFeed.page(req.peerName!, Number((req.query as { since?: string }).since ?? 0)),
  );

  // Deconfliction: the keyed hashes of this node's case targets (never identifiers, never hints).
  r.get('/federation/v1/targets', signed(SignedEnvelope), async (req) =>
    deconfliction.page(req.peerName!, Number((req.query as { since?: string }).since ?? 0)),
  );

  // A member's signed country report, to the secretariat's node.
  r.post('/federation/v1/country-reports', signed(CountryReportReceived), async (req) => countryReports.receive(req.peerName!, req.body));

  // This node as a witness of a peer's audit chain: keep its latest signed checkpoint, and give it back.
  r.post('/federation/v1/audit-checkpoints', signed(CheckpointKept), async (req) => auditWitnesses.receive(req.peerName!, req.body));
  r.get('/federation/v1/audit-checkpoints', signed(KeptCheckpoints), async (req) => auditWitnesses.keptFor(req.peerName!));
}

/** The keyid a request claims (unverified), read loosely from its Signature-Input. */
function claimedKeyid(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header;
  const m = text ? /;\s*keyid="((?:[^"\\]|\\.){1,200})"/.exec(text) : null;
  return m ? m[1].slice(0, 100) : undefined;
}
