/** /api/v1/content/:id and /api/v1/signals/:id. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { BankService } from '../../banks/bank-service.js';
import { Content, SignalsRemoved } from '../contract/index.js';
import { ContentFieldProperties, IdParams, toEpochMs } from './schemas.js';

export async function contentRoutes(app: FastifyInstance, opts: { banks: BankService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { banks } = opts;

  r.get('/content/:id', { config: { permission: 'banks.read' }, schema: { tags: ['content'], params: IdParams, response: { 200: Content } } }, async (req) =>
    banks.getContent(req.principal, req.params.id),
  );

  r.patch(
    '/content/:id',
    {
      config: { permission: 'banks.write' },
      schema: {
        tags: ['content'],
        summary: 'Change classification, tags, note, metadata, or disable until a time (null re-enables)',
        params: IdParams,
        body: Type.Object(ContentFieldProperties, { additionalProperties: false }),
        response: { 200: Content },
      },
    },
    async (req) => {
      const { disabled_until, ...rest } = req.body;
      return banks.updateContent(req.principal, req.params.id, {
        ...rest,
        ...(disabled_until !== undefined ? { disabled_until: toEpochMs(disabled_until) } : {}),
      });
    },
  );

  r.delete(
    '/content/:id',
    { config: { permission: 'banks.write' }, schema: { tags: ['content'], params: IdParams, response: { 200: SignalsRemoved } } },
    async (req) => banks.deleteContent(req.principal, req.params.id),
  );

  r.delete(
    '/signals/:id',
    { config: { permission: 'banks.write' }, schema: { tags: ['content'], params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => {
      await banks.deleteSignal(req.principal, req.params.id);
      void reply.status(204);
    },
  );
}
