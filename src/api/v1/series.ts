/** /api/v1: series, victims (pseudonymous), referrals, and the directory of support services. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DeconflictionService } from '../../cases/deconfliction.js';
import type { SeriesFeed } from '../../cases/series-feed.js';
import { TARGET_KINDS } from '../../cases/targets.js';
import { SERIES_STATUSES, SERVICE_KINDS, type SeriesService } from '../../cases/series-service.js';
import { IdParams } from './schemas.js';
import {
  DeconflictionAlertList,
  DeconflictionCaseList,
  DeconflictionCaseOpened,
  DeconflictionSync,
  Series,
  SeriesCounts,
  SeriesDetail,
  SeriesLinked,
  SeriesList,
  SeriesSync,
  SupportService,
  SupportServiceList,
  TargetsChecked,
  VictimIdentified,
  VictimReferral,
} from '../contract/index.js';

const Nullable = (max: number) => Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: max })]));
const SeriesBody = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  agency: Nullable(200),
  contact_point: Nullable(500),
  notes: Nullable(20_000),
  first_seen: Nullable(40),
};
const ContentIds = Type.Object({ content_ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

export async function seriesRoutes(
  app: FastifyInstance,
  opts: { series: SeriesService; feed: SeriesFeed; deconfliction: DeconflictionService },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { series, feed, deconfliction } = opts;
  const cfg = { permission: 'cases' as const };

  r.get(
    '/series',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Search series by name or uid',
        response: { 200: SeriesList },
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 200 })),
            status: Type.Optional(Type.Union(SERIES_STATUSES.map((s) => Type.Literal(s)))),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            offset: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => ({
      series: await series.search(req.principal, { text: req.query.q, status: req.query.status, limit: req.query.limit, offset: req.query.offset }),
    }),
  );
  r.get(
    '/series/counts',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Victims identified by this member, and by the alliance as this node knows it (each victim once)',
        response: { 200: SeriesCounts },
      },
    },
    async (req) => feed.counts(req.principal),
  );
  r.post(
    '/series/sync',
    { config: { permission: 'federation.manage' }, schema: { tags: ['cases'], summary: "Pull every peer's series status now", response: { 200: SeriesSync } } },
    async () => ({ peers: await feed.syncAll() }),
  );
  r.post(
    '/series',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Open a series owned by this member',
        response: { 201: Series },
        body: Type.Object({ ...SeriesBody, name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return series.create(req.principal, req.body);
    },
  );
  r.get(
    '/series/:id',
    {
      config: cfg,
      schema: { tags: ['cases'], summary: 'A series with its content and victims (pseudonymous)', params: IdParams, response: { 200: SeriesDetail } },
    },
    async (req) => series.get(req.principal, req.params.id),
  );
  r.patch(
    '/series/:id',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Change a series (status moves forward; closed stays closed)',
        response: { 200: Series },
        params: IdParams,
        body: Type.Object({ ...SeriesBody, status: Type.Optional(Type.Union(SERIES_STATUSES.map((s) => Type.Literal(s)))) }, { additionalProperties: false }),
      },
    },
    async (req) => series.update(req.principal, req.params.id, req.body),
  );
  r.post(
    '/series/:id/content',
    {
      config: cfg,
      schema: { tags: ['cases'], summary: 'Link bank content to the series', params: IdParams, body: ContentIds, response: { 200: SeriesLinked } },
    },
    async (req) => series.link(req.principal, req.params.id, req.body.content_ids),
  );
  r.delete(
    '/series/:id/content',
    {
      config: cfg,
      schema: { tags: ['cases'], summary: 'Unlink bank content from the series', params: IdParams, body: ContentIds, response: { 200: SeriesLinked } },
    },
    async (req) => series.link(req.principal, req.params.id, req.body.content_ids, true),
  );
  r.post(
    '/series/:id/victims',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Record an identified victim (a pseudonymous id is made; there is no field for a name) and, optionally, the referral',
        response: { 201: VictimIdentified },
        params: IdParams,
        body: Type.Object(
          { identified_on: Type.Optional(Day), service_id: Type.Optional(Type.Integer({ minimum: 1 })), referred_on: Type.Optional(Day) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return series.identifyVictim(req.principal, req.params.id, req.body);
    },
  );
  r.post(
    '/victims/:id/referrals',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Refer an identified victim to a support service',
        response: { 201: VictimReferral },
        params: IdParams,
        body: Type.Object({ service_id: Type.Integer({ minimum: 1 }), referred_on: Type.Optional(Day) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return series.refer(req.principal, req.params.id, req.body.service_id, req.body.referred_on);
    },
  );
  r.get(
    '/support-services',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Victim-support services, per country',
        response: { 200: SupportServiceList },
        querystring: Type.Object({ country: Type.Optional(Type.String({ maxLength: 2 })) }, { additionalProperties: false }),
      },
    },
    async (req) => ({
      services: await series.services(req.principal, req.query.country),
    }),
  );
  r.post(
    '/support-services',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        response: { 201: SupportService },
        body: Type.Object(
          {
            country: Type.String({ maxLength: 2 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            kind: Type.Union(SERVICE_KINDS.map((k) => Type.Literal(k))),
            contact: Type.String({ minLength: 1, maxLength: 500 }),
            languages: Type.Optional(Type.Array(Type.String({ maxLength: 12 }), { maxItems: 20 })),
            hours: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 200 })])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return series.addService(req.principal, req.body);
    },
  );

  r.get(
    '/cases',
    {
      config: cfg,
      schema: { tags: ['cases'], summary: 'Investigations on this node, with their number of registered targets', response: { 200: DeconflictionCaseList } },
    },
    async (req) => ({ cases: await deconfliction.cases(req.principal), demo: deconfliction.demoKey }),
  );
  r.post(
    '/cases',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Open a case for deconfliction',
        response: { 201: DeconflictionCaseOpened },
        body: Type.Object(
          { reference: Type.String({ minLength: 1, maxLength: 200 }), contact_point: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return deconfliction.openCase(req.principal, req.body);
    },
  );
  r.post(
    '/cases/:id/targets',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Register targets (kept as keyed hashes only) and check them against every other case',
        response: { 200: TargetsChecked },
        params: IdParams,
        body: Type.Object(
          {
            targets: Type.Array(
              Type.Object(
                {
                  kind: Type.Union(TARGET_KINDS.map((k) => Type.Literal(k))),
                  value: Type.String({ minLength: 1, maxLength: 2000 }),
                  from: Type.Optional(Type.String({ maxLength: 40 })),
                  to: Type.Optional(Type.String({ maxLength: 40 })),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 1000 },
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => deconfliction.addTargets(req.principal, req.params.id, req.body.targets),
  );
  r.post(
    '/deconfliction/sync',
    {
      config: { permission: 'federation.manage' },
      schema: { tags: ['cases'], summary: "Pull every peer's keyed targets now and compare them with this node's cases", response: { 200: DeconflictionSync } },
    },
    async () => ({ peers: await deconfliction.syncAll() }),
  );
  r.get(
    '/deconfliction/alerts',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Overlaps with other cases: which case, whose, whom to call',
        response: { 200: DeconflictionAlertList },
        querystring: Type.Object({ case: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
      },
    },
    async (req) => ({
      alerts: await deconfliction.alerts(req.principal, req.query.case),
    }),
  );
}
