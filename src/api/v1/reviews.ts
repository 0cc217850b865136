/** /api/v1: submissions (a platform's content checked and acted on) and the review queue. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Account, ReportService, ReviewService, SubmissionInput, SubmissionService } from '../../actions/index.js';
import { AllianceError } from '../../errors/catalogue.js';
import { hashUpload, uploadSignals } from '../uploads.js';
import { IdParams } from './schemas.js';
import { BulkVerdicts, RevealCount, ReviewDecided, ReviewItem, ReviewQueue, SubmissionResult } from '../contract/index.js';

const Context = {
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Where on the platform the content came from (default "upload")' })),
  external_id: Type.Optional(Type.String({ maxLength: 256, description: "The platform's own id of the content" })),
  url: Type.Optional(Type.String({ maxLength: 4096, description: 'Where the content is served (notices go to its host)' })),
  ip: Type.Optional(Type.String({ maxLength: 64, description: "The uploader's IP address (routes reports to its country)" })),
  // Integer first: Ajv's coercion would turn a number into a string for a string listed first.
  uploaded_at: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0 }), Type.String({ maxLength: 40 })], { description: 'When the platform received it (ISO 8601 or epoch ms)' }),
  ),
};
const AccountSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 256 })),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    email: Type.Optional(Type.String({ maxLength: 256 })),
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
  },
  { additionalProperties: false },
);

/** Form fields are text: the account arrives as JSON. */
function formContext(fields: Record<string, string>): Omit<SubmissionInput, 'signals'> {
  const known = ['source', 'external_id', 'url', 'ip', 'account', 'uploaded_at'];
  const unknown = Object.keys(fields).filter((k) => !known.includes(k));
  if (unknown.length) throw new AllianceError('SUBMISSION_INVALID', `unknown form field(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  let account: Account | undefined;
  if (fields.account !== undefined) {
    try {
      account = JSON.parse(fields.account) as Account;
    } catch {
      throw new AllianceError('SUBMISSION_INVALID', 'account: a JSON object');
    }
  }
  const uploaded = fields.uploaded_at;
  return {
    source: fields.source,
    external_id: fields.external_id,
    url: fields.url,
    ip: fields.ip,
    account,
    uploaded_at: uploaded !== undefined && /^\d+$/.test(uploaded) ? Number(uploaded) : uploaded,
  };
}

export async function reviewRoutes(
  app: FastifyInstance,
  opts: { submissions: SubmissionService; reviews: ReviewService; reports: ReportService; maxImagePixels: number },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { submissions, reviews } = opts;

  r.post(
    '/submissions',
    {
      config: { permission: 'submit' },
      schema: {
        tags: ['actions'],
        summary: 'Check content by its hashes (computed on the platform): match, apply the action rules, answer block / review / allow',
        response: { 201: SubmissionResult },
        body: Type.Object(
          {
            signals: Type.Record(Type.String({ maxLength: 40 }), Type.String({ minLength: 1, maxLength: 4 * 1024 * 1024 })),
            ...Context,
            account: Type.Optional(AccountSchema),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return submissions.submit(req.principal, req.body);
    },
  );

  r.post(
    '/submissions/upload',
    {
      config: { permission: 'submit' },
      schema: {
        tags: ['actions'],
        summary: 'Check an uploaded file (multipart, with the context as form fields); its media is kept encrypted only if a review needs it',
        consumes: ['multipart/form-data'],
        response: { 201: SubmissionResult },
      },
    },
    async (req, reply) => {
      const upload = await hashUpload(req, {
        types: [],
        maxImagePixels: opts.maxImagePixels,
        autoOrient: false,
        secondsPerHash: 1,
        dihedral: false,
        keep: true,
      });
      const signals = uploadSignals(upload);
      const { media, format } = upload.result;
      const input: SubmissionInput = {
        ...formContext(upload.fields),
        signals,
        media: upload.bytes ? { bytes: upload.bytes, type: `${media}/${format ?? 'octet-stream'}` } : undefined,
      };
      void reply.status(201);
      return submissions.submit(req.principal, input);
    },
  );

  r.get(
    '/reviews',
    {
      config: { permission: 'reviews.decide' },
      schema: {
        tags: ['actions'],
        summary: "The review queue, most urgent first; with the reviewer's reveals today",
        response: { 200: ReviewQueue },
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('decided'), Type.Literal('all')])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            offset: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => reviews.queue(req.principal, req.query.status ?? 'pending', req.query.limit ?? 50, req.query.offset ?? 0),
  );

  r.get(
    '/reviews/:id',
    { config: { permission: 'reviews.decide' }, schema: { tags: ['actions'], params: IdParams, response: { 200: ReviewItem } } },
    async (req) => reviews.item(req.principal, req.params.id),
  );

  r.get(
    '/reviews/:id/media',
    {
      config: { permission: 'reviews.decide' },
      schema: { tags: ['actions'], summary: 'The media of a pending review (show it veiled until revealed)', params: IdParams },
    },
    async (req, reply) => {
      const m = await reviews.media(req.principal, req.params.id);
      void reply.header('content-type', m.type).header('cache-control', 'no-store').header('content-disposition', 'inline');
      return reply.send(m.bytes);
    },
  );

  r.post(
    '/reviews/:id/reveal',
    {
      config: { permission: 'reviews.decide' },
      schema: { tags: ['actions'], summary: "Count a reveal of the media in the analyst's daily exposure", params: IdParams, response: { 200: RevealCount } },
    },
    async (req) => reviews.reveal(req.principal, req.params.id),
  );

  r.post(
    '/reviews/verdicts',
    {
      config: { permission: 'reviews.decide' },
      schema: {
        tags: ['actions'],
        summary:
          'Confirm several reviews at once: only exact-hash (MD5, SHA-256) matches of already-confirmed content; any other item is refused on its own (REVIEW_NOT_BULK)',
        response: { 200: BulkVerdicts },
        body: Type.Object(
          {
            verdict: Type.Literal('confirmed'),
            ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100 }),
            note: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 2000 })])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const results: BulkVerdicts['results'] = [];
      for (const r of await reviews.decideBulk(req.principal, req.body.ids, req.body.note ?? null)) {
        if (!r.ok) results.push({ id: r.id, status: 'refused', code: r.code, message: r.message, warnings: [] });
        else {
          const warning = r.item.next_actions.includes('report') ? await opts.reports.routingWarning(r.id) : undefined;
          results.push({ id: r.id, status: 'confirmed', code: null, message: null, warnings: warning ? [warning] : [] });
        }
      }
      const confirmed = results.filter((x) => x.status === 'confirmed').length;
      return { confirmed, refused: results.length - confirmed, results };
    },
  );

  r.post(
    '/reviews/:id/verdict',
    {
      config: { permission: 'reviews.decide' },
      schema: {
        tags: ['actions'],
        summary: 'Confirm or reject (once); the media is deleted and the verdict flows back as an opinion',
        response: { 200: ReviewDecided },
        params: IdParams,
        body: Type.Object(
          {
            verdict: Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')]),
            note: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 2000 })])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const decided = await reviews.decide(req.principal, req.params.id, req.body.verdict, req.body.note ?? null);
      // Said now, not found out later: a report with no authority for its jurisdiction is not "sent".
      const warning =
        req.body.verdict === 'confirmed' && decided.next_actions.includes('report') ? await opts.reports.routingWarning(req.params.id) : undefined;
      return { ...decided, warnings: warning ? [warning] : [] };
    },
  );
}
