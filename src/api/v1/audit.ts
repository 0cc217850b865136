/** /api/v1/audit: the audit log and its verification. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AllianceNode } from '../../node/node.js';
import { parseJson } from '../../store/index.js';
import { AuditCheckpointList, AuditCheckpointReport, AuditPage, AuditVerification } from '../contract/index.js';

export async function auditRoutes(app: FastifyInstance, opts: { node: AllianceNode }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { audit } = opts.node;
  r.get(
    '/audit',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['audit'],
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          action: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: AuditPage },
      },
    },
    async (req) => ({
      entries: (await audit.list({ limit: req.query.limit ?? 100, beforeId: req.query.before, action: req.query.action })).map((e) => ({
        ...e,
        at: new Date(e.at).toISOString(),
        detail: parseJson(e.detail, {}),
      })),
    }),
  );
  r.get(
    '/audit/verify',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary:
          'Verify the keyed hash chain against the signed checkpoints in the file and those the witnesses kept; names the first entry that no longer matches',
        response: { 200: AuditVerification },
      },
    },
    async () => opts.node.verifyAudit(),
  );
  r.get(
    '/audit/checkpoints',
    {
      config: { permission: 'audit.read' },
      schema: { tags: ['audit'], summary: 'The signed checkpoints of the chain head, oldest first', response: { 200: AuditCheckpointList } },
    },
    async () => ({ checkpoints: audit.checkpoints() }),
  );
  r.post(
    '/audit/checkpoints',
    {
      config: { permission: 'members.manage' },
      schema: {
        tags: ['audit'],
        summary: 'Sign a checkpoint of the chain head now (unless it has one) and send it to the witnesses (admin)',
        response: { 200: AuditCheckpointReport },
      },
    },
    async () => opts.node.checkpointAudit(),
  );
}
