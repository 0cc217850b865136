/** /api/v1/triage: the triage runs recorded on this node (`alliance triage`), their items, and their output files. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { TRIAGE_CLASSES } from '../../cases/triage.js';
import type { TriageService } from '../../cases/triage-service.js';
import { AllianceError } from '../../errors/catalogue.js';
import { TriageItemPage, TriageRunDetail, TriageRunList } from '../contract/index.js';
import { IdParams } from './schemas.js';

const OUTPUTS: Record<string, { file: string; type: string }> = {
  csv: { file: 'triage.csv', type: 'text/csv; charset=utf-8' },
  vics: { file: 'triage.vics.json', type: 'application/json' },
  html: { file: 'triage.html', type: 'text/html; charset=utf-8' },
};

export async function triageRoutes(app: FastifyInstance, opts: { triage: TriageService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { triage } = opts;
  const cfg = { permission: 'cases' as const };
  const Page = { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) };

  r.get(
    '/triage/runs',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Triage runs on this node, newest first',
        querystring: Type.Object(Page, { additionalProperties: false }),
        response: { 200: TriageRunList },
      },
    },
    async (req) => ({
      runs: await triage.list(req.principal, req.query),
    }),
  );
  r.get(
    '/triage/runs/:id',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'A triage run: counts per class, the known series met, the folders holding new material',
        params: IdParams,
        response: { 200: TriageRunDetail },
      },
    },
    async (req) => triage.get(req.principal, req.params.id),
  );
  r.get(
    '/triage/runs/:id/items',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: "A triage run's files (hashes, class, match), filtered by class, folder or part of the path",
        params: IdParams,
        querystring: Type.Object(
          {
            class: Type.Optional(Type.Union(TRIAGE_CLASSES.map((c) => Type.Literal(c)))),
            folder: Type.Optional(Type.String({ maxLength: 4096 })),
            q: Type.Optional(Type.String({ maxLength: 200 })),
            ...Page,
          },
          { additionalProperties: false },
        ),
        response: { 200: TriageItemPage },
      },
    },
    async (req) =>
      triage.items(req.principal, req.params.id, {
        class: req.query.class,
        folder: req.query.folder,
        text: req.query.q,
        limit: req.query.limit,
        offset: req.query.offset,
      }),
  );
  r.get(
    '/triage/runs/:id/outputs/:kind',
    {
      config: cfg,
      schema: {
        tags: ['cases'],
        summary: 'Download the CSV, the VICS case export or the HTML summary a run wrote',
        params: Type.Object({ id: IdParams.properties.id, kind: Type.Union(Object.keys(OUTPUTS).map((k) => Type.Literal(k))) }),
      },
    },
    async (req, reply) => {
      const run = await triage.get(req.principal, req.params.id);
      const { file, type } = OUTPUTS[req.params.kind];
      const path = join(run.out_dir, file);
      const st = await stat(path).catch(() => undefined);
      if (run.status !== 'done' || !st?.isFile())
        throw new AllianceError(
          'TRIAGE_NOT_FOUND',
          `run ${run.id} has no ${file} (${run.status === 'done' ? 'moved or deleted from its folder' : `the run is ${run.status}`})`,
        );
      void reply
        .header('content-type', type)
        .header('content-length', st.size)
        .header('content-disposition', `attachment; filename="triage-${run.id}-${file}"`);
      // HTML is served as a download, never rendered in the node's origin.
      void reply.header('x-content-type-options', 'nosniff');
      return reply.send(createReadStream(path));
    },
  );
}
