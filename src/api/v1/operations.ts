/**
 * /api/v1: joint operations — open, list, import targets (CSV, JSON, JSON lines), targets with attribution, per-country lines, overrides;
 * lead packages per receiving country (built, sent, their receivers' status and outcomes), and the inbox of packages received.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AllianceError } from '../../errors/catalogue.js';
import { type LeadService, OUTCOMES, type OperationService, type PictureService, TARGET_STATUSES } from '../../operations/index.js';
import {
  InboxPackage,
  InboxPackageList,
  LeadBuild,
  LeadEnvelope,
  LeadPackageList,
  Operation,
  OperationCountryList,
  OperationDeconfliction,
  OperationImport,
  OperationList,
  OperationPicture,
  OperationTarget,
  OperationTargetList,
  PictureSignature,
  PictureVerification,
} from '../contract/index.js';
import { IdParams } from './schemas.js';

/** A target file over HTTP: larger ones go through `alliance operation import` (streamed from disk). */
export const TARGET_BODY_LIMIT = 32 * 1024 * 1024;

const Text = (max: number) => Type.String({ maxLength: max });
const TargetParams = Type.Object({ id: Type.Integer({ minimum: 1 }), ref: Type.String({ minLength: 1, maxLength: 200 }) });

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

export async function operationRoutes(
  app: FastifyInstance,
  opts: { operations: OperationService; leads: LeadService; pictures: PictureService },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { operations, leads, pictures } = opts;
  for (const type of ['text/csv', 'application/x-ndjson', 'application/jsonl'])
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: TARGET_BODY_LIMIT }, (_req, body, done) => done(null, body));

  r.get(
    '/operations',
    { config: { permission: 'cases' }, schema: { tags: ['operations'], summary: 'Joint operations on this node', response: { 200: OperationList } } },
    async (req) => ({ operations: await operations.list(req.principal) }),
  );

  r.post(
    '/operations',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary: 'Opens an operation (its notes are restricted: they never leave this node)',
        body: Type.Object(
          {
            name: Text(200),
            legal_basis: Text(2000),
            owner_agency: Text(300),
            contact_point: Text(500),
            starts_at: Type.Optional(Type.Union([Type.Null(), Text(64)])),
            ends_at: Type.Optional(Type.Union([Type.Null(), Text(64)])),
            notes: Type.Optional(Type.Union([Type.Null(), Text(20_000)])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Operation },
      },
    },
    async (req, reply) => {
      const op = await operations.open(req.principal, req.body);
      void reply.status(201);
      return op;
    },
  );

  r.get('/operations/:id', { config: { permission: 'cases' }, schema: { tags: ['operations'], params: IdParams, response: { 200: Operation } } }, async (req) =>
    operations.get(req.principal, req.params.id),
  );

  r.post(
    '/operations/:id/targets',
    {
      bodyLimit: TARGET_BODY_LIMIT,
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary: 'Imports targets: CSV (text/csv), JSON lines (application/x-ndjson) or JSON (an array or {targets}); all or nothing',
        params: IdParams,
        consumes: ['text/csv', 'application/x-ndjson', 'application/json'],
        response: { 201: OperationImport },
      },
    },
    async (req, reply) => {
      const body = req.body as unknown;
      if (body === undefined || body === null)
        throw new AllianceError('OPERATION_INVALID', 'send the target file as the body (text/csv, application/x-ndjson or application/json)');
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const result = await operations.importTargets(req.principal, req.params.id, () => once(text));
      void reply.status(201);
      return result;
    },
  );

  r.get(
    '/operations/:id/targets',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary:
          "An operation's targets in id order with their attribution and matches (country=XX, or country=none for the unattributed; status=held for those deconfliction holds, status=released for those held and released)",
        params: IdParams,
        querystring: Type.Object({
          country: Type.Optional(Type.String({ maxLength: 10 })),
          status: Type.Optional(Type.Union(TARGET_STATUSES.map((s) => Type.Literal(s)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 200: OperationTargetList },
      },
    },
    async (req) => ({
      targets: await operations.targets(req.principal, req.params.id, {
        country: req.query.country === undefined ? undefined : req.query.country.toLowerCase() === 'none' ? null : req.query.country,
        status: req.query.status,
        limit: req.query.limit,
        offset: req.query.offset,
      }),
    }),
  );

  r.get(
    '/operations/:id/targets/:ref',
    { config: { permission: 'cases' }, schema: { tags: ['operations'], params: TargetParams, response: { 200: OperationTarget } } },
    async (req) => operations.target(req.principal, req.params.id, req.params.ref),
  );

  r.put(
    '/operations/:id/targets/:ref/country',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary: "An analyst's choice of a target's country, with the reason (country null: back to the attributed one)",
        params: TargetParams,
        body: Type.Object(
          { country: Type.Union([Type.Null(), Type.String({ maxLength: 10 })]), reason: Type.Optional(Type.Union([Type.Null(), Text(1000)])) },
          { additionalProperties: false },
        ),
        response: { 200: OperationTarget },
      },
    },
    async (req) => operations.setCountry(req.principal, req.params.id, req.params.ref, req.body.country, req.body.reason ?? null),
  );

  r.post(
    '/operations/:id/deconflict',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary: "Checks the targets not checked yet against deconfliction (keyed hashes, local and federated cases); overlaps hold a target's referral",
        params: IdParams,
        response: { 200: OperationDeconfliction },
      },
    },
    async (req) => operations.deconflict(req.principal, req.params.id),
  );

  r.post(
    '/operations/:id/targets/:ref/release',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary: 'Releases a held target for referral despite its overlap (after speaking to the other case), with the reason',
        params: TargetParams,
        body: Type.Object({ reason: Text(1000) }, { additionalProperties: false }),
        response: { 200: OperationTarget },
      },
    },
    async (req) => operations.release(req.principal, req.params.id, req.params.ref, req.body.reason),
  );

  r.get(
    '/operations/:id/countries',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary: 'Per country: targets, by confidence, overridden, with matched content',
        params: IdParams,
        response: { 200: OperationCountryList },
      },
    },
    async (req) => ({ countries: await operations.countries(req.principal, req.params.id) }),
  );

  // ---- the picture (src/operations/picture.ts) --------------------------------------------------
  r.get(
    '/operations/:id/picture',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary:
          'Per receiving country and in total: targets referred, acknowledged, accepted, declined, with outcomes and victims safeguarded; median times from referral; a timeline per day',
        params: IdParams,
        response: { 200: OperationPicture },
      },
    },
    async (req) => pictures.picture(req.principal, req.params.id),
  );
  r.get(
    '/operations/:id/picture.csv',
    {
      config: { permission: 'cases' },
      schema: { tags: ['operations'], summary: 'The picture as CSV (RFC 4180): one row per country, then the totals', params: IdParams },
    },
    async (req, reply) =>
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="operation-${req.params.id}-picture.csv"`)
        .send(await pictures.csv(req.principal, req.params.id)),
  );
  r.get(
    '/operations/:id/picture.pdf',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary:
          "The picture as a PDF summary, signed with this node's federation key (detached Ed25519 signature in x-alliance-signature; also picture.pdf.sig)",
        params: IdParams,
      },
    },
    async (req, reply) => {
      const { pdf, signature, filename } = await pictures.pdf(req.principal, req.params.id);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('x-alliance-signature', signature.signature)
        .header('x-alliance-key', signature.key)
        .header('x-alliance-signed-by', signature.signed_by)
        .send(pdf);
    },
  );
  r.get(
    '/operations/:id/picture.pdf.sig',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary: "The detached signature of the picture's PDF as it is now (the same figures make the same PDF)",
        params: IdParams,
        response: { 200: PictureSignature },
      },
    },
    async (req) => (await pictures.pdf(req.principal, req.params.id)).signature,
  );
  r.post(
    '/operation-pictures/verify',
    {
      config: { permission: 'cases' },
      schema: {
        tags: ['operations'],
        summary: "Checks a picture PDF's detached signature, and whose key signed it (this node's, or a registered peer's)",
        body: Type.Object(
          {
            pdf: Type.String({ maxLength: 1_400_000, description: 'the PDF, base64' }),
            signature: Text(200),
            key: Text(200),
            signed_by: Type.Optional(Type.Union([Type.Null(), Text(200)])),
          },
          { additionalProperties: false },
        ),
        response: { 200: PictureVerification },
      },
    },
    async (req) => pictures.verify(req.principal, Buffer.from(req.body.pdf, 'base64'), req.body),
  );

  // ---- lead packages (src/operations/leads.ts) ---------------------------------------------------
  const PackageParams = Type.Object({ id: Type.Integer({ minimum: 1 }), pkg: Type.Integer({ minimum: 1 }) });
  const cfg = { permission: 'cases' as const };

  r.get(
    '/operations/:id/packages',
    {
      config: cfg,
      schema: {
        tags: ['operations'],
        summary: "An operation's lead packages: where each goes, its delivery, what its receiver said, the outcomes per target",
        params: IdParams,
        response: { 200: LeadPackageList },
      },
    },
    async (req) => ({ packages: await leads.packages(req.principal, req.params.id) }),
  );

  r.post(
    '/operations/:id/packages',
    {
      config: cfg,
      schema: {
        tags: ['operations'],
        summary:
          'Builds a signed lead package per receiving country (or those named) of the targets checked and not held; a country packaged before gets a supplement with the changed targets only',
        params: IdParams,
        body: Type.Object(
          {
            countries: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { maxItems: 300 })),
            handling: Type.Optional(
              Type.Object(
                {
                  no_contact_before: Type.Optional(Type.Union([Type.Null(), Text(64)])),
                  intelligence_only: Type.Optional(Type.Boolean()),
                  restrictions: Type.Optional(Type.Array(Text(500), { maxItems: 20 })),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: LeadBuild },
      },
    },
    async (req, reply) => {
      const built = await leads.build(req.principal, req.params.id, req.body ?? {});
      void reply.status(201);
      return built;
    },
  );

  r.post(
    '/operations/:id/packages/send',
    {
      config: cfg,
      schema: {
        tags: ['operations'],
        summary:
          "Sends the operation's packages not sent yet (or one): queued for durable delivery to each country's receiving authority, or waiting when there is none",
        params: IdParams,
        body: Type.Optional(Type.Object({ package: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })),
        response: { 200: LeadPackageList },
      },
    },
    async (req) => ({ packages: await leads.send(req.principal, req.params.id, req.body?.package) }),
  );

  r.get(
    '/operations/:id/packages/:pkg/envelope',
    {
      config: cfg,
      schema: {
        tags: ['operations'],
        summary: 'A lead package as signed (the payload text, its Ed25519 signature, the key)',
        params: PackageParams,
        response: { 200: LeadEnvelope },
      },
    },
    async (req) => leads.envelope(req.principal, req.params.id, req.params.pkg),
  );

  r.get(
    '/lead-inbox',
    { config: cfg, schema: { tags: ['operations'], summary: 'Lead packages received from other authorities', response: { 200: InboxPackageList } } },
    async (req) => ({ packages: await leads.inbox(req.principal) }),
  );

  r.get('/lead-inbox/:id', { config: cfg, schema: { tags: ['operations'], params: IdParams, response: { 200: InboxPackage } } }, async (req) =>
    leads.received(req.principal, req.params.id),
  );

  const step = (
    path: string,
    summary: string,
    run: (req: { principal: Parameters<LeadService['accept']>[0]; id: number; body: Record<string, unknown> }) => Promise<unknown>,
    body?: ReturnType<typeof Type.Object>,
  ) =>
    r.post(
      `/lead-inbox/:id/${path}`,
      { config: cfg, schema: { tags: ['operations'], summary, params: IdParams, ...(body ? { body } : {}), response: { 200: InboxPackage } } },
      async (req) => run({ principal: req.principal, id: req.params.id, body: (req.body ?? {}) as Record<string, unknown> }) as never,
    );
  step('acknowledge', 'Acknowledges a received package (a signed status update goes back to its origin)', (q) => leads.acknowledge(q.principal, q.id));
  step('accept', 'Accepts a received package', (q) => leads.accept(q.principal, q.id));
  step(
    'decline',
    'Declines a received package, with the reason',
    (q) => leads.decline(q.principal, q.id, q.body.reason as string),
    Type.Object({ reason: Text(1000) }, { additionalProperties: false }),
  );
  step(
    'assign',
    'Assigns a received package (to a unit or officer)',
    (q) => leads.assign(q.principal, q.id, q.body.assignee as string),
    Type.Object({ assignee: Text(200) }, { additionalProperties: false }),
  );
  step(
    'forward',
    "Forwards targets of a received package to a third country's authority (re-referral): a new signed package keeping the chain; its outcomes come back here and go on to the origin",
    (q) => leads.forward(q.principal, q.id, q.body as { targets: string[]; country: string }),
    Type.Object(
      { targets: Type.Array(Text(200), { minItems: 1, maxItems: 100_000 }), country: Type.String({ minLength: 2, maxLength: 10 }) },
      { additionalProperties: false },
    ),
  );
  step(
    'outcomes',
    'Records an outcome for one target of an accepted package (victims safeguarded: a count, pseudonymous, with the series where known)',
    (q) => leads.outcome(q.principal, q.id, q.body as { target: string; outcome: string; count?: number | null; series?: string[]; at?: string | null }),
    Type.Object(
      {
        target: Text(200),
        outcome: Type.Union(OUTCOMES.map((o) => Type.Literal(o))),
        count: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 100_000 })])),
        series: Type.Optional(Type.Array(Text(200), { maxItems: 100 })),
        at: Type.Optional(Type.Union([Type.Null(), Text(64)])),
      },
      { additionalProperties: false },
    ),
  );
}
