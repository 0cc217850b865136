/** /api/v1: external exchanges — their APIs and credentials, the exchanges, a fetch now, the opinions sent on a content. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ExchangeService } from '../../exchange/index.js';
import type { Principal } from '../../members/principal.js';
import { Exchange, ExchangeApiList, ExchangeList, ExchangeOpinionList, FetchReport, SourceList } from '../contract/index.js';
import { IdParams } from './schemas.js';

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
const Config = Type.Record(Type.String(), Type.Unknown());

export async function exchangeRoutes(app: FastifyInstance, opts: { exchanges: ExchangeService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { exchanges } = opts;
  const full = async (actor: Principal, name: string): Promise<Exchange> => ({
    ...(await exchanges.get(actor, name)),
    status: await exchanges.status(actor, name),
  });

  r.get(
    '/exchange-apis',
    { config: { permission: 'banks.read' }, schema: { tags: ['exchanges'], summary: 'The exchange APIs this node knows', response: { 200: ExchangeApiList } } },
    async (req) => ({
      apis: (await exchanges.apis(req.principal)).map((a) => {
        const api = exchanges.api(req.principal, a.name);
        return { ...a, config_schema: api.configSchema, credentials_schema: api.credentialSchema };
      }),
    }),
  );

  r.put(
    '/exchange-apis/:name/credentials',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['exchanges'],
        summary: "Sets an API's credentials (validated, kept encrypted, never returned); null clears them",
        params: NameParams,
        body: Type.Object({ credentials: Type.Union([Type.Null(), Config]) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      await exchanges.setCredentials(req.principal, req.params.name, req.body.credentials);
      return reply.status(204).send();
    },
  );

  r.get(
    '/sources',
    {
      config: { permission: 'banks.read' },
      schema: {
        tags: ['exchanges'],
        summary: 'Every source of signals (subscriptions to peers, external exchanges) with its health, failing first',
        response: { 200: SourceList },
      },
    },
    async (req) => ({ sources: await exchanges.sources(req.principal) }),
  );

  r.get('/exchanges', { config: { permission: 'banks.read' }, schema: { tags: ['exchanges'], response: { 200: ExchangeList } } }, async (req) => {
    const out: Exchange[] = [];
    for (const e of await exchanges.list(req.principal)) out.push({ ...e, status: await exchanges.status(req.principal, e.name) });
    return { exchanges: out };
  });

  r.post(
    '/exchanges',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['exchanges'],
        summary: 'Creates an exchange and the bank it fills (named like it)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            api: Type.String({ minLength: 1, maxLength: 40 }),
            config: Type.Optional(Config),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: Exchange },
      },
    },
    async (req, reply) => {
      const e = await exchanges.create(req.principal, req.body);
      void reply.status(201);
      return full(req.principal, e.name);
    },
  );

  r.get(
    '/exchanges/:name',
    { config: { permission: 'banks.read' }, schema: { tags: ['exchanges'], params: NameParams, response: { 200: Exchange } } },
    async (req) => full(req.principal, req.params.name),
  );

  r.patch(
    '/exchanges/:name',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['exchanges'],
        params: NameParams,
        body: Type.Object({ enabled: Type.Optional(Type.Boolean()), config: Type.Optional(Config) }, { additionalProperties: false }),
        response: { 200: Exchange },
      },
    },
    async (req) => {
      await exchanges.update(req.principal, req.params.name, req.body);
      return full(req.principal, req.params.name);
    },
  );

  r.delete(
    '/exchanges/:name',
    {
      config: { permission: 'federation.manage' },
      schema: { tags: ['exchanges'], summary: 'Deletes an exchange and the bank it filled', params: NameParams },
    },
    async (req, reply) => {
      await exchanges.remove(req.principal, req.params.name);
      return reply.status(204).send();
    },
  );

  r.post(
    '/exchanges/:name/fetch',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['exchanges'],
        summary: 'Fetches the exchange up to date now (full: from the beginning)',
        params: NameParams,
        querystring: Type.Object({ full: Type.Optional(Type.Boolean()) }),
        response: { 200: FetchReport },
      },
    },
    async (req) => {
      await exchanges.get(req.principal, req.params.name);
      return exchanges.fetch(req.params.name, { full: req.query.full ?? false });
    },
  );

  r.get(
    '/content/:id/exchange-opinions',
    { config: { permission: 'banks.read' }, schema: { tags: ['exchanges'], params: IdParams, response: { 200: ExchangeOpinionList } } },
    async (req) => ({ opinions: await exchanges.opinionsOf(req.principal, req.params.id) }),
  );
}
