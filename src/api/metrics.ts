/**
 * Prometheus metrics at /metrics: request latency per route, lookups by signal type and outcome,
 * index sizes, errors by code. One registry per server (no module globals).
 */
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import nodeCluster from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { hugePageBytes } from '../index/index.js';
import type { Matcher } from '../match/matcher.js';

export interface Metrics {
  registry: Registry;
  lookups: Counter<'signal_type' | 'outcome'>;
  errors: Counter<'code'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

/** The message a serve worker sends for the metrics of all workers, and the primary's answer (cli/commands/serve-workers.ts). */
export const CLUSTER_METRICS = 'alliance:cluster-metrics';

export const metricsPlugin = fp(async (app: FastifyInstance, opts: { matcher: Matcher }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'alliance_' });
  const latency = new Histogram({
    name: 'alliance_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const lookups = new Counter({
    name: 'alliance_lookups_total',
    help: 'Lookups by signal type and outcome (match / no_match)',
    labelNames: ['signal_type', 'outcome'],
    registers: [registry],
  });
  const errors = new Counter({ name: 'alliance_errors_total', help: 'Error responses by catalogue code', labelNames: ['code'], registers: [registry] });
  new Gauge({
    name: 'alliance_index_size',
    help: 'Signals in the match index, by signal type',
    labelNames: ['signal_type'],
    registers: [registry],
    aggregator: 'max', // every worker holds the same index: its size, not the sum over workers
    collect() {
      for (const [type, s] of Object.entries(opts.matcher.status().types)) this.set({ signal_type: type }, s.size);
    },
  });
  new Gauge({
    name: 'alliance_process_huge_page_bytes',
    help: 'Anonymous memory on transparent huge pages (Linux; the match index wants them at 10 M hashes and more, docs/deploy.md)',
    registers: [registry],
    collect() {
      const bytes = hugePageBytes();
      if (bytes !== undefined) this.set(bytes);
    },
  });
  app.decorate('metrics', { registry, lookups, errors });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    latency.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === 'string' && payload.startsWith('{"code":"')) {
      errors.inc({ code: payload.slice(9, payload.indexOf('"', 9)) });
    }
    return payload;
  });
  // Under serve --workers, any worker may answer a scrape: it asks the primary for the sum over all workers.
  const cluster = workerMetrics(registry);
  app.get('/metrics', { config: { permission: 'index.read' }, schema: { hide: true } }, async (_request, reply) => {
    void reply.type(registry.contentType);
    return cluster ? cluster() : registry.metrics();
  });
});

/** In a serve worker: answers the primary's requests for this registry, and asks it for every worker's. */
function workerMetrics(registry: Registry): (() => Promise<string>) | undefined {
  if (!nodeCluster.isWorker) return undefined;
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // listens for the primary's requests
  let next = 0;
  const waiting = new Map<number, (m: { text?: string; error?: string }) => void>();
  process.on('message', (m: { type?: string; id?: number; text?: string; error?: string }) => {
    if (m?.type === CLUSTER_METRICS && m.id !== undefined) waiting.get(m.id)?.(m);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => done({ error: 'the other workers did not answer in 5 s' }), 5000);
      const done = (m: { text?: string; error?: string }) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (m.text !== undefined) resolve(m.text);
        else reject(new Error(`metrics of all workers: ${m.error}`));
      };
      waiting.set(id, done);
      process.send?.({ type: CLUSTER_METRICS, id });
    });
}
