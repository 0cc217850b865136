/** /api/v1: indicators of the four policy targets, manual entries, campaigns, and the MNR self-assessment. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { INDICATORS } from '../../reporting/indicators.js';
import { AUDIENCES, CHANNELS, MANUAL_KINDS, type ReportingService } from '../../reporting/reporting-service.js';
import { IdParams, literals } from './schemas.js';
import { Campaign, CampaignList, IndicatorDefinitionList, IndicatorReport, ManualIndicatorList, ManualIndicatorSet, MnrAssessment } from '../contract/index.js';

const PeriodKey = Type.String({ maxLength: 10, description: 'A year (2026), a quarter (2026-Q3) or a month (2026-07)' });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

export async function reportingRoutes(app: FastifyInstance, opts: { reporting: ReportingService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { reporting } = opts;
  const read = { permission: 'indicators.read' as const };
  const manage = { permission: 'reporting.manage' as const };

  r.get(
    '/indicators',
    {
      config: read,
      schema: {
        tags: ['reporting'],
        summary: 'The indicators of the four policy targets for a period on this node, with growth against a baseline (default: the same period a year before)',
        querystring: Type.Object({ period: PeriodKey, baseline: Type.Optional(PeriodKey) }, { additionalProperties: false }),
        response: { 200: IndicatorReport },
      },
    },
    async (req) => reporting.indicators(req.principal, req.query.period, req.query.baseline),
  );
  r.get(
    '/indicators/definitions',
    { config: read, schema: { tags: ['reporting'], summary: 'What every indicator counts', response: { 200: IndicatorDefinitionList } } },
    async () => ({
      indicators: INDICATORS,
    }),
  );

  r.get(
    '/manual-indicators',
    {
      config: read,
      schema: {
        tags: ['reporting'],
        summary: 'Figures entered by hand (prosecutions, convictions), with their sources',
        response: { 200: ManualIndicatorList },
      },
    },
    async (req) => ({ entries: await reporting.manualEntries(req.principal) }),
  );
  r.put(
    '/manual-indicators',
    {
      config: manage,
      schema: {
        tags: ['reporting'],
        summary: 'Enter or correct a figure for a period, with its source',
        response: { 200: ManualIndicatorSet },
        body: Type.Object(
          { period: PeriodKey, kind: literals(MANUAL_KINDS), value: Type.Integer({ minimum: 0 }), source: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => reporting.setManual(req.principal, req.body),
  );

  r.get(
    '/campaigns',
    { config: read, schema: { tags: ['reporting'], summary: 'Awareness campaigns recorded (target 3)', response: { 200: CampaignList } } },
    async (req) => ({
      campaigns: await reporting.campaigns(req.principal),
    }),
  );
  r.post(
    '/campaigns',
    {
      config: manage,
      schema: {
        tags: ['reporting'],
        summary: 'Record an awareness campaign',
        response: { 201: Campaign },
        body: Type.Object(
          {
            country: Type.String({ maxLength: 2 }),
            title: Type.String({ minLength: 1, maxLength: 200 }),
            audience: literals(AUDIENCES),
            channel: literals(CHANNELS),
            reach: Type.Integer({ minimum: 0 }),
            starts_on: Day,
            ends_on: Type.Optional(Type.Union([Type.Null(), Day])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return reporting.addCampaign(req.principal, req.body);
    },
  );
  r.delete('/campaigns/:id', { config: manage, schema: { tags: ['reporting'], params: IdParams } }, async (req, reply) => {
    await reporting.deleteCampaign(req.principal, req.params.id);
    return reply.status(204).send();
  });

  const Period = Type.Object({ period: PeriodKey });
  r.get(
    '/mnr/:period',
    {
      config: read,
      schema: {
        tags: ['reporting'],
        summary: 'The Model National Response self-assessment of a period (21 capabilities, phases 1–4)',
        params: Period,
        response: { 200: MnrAssessment },
      },
    },
    async (req) => reporting.assessment(req.principal, req.params.period),
  );
  r.put(
    '/mnr/:period',
    {
      config: manage,
      schema: {
        tags: ['reporting'],
        summary: 'Rate capabilities for a period, with evidence',
        response: { 200: MnrAssessment },
        params: Period,
        body: Type.Object(
          {
            ratings: Type.Array(
              Type.Object(
                {
                  capability: Type.Integer({ minimum: 1, maximum: 21 }),
                  phase: Type.Integer({ minimum: 1, maximum: 4 }),
                  evidence: Type.String({ maxLength: 5000 }),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 21 },
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => reporting.assess(req.principal, req.params.period, req.body.ratings),
  );
}
