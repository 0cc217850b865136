/** /api/v1: incident reports (out and in), receiving authorities, hosting providers, takedown notices. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { freeJson } from '../validation.js';
import { actionMetrics, type CyberTiplineService, type NoticeService, type ReportService } from '../../actions/index.js';
import type { Store } from '../../store/index.js';
import { IdParams } from './schemas.js';
import {
  ActionMetrics,
  ActionsDeletedId,
  ActionsDeletedName,
  HostingProvider,
  HostingProviderList,
  IncidentReport,
  IncidentReportList,
  Notice,
  NoticeDetail,
  NoticeList,
  ReceivingAuthority,
  ReportRouting,
} from '../contract/index.js';

/** Report bodies are checked by the report model (field by field, with clear messages). */
const ReportBody = freeJson(
  'CyberTipline-style report: incident_type, annotations, incident_at, internet_details, reported_user (ip_capture_events), location_hints, files (hashes, classification), additional_info',
  { depth: 16, bytes: 4 * 1024 * 1024 },
);
const Paging = { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) };

export async function reportRoutes(
  app: FastifyInstance,
  opts: { reports: ReportService; notices: NoticeService; store: Store; cybertipline: CyberTiplineService },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { reports, notices } = opts;
  const cfg = { permission: 'reports' as const };

  r.get(
    '/reports',
    {
      config: cfg,
      schema: {
        tags: ['reports'],
        summary: 'Reports made here (out) or received from members (in), newest first',
        response: { 200: IncidentReportList },
        querystring: Type.Object(
          { direction: Type.Optional(Type.Union([Type.Literal('out'), Type.Literal('in')])), ...Paging },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => ({
      reports: await reports.list(req.principal, req.query.direction ?? 'out', req.query.limit, req.query.offset),
    }),
  );
  r.post(
    '/reports',
    { config: cfg, schema: { tags: ['reports'], summary: 'Draft a report', body: ReportBody, response: { 201: IncidentReport } } },
    async (req, reply) => {
      void reply.status(201);
      return reports.create(req.principal, req.body);
    },
  );
  r.get('/reports/:id', { config: cfg, schema: { tags: ['reports'], params: IdParams, response: { 200: IncidentReport } } }, async (req) =>
    reports.get(req.principal, req.params.id),
  );
  r.put(
    '/reports/:id',
    {
      config: cfg,
      schema: {
        tags: ['reports'],
        summary: "Replace a draft's content (a finished report is immutable)",
        params: IdParams,
        body: ReportBody,
        response: { 200: IncidentReport },
      },
    },
    async (req) => reports.update(req.principal, req.params.id, req.body),
  );
  r.patch(
    '/reports/:id',
    {
      config: cfg,
      schema: {
        tags: ['reports'],
        summary: 'Same as PUT (a finished report is immutable)',
        params: IdParams,
        body: ReportBody,
        response: { 200: IncidentReport },
      },
    },
    async (req) => reports.update(req.principal, req.params.id, req.body),
  );
  r.delete(
    '/reports/:id',
    {
      config: cfg,
      schema: { tags: ['reports'], summary: 'Delete a draft (a finished report is immutable)', params: IdParams, response: { 200: ActionsDeletedId } },
    },
    async (req) => {
      await reports.deleteDraft(req.principal, req.params.id);
      return { deleted: req.params.id };
    },
  );
  r.post(
    '/reports/:id/finish',
    {
      config: cfg,
      schema: {
        tags: ['reports'],
        summary: 'Finish: check, route to the jurisdiction, make immutable, deliver',
        params: IdParams,
        response: { 200: IncidentReport },
      },
    },
    async (req) => reports.finish(req.principal, req.params.id),
  );
  r.post(
    '/reports/:id/deliver',
    {
      config: cfg,
      schema: { tags: ['reports'], summary: 'Queue the delivery of a finished report again', params: IdParams, response: { 200: IncidentReport } },
    },
    async (req) => reports.redeliver(req.principal, req.params.id),
  );
  r.post(
    '/reports/:id/supplement',
    {
      config: cfg,
      schema: { tags: ['reports'], summary: 'A new draft that links to this finished report', params: IdParams, response: { 201: IncidentReport } },
    },
    async (req, reply) => {
      void reply.status(201);
      return reports.supplement(req.principal, req.params.id);
    },
  );
  const RefParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'The report id, or its uid (member/id, URL-encoded)' }) });
  r.post(
    '/reports/:id/cybertipline',
    {
      config: { permission: 'reports.submit' },
      schema: {
        tags: ['reports'],
        summary:
          "Submit a finished report to the CyberTipline (queued; resumed from its stored state, never a second report). The view's `cybertipline` says where it stands.",
        params: RefParams,
        body: Type.Union([
          Type.Null(),
          Type.Object(
            { resubmit: Type.Optional(Type.Boolean({ description: 'Start afresh after a retract or a submit whose answer was lost' })) },
            { additionalProperties: false },
          ),
        ]),
        response: { 202: IncidentReport },
      },
    },
    async (req, reply) => {
      const id = await opts.cybertipline.reportId(req.params.id);
      await opts.cybertipline.request(req.principal, id, { resubmit: req.body?.resubmit });
      void reply.status(202);
      return reports.get(req.principal, id);
    },
  );
  r.post(
    '/reports/:id/cybertipline/retract',
    {
      config: { permission: 'reports.submit' },
      schema: {
        tags: ['reports'],
        summary: 'Abandon the opened, unfinished CyberTipline report (a finished one cannot be retracted)',
        params: RefParams,
        response: { 200: IncidentReport },
      },
    },
    async (req) => {
      const id = await opts.cybertipline.reportId(req.params.id);
      await opts.cybertipline.retract(req.principal, id);
      return reports.get(req.principal, id);
    },
  );
  r.get(
    '/reports/:id/export',
    {
      config: cfg,
      schema: {
        tags: ['reports'],
        params: IdParams,
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xml')])) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'json';
      const text = await reports.export(req.principal, req.params.id, format);
      void reply
        .header('content-type', format === 'xml' ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="report-${req.params.id}.${format}"`);
      return reply.send(text);
    },
  );

  r.get(
    '/action-metrics',
    {
      config: cfg,
      schema: {
        tags: ['reports'],
        summary: 'How fast the chain acts: upload → match → review → report / notice → removal (median, p90), re-uploads blocked',
        response: { 200: ActionMetrics },
        querystring: Type.Object(
          { from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const to = req.query.to ? Date.parse(req.query.to) : Date.now() + 1;
      const from = req.query.from ? Date.parse(req.query.from) : to - 30 * 86_400_000;
      return actionMetrics(opts.store, req.principal, from, to);
    },
  );

  r.get(
    '/routing',
    { config: cfg, schema: { tags: ['reports'], summary: 'Receiving authorities per country, and the fall-back contact', response: { 200: ReportRouting } } },
    async (req) => reports.authorities(req.principal),
  );
  r.put(
    '/routing/:country',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['reports'],
        summary:
          "Register a country's receiving authority: a peer (`{peer}`), or the CyberTipline (`{cybertipline: true}`, refused unless ALLIANCE_CYBERTIPLINE_* is configured; also needs reports.submit)",
        params: Type.Object({ country: Type.String({ maxLength: 10 }) }),
        body: Type.Union([
          Type.Object({ peer: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
          Type.Object({ cybertipline: Type.Literal(true) }, { additionalProperties: false }),
        ]),
        response: { 200: ReceivingAuthority },
      },
    },
    async (req) => reports.setAuthority(req.principal, req.params.country, 'peer' in req.body ? req.body.peer : { cybertipline: true }),
  );
  r.delete(
    '/routing/:country',
    {
      config: { permission: 'federation.manage' },
      schema: { tags: ['reports'], params: Type.Object({ country: Type.String({ maxLength: 10 }) }), response: { 200: ActionsDeletedName } },
    },
    async (req) => {
      await reports.removeAuthority(req.principal, req.params.country);
      return { deleted: req.params.country.toUpperCase() };
    },
  );

  r.get(
    '/providers',
    {
      config: cfg,
      schema: {
        tags: ['notices'],
        summary: 'Hosting providers with their response times (hours from first notice to removal)',
        response: { 200: HostingProviderList },
      },
    },
    async (req) => ({ providers: await notices.providers(req.principal) }),
  );
  r.post(
    '/providers',
    {
      config: cfg,
      schema: {
        tags: ['notices'],
        response: { 201: HostingProvider },
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            domains: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { minItems: 1, maxItems: 100 }),
            abuse_url: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 2000 })])),
            abuse_email: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 320 })])),
            country: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 2, description: 'Where it hosts (ISO 3166-1 alpha-2)' })])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return notices.addProvider(req.principal, req.body);
    },
  );
  r.delete(
    '/providers/:name',
    { config: cfg, schema: { tags: ['notices'], params: Type.Object({ name: Type.String({ maxLength: 100 }) }), response: { 200: ActionsDeletedName } } },
    async (req) => {
      await notices.removeProvider(req.principal, req.params.name);
      return { deleted: req.params.name };
    },
  );

  r.get(
    '/notices',
    {
      config: cfg,
      schema: {
        tags: ['notices'],
        response: { 200: NoticeList },
        querystring: Type.Object(
          { status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('removed'), Type.Literal('gone')])), ...Paging },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => ({
      notices: await notices.list(req.principal, req.query.status, req.query.limit, req.query.offset),
    }),
  );
  r.post(
    '/notices',
    {
      config: cfg,
      schema: {
        tags: ['notices'],
        summary: 'Send a takedown notice for a URL, re-sent until the host removes the content',
        response: { 201: Notice },
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 4096 }),
            evidence: Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 100_000 })),
            legal_basis: Type.String({ minLength: 1, maxLength: 1000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return notices.create(req.principal, req.body);
    },
  );
  r.post(
    '/notices/:id/removed',
    {
      config: cfg,
      schema: {
        tags: ['notices'],
        summary: 'Record that the host confirmed removal by other means (an e-mail reply)',
        response: { 200: NoticeDetail },
        params: IdParams,
        body: Type.Object({ note: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 500 })])) }, { additionalProperties: false }),
      },
    },
    async (req) => notices.confirmRemoved(req.principal, req.params.id, req.body.note ?? null),
  );
  r.get(
    '/notices/:id',
    { config: cfg, schema: { tags: ['notices'], summary: 'A notice with its status timeline', params: IdParams, response: { 200: NoticeDetail } } },
    async (req) => notices.get(req.principal, req.params.id),
  );
}
