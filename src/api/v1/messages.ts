/** /api/v1/messages: the awareness messages per context, audience and language — versions and their review. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { MESSAGE_AUDIENCES, MESSAGE_CONTEXTS, type MessageService } from '../../awareness/messages.js';
import { MessageHistory, MessageOverview, MessageVersion } from '../contract/index.js';
import { IdParams, literals } from './schemas.js';

const Key = { context: literals(MESSAGE_CONTEXTS), audience: literals(MESSAGE_AUDIENCES), language: Type.String({ maxLength: 12 }) };

export async function messageRoutes(app: FastifyInstance, opts: { messages: MessageService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { messages } = opts;
  const tags = ['awareness'];
  const manage = { permission: 'awareness.manage' as const };
  r.get(
    '/messages',
    {
      config: { permission: 'lookup' },
      schema: {
        tags,
        summary: 'Each message in a language: the version served (or the English fall-back) and any draft awaiting review',
        querystring: Type.Object({ language: Type.Optional(Type.String({ maxLength: 12 })) }, { additionalProperties: false }),
        response: { 200: MessageOverview },
      },
    },
    async (req) => messages.overview(req.principal, req.query.language ?? 'en'),
  );
  r.get(
    '/messages/history',
    {
      config: { permission: 'lookup' },
      schema: {
        tags,
        summary: 'Every version of one message, newest first',
        querystring: Type.Object(Key, { additionalProperties: false }),
        response: { 200: MessageHistory },
      },
    },
    async (req) => ({ versions: await messages.history(req.principal, req.query) }),
  );
  r.post(
    '/messages',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Write a new version (a draft until someone else approves it)',
        body: Type.Object({ ...Key, title: Type.String({ maxLength: 200 }), body: Type.String({ maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 201: MessageVersion },
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return messages.write(req.principal, req.body);
    },
  );
  r.post(
    '/messages/:id/review',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Approve (then served) or reject a draft; not by its author',
        params: IdParams,
        body: Type.Object(
          { decision: literals(['approve', 'reject']), note: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 1000 })])) },
          { additionalProperties: false },
        ),
        response: { 200: MessageVersion },
      },
    },
    async (req) => messages.review(req.principal, req.params.id, req.body),
  );
}
