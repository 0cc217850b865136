/**
 * Retroactive matching: follows the index change log from its own position and, for every
 * signal a bank gains, finds the submissions received before it that it matches (exact types by
 * the hash of the value, PDQ within the distance 31 through an index of the submissions' PDQ
 * hashes), then lets SubmissionService re-match each (idempotent). The position is kept in the
 * database, so a restart resumes; several processes may run it (compare-and-set on the position).
 */
import { HammingIndex } from '../index/hamming-index.js';
import { PDQ_MATCH_THRESHOLD } from '../signals/pdq/pdq.js';
import { getSignalType, SIGNAL_TYPES } from '../signals/registry.js';
import { changesSince, lastChangeSeq } from '../store/content-repo.js';
import type { Store } from '../store/database.js';
import { compareAndSetMeta, getMeta } from '../store/meta-repo.js';
import { submissionSignalsAfter, submissionsWithValue } from '../store/submissions-repo.js';
import { valueKey, type SubmissionService } from './submission-service.js';

const POSITION = 'retro_match_seq';

export class RetroMatcher {
  private pdq = new HammingIndex();
  private loadedUpTo = 0;
  private received = new Map<number, number>();
  private running: Promise<number> | undefined;
  /** The last submission that could not be re-matched, and why (shown in logs by serve). */
  lastError: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly submissions: SubmissionService,
  ) {}

  /** Adds the PDQ hashes of submissions made since the last call to the in-memory index. */
  private async refresh(): Promise<void> {
    for (;;) {
      const rows = await submissionSignalsAfter(this.store.db, 'pdq', this.loadedUpTo, 10_000);
      for (const r of rows) {
        this.pdq.add(r.submission_id, r.value);
        this.received.set(r.submission_id, Number(r.received_at));
        this.loadedUpTo = r.submission_id;
      }
      if (rows.length < 10_000) return;
    }
  }

  /** Works the changes logged since the last call; returns how many submissions were re-matched. */
  tick(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<number> {
    let position = await getMeta(this.store.db, POSITION);
    if (position === undefined) {
      // First run: signals added before submissions were kept have nothing to match.
      const head = String(await lastChangeSeq(this.store.db));
      await compareAndSetMeta(this.store.db, POSITION, undefined, head);
      return 0;
    }
    let rematched = 0;
    for (;;) {
      const all = await changesSince(this.store.db, Number(position), 1000);
      if (all.length === 0) return rematched;
      const changes = all.filter((c) => c.op === 'add');
      const candidates = new Set<number>();
      if (changes.some((c) => c.signal_type === 'pdq')) await this.refresh();
      for (const c of changes) {
        if (c.value === null || !SIGNAL_TYPES.has(c.signal_type)) continue;
        if (c.signal_type === 'pdq') {
          for (const m of this.pdq.query(c.value, PDQ_MATCH_THRESHOLD)) if ((this.received.get(m.id) ?? Infinity) < c.at) candidates.add(m.id);
        } else if (getSignalType(c.signal_type).comparison === 'exact') {
          const rows = await submissionsWithValue(this.store.db, c.signal_type, valueKey(c.value), c.at);
          for (const r of rows) candidates.add(r.submission_id);
        } // vPDQ: not yet (needs a frame index of submissions)
      }
      for (const id of [...candidates].sort((a, b) => a - b)) {
        // One submission that cannot be re-matched (deleted meanwhile, say) must not stop the others.
        try {
          if (await this.submissions.retroMatch(id)) rematched++;
        } catch (err) {
          this.lastError = `submission ${id}: ${(err as Error).message}`;
        }
      }
      const next = String(all[all.length - 1].seq);
      if (!(await compareAndSetMeta(this.store.db, POSITION, position, next))) return rematched; // another process moved on
      position = next;
    }
  }
}
