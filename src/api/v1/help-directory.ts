/** /api/v1/help-directory: where to turn for help, per country (awareness). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CHANNEL_TYPES, HELP_KINDS, type HelpDirectory } from '../../awareness/help-directory.js';
import type { HelpFeed } from '../../awareness/help-feed.js';
import { HelpDirectoryEntry, HelpDirectoryList, HelpSyncReport } from '../contract/index.js';
import { IdParams, literals } from './schemas.js';

const Entry = {
  country: Type.String({ maxLength: 2 }),
  kind: literals(HELP_KINDS),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  languages: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { maxItems: 20 })),
  hours: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 200 })])),
  channels: Type.Optional(
    Type.Array(Type.Object({ type: literals(CHANNEL_TYPES), value: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false }), {
      maxItems: 10,
    }),
  ),
};

export async function helpDirectoryRoutes(app: FastifyInstance, opts: { help: HelpDirectory; feed: HelpFeed }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { help } = opts;
  const tags = ['awareness'];
  const manage = { permission: 'awareness.manage' as const };
  r.get(
    '/help-directory',
    {
      config: { permission: 'lookup' },
      schema: {
        tags,
        summary: "A country's help entries (placeholders flagged)",
        querystring: Type.Object(
          { country: Type.Optional(Type.String({ maxLength: 2 })), kind: Type.Optional(literals(HELP_KINDS)) },
          { additionalProperties: false },
        ),
        response: { 200: HelpDirectoryList },
      },
    },
    async (req) => ({ entries: await help.list(req.principal, req.query) }),
  );
  r.post(
    '/help-directory/sync',
    {
      config: { permission: 'federation.manage' },
      schema: { tags, summary: "Pull every peer's help directory now (the secretariat's is the alliance-wide one)", response: { 200: HelpSyncReport } },
    },
    async () => ({ peers: await opts.feed.syncAll() }),
  );
  r.post(
    '/help-directory',
    {
      config: manage,
      schema: { tags, summary: 'Add an entry', body: Type.Object(Entry, { additionalProperties: false }), response: { 201: HelpDirectoryEntry } },
    },
    async (req, reply) => {
      void reply.status(201);
      return help.add(req.principal, req.body);
    },
  );
  r.patch(
    '/help-directory/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Curate an entry (a placeholder becomes curated)',
        params: IdParams,
        body: Type.Partial(Type.Object(Entry, { additionalProperties: false })),
        response: { 200: HelpDirectoryEntry },
      },
    },
    async (req) => help.update(req.principal, req.params.id, req.body),
  );
  r.delete('/help-directory/:id', { config: manage, schema: { tags, params: IdParams, response: { 204: Type.Null() } } }, async (req, reply) => {
    await help.remove(req.principal, req.params.id);
    void reply.status(204);
  });
}
