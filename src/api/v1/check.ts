/**
 * /api/v1/check: what a platform asks before it shows search results or accepts an upload. The
 * search text or the upload's hashes are looked up and forgotten; the answer says whether they
 * are listed, the message to show (in the user's language, or English — flagged) and where to
 * turn for help in the user's country.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CheckAnswer, MessageAnswer, UploadAnswer } from '../contract/index.js';
import { literals } from './schemas.js';
import { uploadSignals, type CheckService } from '../../awareness/check-service.js';
import { MESSAGE_AUDIENCES, MESSAGE_CONTEXTS } from '../../awareness/messages.js';

const Who = {
  country: Type.Optional(
    Type.Union([Type.Null(), Type.String({ maxLength: 2, description: "The user's country (ISO 3166-1 alpha-2): whose help entries to give" })]),
  ),
  language: Type.Optional(
    Type.Union([Type.Null(), Type.String({ maxLength: 12, description: 'The language to show the message in (English when it has no approved translation)' })]),
  ),
  audience: Type.Optional(Type.Union([Type.Null(), literals(MESSAGE_AUDIENCES)], { description: 'child (under 13), teen (13–17) or adult (default)' })),
};
const Hash = Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 128 })]));

export async function checkRoutes(app: FastifyInstance, opts: { check: CheckService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { check } = opts;
  const tags = ['awareness'];
  // One request field per signal type an upload check takes, read when the routes are registered.
  const hashFields = uploadSignals();
  const config = { permission: 'check' as const };
  r.post(
    '/check/text',
    {
      config,
      schema: {
        tags,
        summary: 'Is this search text on a keyword list? The deterrence (or child-safety) message and help if so; the text is not stored',
        body: Type.Object(
          { text: Type.String({ maxLength: 2000 }), context: Type.Optional(Type.Union([Type.Null(), literals(['search', 'child-safety', 'victim'])])), ...Who },
          { additionalProperties: false },
        ),
        response: { 200: CheckAnswer },
      },
    },
    async (req) => check.checkText(req.principal, req.body),
  );
  r.post(
    '/check/upload',
    {
      config,
      schema: {
        tags,
        summary: `Is this upload in a bank? Give its hashes only (${hashFields.join(', ')}): block with the upload-blocked message and help, or allow`,
        body: Type.Object({ ...Object.fromEntries(hashFields.map((name) => [name, Hash])), ...Who }, { additionalProperties: false }),
        response: { 200: UploadAnswer },
      },
    },
    async (req) => check.checkUpload(req.principal, req.body),
  );
  r.get(
    '/check/message',
    {
      config,
      schema: {
        tags,
        summary: 'The message and help of a context without a check (a "get help" link, a page for victims)',
        querystring: Type.Object({ context: literals(MESSAGE_CONTEXTS), ...Who }, { additionalProperties: false }),
        response: { 200: MessageAnswer },
      },
    },
    async (req) => check.show(req.principal, req.query),
  );
}
