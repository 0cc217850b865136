/** /api/v1/audit: the audit log and its verification. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuditLog } from '../../audit/audit-log.js';
import { parseJson } from '../../store/util.js';

export async function auditRoutes(app: FastifyInstance, opts: { audit: AuditLog }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/audit',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['audit'],
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), before: Type.Optional(Type.Integer({ minimum: 1 })), action: Type.Optional(Type.String({ maxLength: 100 })) }),
      },
    },
    async (req) => ({
      entries: (await opts.audit.list({ limit: req.query.limit ?? 100, beforeId: req.query.before, action: req.query.action })).map((e) => ({
        ...e,
        at: new Date(e.at).toISOString(),
        detail: parseJson(e.detail, {}),
      })),
    }),
  );
  r.get('/audit/verify', { config: { permission: 'audit.read' }, schema: { tags: ['audit'], summary: 'Verify the hash chain' } }, async () => opts.audit.verify());
}
