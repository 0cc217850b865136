/**
 * Counts messages served by the check API without a database write per request: counts gather in
 * memory per (day, context, country) and are added in one transaction every `flushMs`, and on
 * close. Only counts: the query text never reaches this module.
 */
import type { ReportingService } from '../reporting/reporting-service.js';
import { dayOf } from '../store/index.js';

export class MessageCounter {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly reporting: ReportingService,
    private readonly flushMs = 1_000,
  ) {}

  count(context: string, country: string | null): void {
    const key = `${dayOf(Date.now())}|${context}|${country ?? ''}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what has gathered; counts that fail to write are kept for the next flush. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      if (batch.size === 0) return;
      const rows = [...batch].map(([key, count]) => {
        const [day, context, country] = key.split('|');
        return { day, context, country: country || null, count };
      });
      try {
        await this.reporting.countMessages(rows);
      } catch (err) {
        for (const [key, n] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + n);
        if (!this.timer) {
          this.timer = setTimeout(() => void this.flush(), this.flushMs);
          this.timer.unref();
        }
        process.emitWarning(`message counts not written yet (kept for the next try): ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    return this.flushing;
  }
}
