/**
 * Background tasks: work a serving node repeats on a timer (syncs, deliveries, sweeps, snapshots).
 * Services that have such work expose it (`backgroundTasks()`), the node collects them for its
 * configuration (AllianceNode.backgroundTasks) and `alliance serve` runs them — no list by hand.
 */

/** Where a task reports what went wrong (the server's logger). */
export interface TaskLog {
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface BackgroundTask {
  /** What the log calls it: "<name> failed". */
  readonly name: string;
  readonly intervalMs: number;
  /**
   * Every serving process runs it (keeping its own index current); otherwise only the one
   * process that does the node's background work (worker 1 under --workers).
   */
  readonly everyProcess?: boolean;
  /** One round; what it throws is logged, the timer goes on. */
  run(log: TaskLog): Promise<unknown>;
}

/** Starts each task on its interval; returns the function that stops them all. */
export function runBackgroundTasks(tasks: readonly BackgroundTask[], log: TaskLog): () => void {
  const timers = tasks.map((task) => setInterval(() => void task.run(log).catch((err: unknown) => log.error({ err }, `${task.name} failed`)), task.intervalMs));
  return () => {
    for (const t of timers) clearInterval(t);
  };
}

/** A task's run at most once per `minMs`, however often its timer fires (the first fire runs). */
export function atMostEvery(minMs: number, run: () => Promise<unknown>): () => Promise<unknown> {
  let ranAt = 0;
  return async () => {
    if (Date.now() - ranAt < minMs) return;
    ranAt = Date.now();
    return run();
  };
}
