/**
 * One error shape for every route: `{ "code": "BANK_EXISTS", "message": "…" }` with the
 * catalogue's status. (A superset of HMA's `{ "message" }`, so HMA clients read it too.)
 * Framework errors — schema validation, malformed JSON, bodies over the limit, unknown routes —
 * are mapped to catalogue codes; anything unexpected is a 500 whose detail goes to the log only.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AllianceError, toAllianceError } from '../errors/catalogue.js';
import { redactServerPaths } from '../errors/redact.js';
import type { RouteEntry } from './auth.js';

export function toHttpError(err: FastifyError | Error): AllianceError {
  if (err instanceof AllianceError) return err;
  const fe = err as FastifyError & { validationContext?: string };
  if (fe.validation) {
    const where = fe.validationContext ?? 'request';
    return new AllianceError('VALIDATION', `${where}${fe.message.startsWith(where) ? fe.message.slice(where.length) : ` ${fe.message}`}`);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
      return new AllianceError('PAYLOAD_TOO_LARGE', fe.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AllianceError('UNSUPPORTED_MEDIA_TYPE', fe.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AllianceError('VALIDATION', fe.message);
    default:
      break;
  }
  if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new AllianceError('VALIDATION', `malformed JSON body: ${err.message}`);
  if (fe.statusCode === 413) return new AllianceError('PAYLOAD_TOO_LARGE', fe.message);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new AllianceError('VALIDATION', fe.message);
  return toAllianceError(err);
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const e = toHttpError(err);
  if (e.status >= 500) request.log.error({ err }, 'request failed');
  const message = e.status >= 500 && e.code === 'INTERNAL' ? 'internal error (details are in the server log)' : redactServerPaths(e.message);
  // Work refused because the node is at its limit says when to come back.
  const retryAfter = (e as { retryAfterS?: number }).retryAfterS;
  if (e.status === 503) void reply.header('retry-after', String(retryAfter ?? 5));
  // Extra fields (a peer's refusal names the peer's own code) never replace code and message.
  void reply.status(e.status).send({ ...e.details, code: e.code, message });
}

/** A route template (`/c/bank/:name`, `/assets/*`) as a pattern matching the paths it routes. */
function templatePattern(url: string): RegExp {
  const escaped = url.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/:[A-Za-z0-9_]+/g, '[^/]+').replace(/\*/g, '.*')}$`);
}

const patterns = new WeakMap<RouteEntry[], Array<{ method: string; pattern: RegExp }>>();

/** The methods some route takes at this path (empty when the path is unknown). */
export function methodsAt(table: RouteEntry[], path: string): string[] {
  let compiled = patterns.get(table);
  if (!compiled || compiled.length !== table.length) {
    compiled = table.map((r) => ({ method: r.method, pattern: templatePattern(r.url) }));
    patterns.set(table, compiled);
  }
  return [...new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
}

/** A browser opening a page (a GET asking for HTML, outside /api/): at an unknown path it gets the web UI's not-found page. */
export function asksForPage(request: FastifyRequest): boolean {
  return request.method === 'GET' && !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
}

/** Answers a page request (asksForPage) at an unknown path with a page, or returns false (src/api/web.ts). */
export type HtmlNotFound = (request: FastifyRequest, reply: FastifyReply) => boolean;

/**
 * 404 for an unknown path; a known path asked with another method is 405 with the methods it takes
 * (as HMA's Flask). A browser's page request gets the web UI's not-found page from `html` (without a
 * token: a browser never sends one when opening a page, and the page holds no data); if there is
 * none, it still needs a token to learn anything about the API.
 */
export function notFoundHandler(html?: HtmlNotFound) {
  return (request: FastifyRequest, reply: FastifyReply): void => {
    if (asksForPage(request)) {
      if (html?.(request, reply)) return;
      if (!request.principal) {
        void reply.send(new AllianceError('UNAUTHENTICATED', 'missing bearer token (Authorization: Bearer <token>)'));
        return;
      }
    }
    const path = request.url.split('?')[0];
    const allowed = request.server.routeAccess ? methodsAt(request.server.routeAccess, path) : [];
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      void reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({ code: 'METHOD_NOT_ALLOWED', message: 'The method is not allowed for the requested URL.' });
      return;
    }
    void reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${path}` });
  };
}
