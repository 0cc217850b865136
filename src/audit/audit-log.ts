/**
 * The audit log service. Writes are recorded inside their own transaction (the change and its
 * audit entry commit together). Lookups — thousands a second — are buffered and appended in one
 * transaction every 100 ms (or 500 entries), so auditing every lookup costs one fsync per batch
 * rather than one per request; `flush()` runs on shutdown.
 */
import type { Principal } from '../members/principal.js';
import { appendAudit, listAudit, verifyAudit, type AuditQuery, type ChainReport, type NewAuditEntry } from '../store/audit-repo.js';
import type { Store, Tx } from '../store/database.js';
import type { AuditEntry } from '../store/schema.js';

const FLUSH_MS = 100;
const FLUSH_ENTRIES = 500;

export class AuditLog {
  private buffer: NewAuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** The last error of a buffered append (retried), for the health endpoint. */
  lastError: string | undefined;

  constructor(private readonly store: Store) {}

  private entry(actor: Principal, action: string, target: string | null, detail: Record<string, unknown>, resultCount: number | null): NewAuditEntry {
    return { at: Date.now(), member_id: actor.memberId, token_id: actor.tokenId, actor: actor.actor, action, target, detail, result_count: resultCount };
  }

  /** Records a write, inside the write's transaction. */
  async record(tx: Tx, actor: Principal, action: string, target: string | null, detail: Record<string, unknown>, resultCount: number | null = null): Promise<void> {
    await appendAudit(tx, this.store.dialect, [this.entry(actor, action, target, detail, resultCount)]);
  }

  /** Records a read (lookup, hash) through the buffer. */
  recordRead(actor: Principal, action: string, target: string | null, detail: Record<string, unknown>, resultCount: number | null): void {
    this.buffer.push(this.entry(actor, action, target, detail, resultCount));
    if (this.buffer.length >= FLUSH_ENTRIES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Appends the buffered entries (serialised: batches never interleave). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    const run = this.flushing.then(async () => {
      if (batch.length === 0) return;
      await this.store.relaxedDurability((db) => db.transaction().execute((tx) => appendAudit(tx, this.store.dialect, batch)));
    });
    // A failed batch goes back to the buffer for the next flush; the chain itself never stays rejected.
    this.flushing = run.catch((err: unknown) => {
      this.lastError = String(err);
      this.buffer.unshift(...batch);
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS * 10);
    });
    return run;
  }

  list(q: AuditQuery): Promise<AuditEntry[]> {
    return listAudit(this.store.db, q);
  }

  async verify(): Promise<ChainReport> {
    await this.flush();
    return verifyAudit(this.store.db);
  }
}
