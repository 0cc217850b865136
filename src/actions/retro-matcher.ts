/**
 * Retroactive matching: follows the index change log from its own position and, for every
 * signal a bank gains, finds the submissions received before it that it matches, as the signal
 * type says (`SignalType.retroMatch`): 'value' types by the hash of the value (a database
 * lookup), 'index' types (PDQ, vPDQ) through an in-memory index of the submissions' values of
 * that type, queried at the type's default threshold. Then SubmissionService re-matches each
 * (idempotent). The position is kept in the database, so a restart resumes; several processes
 * may run it (compare-and-set on the position).
 */
import type { BackgroundTask } from '../jobs/background.js';
import type { SignalIndex } from '../index/index.js';
import { SIGNAL_TYPES, type SignalType } from '../signals/index.js';
import { changesSince, compareAndSetMeta, getMeta, lastChangeSeq, type Store, submissionSignalsAfter, submissionsWithValue } from '../store/index.js';
import { valueKey, type SubmissionService } from './submission-service.js';

const POSITION = 'retro_match_seq';

/** The submissions' values of one 'index' type, loaded up to a submission id. */
interface SubmissionIndex {
  index: SignalIndex;
  loadedUpTo: number;
}

export class RetroMatcher {
  private readonly indexes = new Map<string, SubmissionIndex>();
  private received = new Map<number, number>();
  private running: Promise<number> | undefined;
  /** The last submission that could not be re-matched, and why (shown in logs by serve). */
  lastError: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly submissions: SubmissionService,
  ) {}

  /** Adds the values of `type` in submissions made since the last call to its in-memory index. */
  private async refresh(type: SignalType): Promise<SignalIndex> {
    let entry = this.indexes.get(type.name);
    if (!entry) this.indexes.set(type.name, (entry = { index: type.createIndex(), loadedUpTo: 0 }));
    for (;;) {
      const rows = await submissionSignalsAfter(this.store.db, type.name, entry.loadedUpTo, 10_000);
      for (const r of rows) {
        try {
          entry.index.add(r.submission_id, r.value);
        } catch {
          // A value the index cannot take cannot match either.
        }
        this.received.set(r.submission_id, Number(r.received_at));
        entry.loadedUpTo = r.submission_id;
      }
      if (rows.length < 10_000) return entry.index;
    }
  }

  /** Following the index change log, on the actions tick. */
  backgroundTasks(tickMs: number): BackgroundTask[] {
    return [{ name: 'retroactive matching', intervalMs: tickMs, run: () => this.tick() }];
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
      // Each 'index' type the changes hold gains the submissions made since: once per batch.
      const indexes = new Map<string, SignalIndex>();
      for (const c of changes) {
        const type = SIGNAL_TYPES.get(c.signal_type);
        if (type?.retroMatch === 'index' && !indexes.has(type.name)) indexes.set(type.name, await this.refresh(type));
      }
      for (const c of changes) {
        const type = c.value === null ? undefined : SIGNAL_TYPES.get(c.signal_type);
        if (!type || c.value === null) continue;
        if (type.retroMatch === 'index') {
          const index = indexes.get(type.name)!;
          let found;
          try {
            found = index.query(c.value, type.defaultThreshold);
          } catch {
            continue; // a value its own type's index cannot read matches nothing
          }
          for (const m of found) if ((this.received.get(m.id) ?? Infinity) < c.at) candidates.add(m.id);
        } else {
          const rows = await submissionsWithValue(this.store.db, c.signal_type, valueKey(c.value), c.at);
          for (const r of rows) candidates.add(r.submission_id);
        }
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
