/**
 * `alliance serve --workers N`: the primary process prepares the node once (migrations, the first
 * admin token, demo banks), then forks N workers that serve the one port — Node's cluster hands the
 * connections out in turn. Each worker holds the index and follows the others' writes like any
 * process sharing the store (at once through PostgreSQL notifications, within the 1 s poll on
 * SQLite); worker 1 also runs the background work. A worker that dies is replaced; one that fails
 * before it listens stops the server. SIGTERM or SIGINT stops every worker (each finishes its
 * requests and closes its store), then the primary. /metrics on any worker gives the sum over all.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { CLUSTER_METRICS } from '../../api/metrics.js';
import type { Config } from '../../config/config.js';
import { openNode, type AllianceNode } from '../../node/node.js';

/** What the primary prepared for the banner. */
export interface Prepared {
  demoCheckToken?: string;
}

/** This worker's number, 1…N (set by the primary). */
export function workerId(): number {
  return Number(process.env.ALLIANCE_WORKER_ID) || 1;
}

/** A line of the server's banner or of its life (stderr: stdout stays free for data). */
export const say = (line: string) => process.stderr.write(`${line}\n`);

export async function runWorkers(
  config: Readonly<Config>,
  prepare: (node: AllianceNode) => Promise<Prepared>,
  listening: (address: string, prepared: Prepared) => void,
): Promise<void> {
  const node = await openNode(config);
  let prepared: Prepared;
  const where = `${node.store.dialect} at ${node.store.location}`;
  try {
    prepared = await prepare(node);
  } finally {
    await node.close();
  }
  say(`Alliance node (${config.role}) on ${where}, ${config.workers} worker processes`);

  const metrics = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== CLUSTER_METRICS) return;
    metrics.clusterMetrics().then(
      (text) => worker.send({ type: CLUSTER_METRICS, id: message.id, text }),
      (err: unknown) => worker.send({ type: CLUSTER_METRICS, id: message.id, error: String(err) }),
    );
  });

  const running = new Map<number, ReturnType<typeof cluster.fork>>();
  const listened = new Set<number>();
  let stopping = false;
  let exitCode = 0;
  const stopAll = (code: number) => {
    exitCode = Math.max(exitCode, code);
    stopping = true;
    if (running.size === 0) process.exit(exitCode);
    for (const w of running.values()) w.process.kill('SIGTERM');
  };
  const fork = (id: number) => {
    const w = cluster.fork({ ALLIANCE_WORKER_ID: String(id) });
    running.set(id, w);
    let served = false;
    w.on('listening', (address) => {
      served = true;
      if (listened.has(id)) return; // a replacement
      listened.add(id);
      const host = address.address?.includes(':') ? `[${address.address}]` : (address.address ?? config.host);
      if (listened.size === config.workers) listening(`http://${host}:${address.port}`, prepared);
    });
    w.on('exit', (code, signal) => {
      running.delete(id);
      if (stopping) {
        if (running.size === 0) process.exit(exitCode);
        return;
      }
      if (!served) {
        say(`Worker ${id} stopped (${signal ?? `exit code ${code}`}) before it could serve: stopping the server`);
        return stopAll(code || 1);
      }
      say(`Worker ${id} stopped (${signal ?? `exit code ${code}`}): starting another`);
      fork(id);
    });
  };
  for (let id = 1; id <= config.workers; id++) fork(id);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping ${running.size} workers (worker 1 writes the index snapshots)…`);
      stopAll(0);
    });
  }
}
