/**
 * The audit log service. Writes are recorded inside their own transaction (the change and its
 * audit entry commit together). Lookups — thousands a second — are buffered and appended in one
 * transaction every 100 ms (or 500 entries), so auditing every lookup costs one fsync per batch
 * rather than one per request; `flush()` runs on shutdown.
 *
 * Tamper evidence has two anchors outside the database: the chain is keyed with the node's audit
 * key (an edited entry is named even if every later hash was recomputed), and signed checkpoints
 * of its head are appended to a file and may be sent to witness peers (a truncated or rewritten
 * chain no longer has a signed hash). See docs/architecture.md, "Audit log".
 */
import type { Principal } from '../members/principal.js';
import type { Envelope, NodeIdentity } from '../exchange/index.js';
import {
  appendAudit,
  type AuditEntry,
  auditHead,
  type AuditQuery,
  type ChainKeySource,
  type ChainReport,
  compareAndSetMeta,
  deferToGroupEnd,
  getMeta,
  type GroupDeferral,
  listAudit,
  type NewAuditEntry,
  type Store,
  type Tx,
  verifyAudit,
} from '../store/index.js';
import { AuditKey, AUDIT_KEY_META, keyId } from './audit-key.js';
import { AllianceError } from '../errors/catalogue.js';
import { checkCheckpointLines, CheckpointFile, makeCheckpoint, openCheckpoint, type Checkpoint } from './checkpoints.js';

const FLUSH_MS = 100;
const FLUSH_ENTRIES = 500;

export interface AuditAnchors {
  /** The data directory: the audit key and the checkpoint file live there. */
  dataDir: string;
  /** Signs checkpoints. */
  identity: NodeIdentity;
  /** This node's member name (named in its checkpoints). */
  member: string;
}

