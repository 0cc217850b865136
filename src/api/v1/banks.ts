/** /api/v1/banks: banks and their content. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { BankService } from '../../banks/bank-service.js';
import { Bank, BankList, Content, ContentPage, SignalsRemoved } from '../contract/index.js';
import { hashUpload, uploadSignals } from '../uploads.js';
import { BankName, BankParams, ContentFieldProperties, SignalInput, toEpochMs } from './schemas.js';

export interface BankRoutesOptions {
  banks: BankService;
  maxImagePixels: number;
}

const ContentBody = Type.Object(
  {
    signals: Type.Array(SignalInput, { minItems: 1, maxItems: 100 }),
    ...ContentFieldProperties,
  },
  { additionalProperties: false },
);

export async function bankRoutes(app: FastifyInstance, opts: BankRoutesOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { banks } = opts;

  r.get(
    '/banks',
    { config: { permission: 'banks.read' }, schema: { tags: ['banks'], summary: 'List banks with content and signal counts', response: { 200: BankList } } },
    async (req) => ({
      banks: await banks.listBanks(req.principal),
    }),
  );

  r.post(
    '/banks',
    {
      config: { permission: 'banks.write' },
      schema: {
        tags: ['banks'],
        summary: 'Create a bank (negative banks are allow-lists)',
        body: Type.Object(
          {
            name: BankName,
            kind: Type.Optional(Type.Union([Type.Literal('positive'), Type.Literal('negative')])),
            description: Type.Optional(Type.String({ maxLength: 2000 })),
            matching_enabled: Type.Optional(Type.Boolean()),
            enabled_ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            owner_member_id: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Bank },
      },
    },
    async (req, reply) => {
      const { owner_member_id, ...rest } = req.body;
      void reply.status(201);
      return banks.createBank(req.principal, { ...rest, owner: owner_member_id });
    },
  );

  r.get('/banks/:name', { config: { permission: 'banks.read' }, schema: { tags: ['banks'], params: BankParams, response: { 200: Bank } } }, async (req) =>
    banks.getBank(req.principal, req.params.name),
  );

  r.patch(
    '/banks/:name',
    {
      config: { permission: 'banks.write' },
      schema: {
        tags: ['banks'],
        summary: 'Rename, describe, enable/disable matching, set the enabled ratio',
        params: BankParams,
        body: Type.Object(
          {
            name: Type.Optional(BankName),
            description: Type.Optional(Type.String({ maxLength: 2000 })),
            matching_enabled: Type.Optional(Type.Boolean()),
            enabled_ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Bank },
      },
    },
    async (req) => banks.updateBank(req.principal, req.params.name, req.body),
  );

  r.delete(
    '/banks/:name',
    { config: { permission: 'banks.write' }, schema: { tags: ['banks'], params: BankParams, response: { 200: SignalsRemoved } } },
    async (req) => banks.deleteBank(req.principal, req.params.name),
  );

  r.get(
    '/banks/:name/content',
    {
      config: { permission: 'banks.read' },
      schema: {
        tags: ['content'],
        params: BankParams,
        summary: "A bank's content a page at a time; hash= keeps content with a signal of that value, tag= content with that tag",
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0 })),
          hash: Type.Optional(Type.String({ minLength: 1, maxLength: 20000 })),
          tag: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        }),
        response: { 200: ContentPage },
      },
    },
    async (req) => {
      const { limit, after, hash, tag } = req.query;
      const content = await banks.listContent(req.principal, req.params.name, { limit, afterId: after, hash, tag });
      return { content, next_after: content.length ? content[content.length - 1].id : null };
    },
  );

  r.post(
    '/banks/:name/content',
    {
      config: { permission: 'banks.write' },
      schema: { tags: ['content'], summary: 'Add content by its signals (hashes)', params: BankParams, body: ContentBody, response: { 201: Content } },
    },
    async (req, reply) => {
      const { disabled_until, ...rest } = req.body;
      void reply.status(201);
      return banks.addContent(req.principal, req.params.name, { ...rest, disabled_until: toEpochMs(disabled_until) });
    },
  );

  r.post(
    '/banks/:name/content/upload',
    {
      config: { permission: 'banks.write' },
      schema: {
        tags: ['content'],
        summary: 'Add content by uploading media (hashed, then dropped)',
        params: BankParams,
        consumes: ['multipart/form-data'],
        response: { 201: Content },
      },
    },
    async (req, reply) => {
      const upload = await hashUpload(req, { types: [], maxImagePixels: opts.maxImagePixels, autoOrient: false, secondsPerHash: 1, dihedral: false });
      uploadSignals(upload); // throws the hashing error, if any
      const signals = Object.entries(upload.result.signals).map(([signal_type, s]) => ({ signal_type, value: s.value, quality: s.quality ?? null }));
      const f = upload.fields;
      void reply.status(201);
      return banks.addContent(req.principal, req.params.name, {
        signals,
        classification: f.classification || null,
        tags: f.tags
          ? f.tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : [],
        note: f.note || null,
      });
    },
  );
}
