/**
 * The HTTP server of a node: our API under /api/v1 (OpenAPI at /openapi.json, interactive docs at
 * /docs), the HMA-compatible surface, /health, /metrics and the web UI. One Fastify plugin per
 * domain; state comes from the node (decorate/options), never module globals.
 */
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { AllianceNode } from '../node/node.js';
import { authPlugin, routePolicy, withAccess } from './auth.js';
import { checkCorsPlugin } from './check-cors.js';
import { checkResponsesAgainstSchemas } from './response-contract.js';
import { Health } from './contract/index.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { inputGuardPlugin } from './input-guard.js';
import { validatorCompiler } from './validation.js';
import { peerRoutes } from './federation/peer-routes.js';
import { hmaPlugin } from './hma/plugin.js';
import { metricsPlugin } from './metrics.js';
import { uiNotFound, uiPage, webPlugin } from './web.js';
import { demoPlugin } from './demo.js';
import { auditRoutes } from './v1/audit.js';
import { bankRoutes } from './v1/banks.js';
import { exchangeRoutes } from './v1/exchanges.js';
import { operationRoutes } from './v1/operations.js';
import { federationRoutes } from './v1/federation.js';
import { jobRoutes } from './v1/jobs.js';
import { contentRoutes } from './v1/content.js';
import { matchRoutes } from './v1/match.js';
import { memberRoutes } from './v1/members.js';
import { reportRoutes } from './v1/reports.js';
import { reviewRoutes } from './v1/reviews.js';
import { seriesRoutes } from './v1/series.js';
import { triageRoutes } from './v1/triage.js';
import { reportingRoutes } from './v1/reporting.js';
import { countryReportRoutes } from './v1/country-reports.js';
import { helpDirectoryRoutes } from './v1/help-directory.js';
import { messageRoutes } from './v1/messages.js';
import { checkRoutes } from './v1/check.js';
import { ruleRoutes } from './v1/rules.js';

export interface ServerOptions {
  /** Log to this stream (tests pass a sink); default stdout. */
  logStream?: NodeJS.WritableStream;
}

/** What a request log line says of the request: method and route template, no values, no headers. */
function logRequest(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, route: req.routeOptions?.url ?? '(no route)', remoteAddress: req.ip };
}

export async function buildServer(node: AllianceNode, options: ServerOptions = {}): Promise<FastifyInstance> {
  const { config } = node;
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            // Requests are logged by their route's template, never their query string or path values:
            // those carry looked-up hashes, bank and content names, peers' identifiers.
            serializers: { req: logRequest },
            ...(options.logStream ? { stream: options.logStream } : {}),
          },
    bodyLimit: config.bodyLimit,
    // A client gets so long to send its headers and its whole request, an idle keep-alive
    // connection and a socket without traffic are closed: 1,000 connections trickling a byte
    // every 5 s are gone within seconds instead of holding the server for ever.
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs) },
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionTimeout: config.idleTimeoutMs,
  });
  // Before any route: every route must declare who may call it (auth.ts; docs/architecture.md).
  routePolicy(app);
  if (config.checkResponses) checkResponsesAgainstSchemas(app);
  app.server.maxConnections = config.maxConnections;
  // Query strings and path parameters are coerced to their schema's types, JSON bodies never.
  app.setValidatorCompiler(validatorCompiler());
  await app.register(inputGuardPlugin, { jsonBodyLimit: Math.min(config.bodyLimit, config.jsonBodyLimit) });
  app.decorate('compute', node.compute);
  app.setErrorHandler(errorHandler);
  const ui = uiPage();
  app.setNotFoundHandler(notFoundHandler(uiNotFound(ui)));
  await app.register(multipart, { limits: { fileSize: config.bodyLimit, files: 2, fields: 20, fieldSize: 64 * 1024 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Alliance node API',
        version: '1',
        description:
          'Hash, match and curate banks of known child sexual abuse material signals. Every route but /health needs `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    hideUntagged: true,
  });
  await withAccess(app, 'public', swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());
  // Where HMA serves its OpenAPI document: the same document.
  app.get('/openapi/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());
  await app.register(checkCorsPlugin, { origins: config.checkOrigins });
  await app.register(authPlugin, { members: node.members });
  await app.register(metricsPlugin, { matcher: node.matcher });

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/health',
    {
      config: { permission: 'public' },
      schema: { tags: ['operations'], summary: 'Liveness and index readiness (no token needed)', response: { 200: Health, 503: Health } },
    },
    async (_req, reply) => {
      const status = node.matcher.status();
      void reply.status(status.ready ? 200 : 503);
      const body: Health = { status: status.ready ? 'ok' : 'loading', index_ready: status.ready, audit_backlog_error: node.audit.lastError ?? null };
      return body;
    },
  );

  const media = {
    maxImagePixels: config.maxImagePixels,
    fetch: { allowedHosts: config.fetchAllowedHosts, maxBytes: config.fetchMaxBytes, timeoutMs: 30_000 },
    compute: node.compute,
    vpdqMaxFrames: config.vpdqMaxFrames,
  };
  await app.register(
    async (v1) => {
      await v1.register(bankRoutes, { banks: node.banks, maxImagePixels: config.maxImagePixels });
      await v1.register(contentRoutes, { banks: node.banks });
      await v1.register(matchRoutes, {
        lookup: node.lookup,
        matcher: node.matcher,
        audit: node.audit,
        metrics: app.metrics,
        maxImagePixels: config.maxImagePixels,
        vpdqMaxFrames: config.vpdqMaxFrames,
      });
      await v1.register(memberRoutes, { members: node.members });
      await v1.register(auditRoutes, { node });
      await v1.register(jobRoutes, { node });
      await v1.register(federationRoutes, { federation: node.federation });
      await v1.register(exchangeRoutes, { exchanges: node.exchanges });
      await v1.register(reviewRoutes, { submissions: node.submissions, reviews: node.reviews, reports: node.reports, maxImagePixels: config.maxImagePixels });
      await v1.register(ruleRoutes, { rules: node.rules, webhooks: node.webhooks });
      await v1.register(reportRoutes, { reports: node.reports, notices: node.notices, store: node.store, cybertipline: node.cybertipline });
      await v1.register(seriesRoutes, { series: node.series, feed: node.seriesFeed, deconfliction: node.deconfliction });
      await v1.register(triageRoutes, { triage: node.triage });
      await v1.register(reportingRoutes, { reporting: node.reporting });
      await v1.register(countryReportRoutes, { countryReports: node.countryReports });
      await v1.register(helpDirectoryRoutes, { help: node.help, feed: node.helpFeed });
      await v1.register(messageRoutes, { messages: node.messages });
      await v1.register(checkRoutes, { check: node.check });
      await v1.register(operationRoutes, { operations: node.operations, leads: node.leads, pictures: node.pictures });
    },
    { prefix: '/api/v1' },
  );
  await app.register(peerRoutes, {
    federation: node.federation,
    reports: node.reports,
    seriesFeed: node.seriesFeed,
    deconfliction: node.deconfliction,
    countryReports: node.countryReports,
    helpFeed: node.helpFeed,
    auditWitnesses: node.auditWitnesses,
    refusals: node.refusals,
    leads: node.leads,
  });
  await app.register(hmaPlugin, {
    ...media,
    banks: node.banks,
    lookup: node.lookup,
    matcher: node.matcher,
    audit: node.audit,
    metrics: app.metrics,
    exchanges: node.exchanges,
    store: node.store,
  });
  await app.register(webPlugin, { html: ui });
  await app.register(demoPlugin);
  return app;
}
