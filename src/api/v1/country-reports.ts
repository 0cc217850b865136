/** /api/v1: country reports (build, narrative, sign, submit, PDF/CSV) and, on the secretariat's node, the alliance dashboard. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { NARRATIVE_FIELDS, type CountryReports } from '../../reporting/country-report.js';
import { reportCsv, reportHtml, reportPdf } from '../../reporting/report-render.js';
import { IdParams } from './schemas.js';
import { AllianceDashboard, CountryReport, CountryReportEnvelope, CountryReportList, ReceivedCountryReportList } from '../contract/index.js';

const PeriodKey = Type.String({ maxLength: 10, description: 'A year (2026), a quarter (2026-Q3) or a month (2026-07)' });

export async function countryReportRoutes(app: FastifyInstance, opts: { countryReports: CountryReports }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { countryReports: reports } = opts;
  const read = { permission: 'indicators.read' as const };
  const manage = { permission: 'reporting.manage' as const };
  const tags = ['reporting'];

  r.get(
    '/country-reports',
    { config: read, schema: { tags, summary: "This member's country reports: drafts, signed, submitted", response: { 200: CountryReportList } } },
    async (req) => ({
      reports: await reports.list(req.principal),
    }),
  );
  r.post(
    '/country-reports',
    {
      config: manage,
      schema: {
        tags,
        summary: "Build a period's draft (or refresh it: figures recomputed, narrative kept)",
        body: Type.Object({ period: PeriodKey, baseline: Type.Optional(PeriodKey) }, { additionalProperties: false }),
        response: { 201: CountryReport },
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return reports.build(req.principal, req.body.period, req.body.baseline);
    },
  );
  r.get('/country-reports/:id', { config: read, schema: { tags, params: IdParams, response: { 200: CountryReport } } }, async (req) =>
    reports.get(req.principal, req.params.id),
  );
  r.patch(
    '/country-reports/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: "Set a draft's narrative fields",
        response: { 200: CountryReport },
        params: IdParams,
        body: Type.Object(
          {
            narrative: Type.Object(
              Object.fromEntries(NARRATIVE_FIELDS.map((f) => [f, Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 20_000 })]))])),
              { additionalProperties: false },
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => reports.narrate(req.principal, req.params.id, req.body.narrative as Record<string, string>),
  );
  r.post(
    '/country-reports/:id/sign',
    { config: manage, schema: { tags, summary: "Sign a reviewed draft with the node's key (final)", params: IdParams, response: { 200: CountryReport } } },
    async (req) => reports.sign(req.principal, req.params.id),
  );
  r.post(
    '/country-reports/:id/submit',
    {
      config: manage,
      schema: {
        tags,
        summary: "Submit a signed report to the secretariat's node",
        response: { 200: CountryReport },
        params: IdParams,
        body: Type.Optional(Type.Object({ to: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false })),
      },
    },
    async (req) => reports.submit(req.principal, req.params.id, req.body?.to),
  );
  r.get(
    '/country-reports/:id/envelope',
    {
      config: read,
      schema: {
        tags,
        summary: 'The signed report: its exact JSON text, the signature and the key',
        params: IdParams,
        response: { 200: CountryReportEnvelope },
      },
    },
    async (req) => reports.envelope(req.principal, req.params.id),
  );
  r.get('/country-reports/:id/html', { config: read, schema: { tags, summary: 'The report as a printable page', params: IdParams } }, async (req, reply) => {
    const v = await reports.get(req.principal, req.params.id);
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(reportHtml(v.report, { signed: v.signature !== null, key: v.public_key }));
  });
  r.get(
    '/country-reports/:id/pdf',
    { config: read, schema: { tags, summary: 'The report as PDF (printed from the same page by headless Chromium)', params: IdParams } },
    async (req, reply) => {
      const v = await reports.get(req.principal, req.params.id);
      const pdf = await reportPdf(reportHtml(v.report, { signed: v.signature !== null, key: v.public_key }));
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="country-report-${v.report.member}-${v.period}.pdf"`)
        .send(pdf);
    },
  );
  r.get(
    '/country-reports/:id/csv',
    { config: read, schema: { tags, summary: 'The report as CSV (one row per figure)', params: IdParams } },
    async (req, reply) => {
      const v = await reports.get(req.principal, req.params.id);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="country-report-${v.report.member}-${v.period}.csv"`)
        .send(reportCsv(v.report));
    },
  );

  r.get(
    '/alliance/reports',
    {
      config: read,
      schema: { tags, summary: "Secretariat: the members' latest signed report per period (each re-verified)", response: { 200: ReceivedCountryReportList } },
    },
    async (req) => ({ reports: await reports.received(req.principal) }),
  );
  r.get(
    '/alliance/dashboard',
    {
      config: read,
      schema: {
        tags,
        summary: 'Secretariat: trends per country and for the alliance, baseline against latest, time-to-removal league, MNR maturity, who has not reported',
        response: { 200: AllianceDashboard },
        querystring: Type.Object(
          { kind: Type.Optional(Type.Union([Type.Literal('month'), Type.Literal('quarter'), Type.Literal('year')])) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => reports.dashboard(req.principal, req.query.kind ?? 'quarter'),
  );
}
