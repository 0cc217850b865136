/**
 * Response schemas are the API's contract (docs/architecture.md, "Typed both ways"): Fastify
 * serialises an answer with its route's schema, which is faster than JSON.stringify but drops in
 * silence a field the schema does not declare and coerces a value of another type. With
 * `checkResponses` (ALLIANCE_CHECK_RESPONSES=1, set by the test suite) every JSON answer is also
 * serialised plainly and the two compared: a difference is a 500 that names the route and the
 * first path that differs, so a schema that lags behind its service fails the test that calls it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

const PLAIN = Symbol('alliance.plainAnswer');
type WithPlain = FastifyReply & { [PLAIN]?: string };

/** The first JSON path at which two parsed JSON values differ, or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (a === b) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return path;
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return `${path}.length`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], bs[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
    if (!(k in ao) || !(k in bo)) return `${path}.${k}`;
    const d = firstDifference(ao[k], bo[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

/** Installs the check on the root instance (before any route). */
export function checkResponsesAgainstSchemas(app: FastifyInstance): void {
  app.addHook('preSerialization', async (_req, reply: WithPlain, payload) => {
    if (payload !== null && typeof payload === 'object' && !Buffer.isBuffer(payload)) reply[PLAIN] = JSON.stringify(payload);
    return payload;
  });
  app.addHook('onSend', async (req, reply: WithPlain, payload) => {
    const plain = reply[PLAIN];
    if (plain === undefined || typeof payload !== 'string') return payload;
    reply[PLAIN] = undefined;
    const where = firstDifference(JSON.parse(payload), JSON.parse(plain));
    if (where === null) return payload;
    const route = `${req.method} ${req.routeOptions?.url ?? req.url}`;
    req.log.error({ route, where }, 'response differs from its schema');
    void reply.status(500);
    return JSON.stringify({
      code: 'INTERNAL',
      message: `${route}: the answer does not match the route's response schema at ${where} (a field the schema lacks, or of another type)`,
    });
  });
}
