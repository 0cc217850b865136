/** /api/v1: background jobs — imports into a bank (CSV, VICS 2.0 JSON, NCMEC v2 XML), and their status. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AllianceError } from '../../errors/catalogue.js';
import { IMPORT_FORMATS, IMPORT_JOB, importProgress, queueImport } from '../../jobs/import-job.js';
import { Type } from 'typebox';
import { redactServerPaths } from '../../errors/redact.js';
import type { AllianceNode } from '../../node/node.js';
import { getJob, parseJson } from '../../store/index.js';
import { Job, JobAccepted } from '../contract/index.js';
import { BankParams, IdParams, literals } from './schemas.js';

export async function jobRoutes(app: FastifyInstance, opts: { node: AllianceNode }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { node } = opts;
  /** The last answer about each import seen running here (kept only while it runs). */
  const running = new Map<number, Job>();
  // The file as it is: CSV as text/csv; VICS and NCMEC (named by ?format=) as application/octet-stream or XML.
  for (const type of ['text/csv', 'application/xml', 'text/xml', 'application/octet-stream'])
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));

  r.post(
    '/banks/:name/import',
    {
      config: { permission: 'banks.write' },
      schema: {
        tags: ['content'],
        summary: 'Import a file into the bank as a background job: CSV (signal_type,signal[,classification][,tags][,note]), VICS 2.0 JSON or NCMEC v2 XML',
        params: BankParams,
        querystring: Type.Object({ format: Type.Optional(literals(IMPORT_FORMATS)) }),
        consumes: ['text/csv', 'application/xml', 'application/octet-stream'],
        response: { 202: JobAccepted },
      },
    },
    async (req, reply) => {
      if (typeof req.body !== 'string')
        throw new AllianceError(
          'UNSUPPORTED_MEDIA_TYPE',
          'send the file as it is: a CSV with Content-Type: text/csv, VICS or NCMEC with application/octet-stream',
        );
      const format = req.query.format ?? 'csv';
      await node.banks.checkWritable(req.principal, req.params.name); // refuse now, not in the job
      const id = await queueImport(node.store.db, node.config.dataDir, req.principal, req.params.name, req.body, format);
      void reply.status(202);
      return { job_id: id, status_url: `/api/v1/jobs/${id}` };
    },
  );

  // Those who may start an import may follow it: jobs are imports into banks (other kinds of jobs are
  // the node's own background work and are not shown). Others' jobs are not found, not forbidden.
  r.get(
    '/jobs/:id',
    {
      config: { permission: 'banks.write' },
      schema: { tags: ['content'], summary: 'Status of a background job you started', params: IdParams, response: { 200: Job } },
    },
    async (req) => {
      // A running import answers from this process (its progress is here): on SQLite its transaction
      // holds the one connection, and a status read would wait for the import to finish.
      const live = importProgress(req.params.id);
      const last = running.get(req.params.id);
      if (live && last && (req.principal.role === 'admin' || live.owner === req.principal.memberId))
        return { ...last, state: 'running' as const, progress: { done: live.done, total: live.total } };
      const job = await getJob(node.store.db, req.params.id);
      const owner = parseJson<{ actor?: { memberId?: number } }>(job?.payload ?? null, {}).actor?.memberId;
      if (!job || job.kind !== IMPORT_JOB || (req.principal.role !== 'admin' && owner !== req.principal.memberId))
        throw new AllianceError('NOT_FOUND', `no job ${req.params.id}`);
      const p = importProgress(job.id);
      const view = {
        id: job.id,
        kind: job.kind,
        state: job.state,
        attempts: job.attempts,
        error: job.last_error === null ? null : redactServerPaths(job.last_error),
        result: parseJson(job.result, null),
        progress: p ? { done: p.done, total: p.total } : null,
        created_at: new Date(job.created_at).toISOString(),
        updated_at: new Date(job.updated_at).toISOString(),
      };
      if (view.state === 'running' && p) running.set(job.id, view);
      else running.delete(job.id);
      return view;
    },
  );
}