export class AuditLog {
  private buffer: NewAuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly key: AuditKey | undefined;
  private readonly keySource: ChainKeySource | undefined;
  private readonly checkpointFile: CheckpointFile | undefined;
  /** The entries of a group commit's writes, appended to the chain together at the group's end. */
  private readonly grouped: GroupDeferral<NewAuditEntry> = {
    flush: (tx, entries, carried) => appendAudit(tx, this.store.dialect, entries, this.keySource, carried),
    last: true,
    acceptsCarried: true, // the group's submissions go in with the head's read (PostgreSQL)
  };
  /** The last error of a buffered append (retried), for the health endpoint. */
  lastError: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly anchors?: AuditAnchors,
  ) {
    if (anchors) {
      const key = new AuditKey(anchors.dataDir);
      this.key = key;
      this.keySource = (lastId) => key.forAppend(lastId);
      this.checkpointFile = new CheckpointFile(anchors.dataDir);
    }
  }

  private entry(actor: Principal, action: string, target: string | null, detail: Record<string, unknown>, resultCount: number | null): NewAuditEntry {
    return { at: Date.now(), member_id: actor.memberId, token_id: actor.tokenId, actor: actor.actor, action, target, detail, result_count: resultCount };
  }

  /**
   * Records a write, inside the write's transaction. In a group commit (store.grouped) the entry
   * is appended with the group's others just before the group commits: one read and one update
   * of the chain head for the group; it is dropped if its write fails.
   */
  async record(
    tx: Tx,
    actor: Principal,
    action: string,
    target: string | null,
    detail: Record<string, unknown>,
    resultCount: number | null = null,
  ): Promise<void> {
    const entry = this.entry(actor, action, target, detail, resultCount);
    if (!deferToGroupEnd(tx, this.grouped, entry)) await appendAudit(tx, this.store.dialect, [entry], this.keySource);
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
      await this.store.relaxedDurability((db) => db.transaction().execute((tx) => appendAudit(tx, this.store.dialect, batch, this.keySource)));
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

  /** The checkpoints in the file, checked with this node's key (oldest first). */
  checkpoints(): Checkpoint[] {
    if (!this.anchors || !this.checkpointFile) return [];
    return checkCheckpointLines(this.checkpointFile.read(), this.anchors.identity.publicKey);
  }

  /**
   * Signs the chain head and appends it to the checkpoint file, unless the latest checkpoint names
   * the same head already. Returns the envelope written (or the latest one), undefined with no entry.
   */
  async checkpoint(): Promise<{ envelope: Envelope; checkpoint: Checkpoint; written: boolean } | undefined> {
    if (!this.anchors || !this.checkpointFile) return undefined;
    await this.flush();
    const head = await auditHead(this.store.db);
    if (!head) return undefined;
    const lines = this.checkpointFile.read();
    const last = lines.at(-1);
    if (last) {
      const c = openCheckpoint(last.envelope, this.anchors.identity.publicKey);
      if (c.entry === head.last_id && c.hash === head.last_hash) return { envelope: last.envelope, checkpoint: c, written: false };
    }
    const envelope = makeCheckpoint(this.anchors.identity, this.anchors.member, head);
    this.checkpointFile.append(envelope);
    return { envelope, checkpoint: openCheckpoint(envelope, this.anchors.identity.publicKey), written: true };
  }

  /**
   * Checks the audit key against the database (at start): a database whose chain is keyed with a
   * key this data directory does not hold would be extended with entries no one can verify, so
   * the node refuses to start. Creates the key on a node that has none (keyed from the next entry).
   */
  async prepare(): Promise<void> {
    if (!this.key) return;
    const recorded = await getMeta(this.store.db, AUDIT_KEY_META);
    const local = recorded ? this.key.read() : this.key.forAppend((await auditHead(this.store.db))?.last_id ?? 0);
    const id = local ? keyId(local) : undefined;
    if (recorded && recorded !== id) {
      throw new AllianceError(
        'INTERNAL',
        `the audit chain of this database is keyed with audit key ${recorded}, but this data directory ${local ? `holds ${id}` : 'has no audit.key'}: copy audit.key (and the other key files) from the data directory of the node that created the database`,
      );
    }
    if (!recorded && !(await compareAndSetMeta(this.store.db, AUDIT_KEY_META, undefined, id!)) && (await getMeta(this.store.db, AUDIT_KEY_META)) !== id) {
      throw new AllianceError(
        'INTERNAL',
        'another process recorded another audit key for this database at the same time: give every process the same data directory key files',
      );
    }
  }

  /**
   * Verifies the whole chain — every hash (keyed ones with the audit key) and link, the head and
   * its seal — and then the chain against every signed checkpoint in the file and those the
   * witnesses kept: each must name an entry whose hash is the signed one. A witness's envelope
   * that is not a checkpoint signed by this node is reported with the witness, not as a broken chain.
   */
  async verify(
    witnessed: Array<{ witness: string; envelope: Envelope }> = [],
  ): Promise<ChainReport & { witness_errors: Array<{ witness: string; error: string }> }> {
    await this.flush();
    let checkpoints: Array<Checkpoint & { source: string }>;
    const witness_errors: Array<{ witness: string; error: string }> = [];
    try {
      checkpoints = this.checkpoints().map((c) => ({ ...c, source: 'the checkpoint file' }));
    } catch (err) {
      return { ok: false, entries: 0, problem: { id: 0, reason: (err as Error).message }, witness_errors };
    }
    for (const w of witnessed) {
      try {
        checkpoints.push({ ...openCheckpoint(w.envelope, this.anchors!.identity.publicKey), source: `witness ${w.witness}` });
      } catch (err) {
        witness_errors.push({ witness: w.witness, error: (err as Error).message });
      }
    }
    const wanted = new Map<number, string>();
    for (const c of checkpoints) wanted.set(c.entry, '');
    const report = await verifyAudit(this.store.db, this.key?.read(), (id, hash) => {
      if (wanted.has(id)) wanted.set(id, hash);
    });
    const latest = checkpoints.reduce<(Checkpoint & { source: string }) | undefined>((a, c) => (!a || c.entry > a.entry ? c : a), undefined);
    report.checkpoints = {
      checked: checkpoints.length,
      latest_entry: latest?.entry ?? null,
      latest_at: latest?.at ?? null,
      witnesses: witnessed.length - witness_errors.length,
    };
    if (!report.ok) return { ...report, witness_errors };
    // The first checkpoint (by entry) the chain no longer matches names where the rewriting reaches.
    for (const c of [...checkpoints].sort((a, b) => a.entry - b.entry)) {
      const hash = wanted.get(c.entry);
      if (!hash) {
        return {
          ...report,
          ok: false,
          problem: {
            id: c.entry,
            reason: `entry ${c.entry}, signed in ${c.source} at ${c.at}, is gone: the chain no longer reaches it (its last entries were deleted)`,
          },
          witness_errors,
        };
      }
      if (hash !== c.hash) {
        return {
          ...report,
          ok: false,
          problem: { id: c.entry, reason: `entry ${c.entry} no longer has the hash signed in ${c.source} at ${c.at}: the chain up to it was rewritten` },
          witness_errors,
        };
      }
    }
    return { ...report, witness_errors };
  }
}
