/**
 * Applying received deltas (from a peer's feed, a bundle or an exchange file) to a bank, inside the caller's transaction:
 * new items in multi-row inserts, changed items updated (their signals replaced when they
 * changed), deleted items removed — each keeping its provenance, and each change logged both for
 * the index and for this node's own feed (so the bank can be passed on).
 */
import { parseClassification } from '../banks/classification.js';
import { DISABLED_FOREVER, SIGNALS_CHANNEL } from '../banks/bank-service.js';
import { getSignalType } from '../signals/index.js';
import {
  bulkInsertContents,
  contentIdsByUid,
  deleteContent,
  deleteSignal,
  type DialectName,
  insertSignals,
  logFeed,
  type NewSignal,
  notify,
  type Signal,
  signalsOfContent,
  type Store,
  type Tx,
  updateContent,
} from '../store/index.js';
import type { Entry, UpsertEntry } from './page.js';

export interface ApplyResult {
  added: number;
  updated: number;
  deleted: number;
}

function signalsOf(e: UpsertEntry): NewSignal[] {
  return e.signals.map((s) => {
    const type = getSignalType(s.type);
    return { signal_type: type.name, value: type.normalize(s.value), quality: s.quality ?? null };
  });
}

/** The classification column's text of an entry's classification, each distinct label parsed once per page. */
function classificationColumn(cache: Map<string, string>, label: string | null): string | null {
  if (!label) return null;
  let text = cache.get(label);
  if (text === undefined) {
    text = JSON.stringify(parseClassification(label));
    cache.set(label, text);
  }
  return text;
}

export async function applyDeltas(tx: Tx, dialect: DialectName, bankId: number, peerId: number | null, deltas: Entry[]): Promise<ApplyResult> {
  // The last delta of an item wins (a page may carry an item twice).
  const last = new Map<string, Entry>();
  for (const e of deltas) last.set(e.uid, e);
  const existing = await contentIdsByUid(tx, bankId, [...last.keys()]);
  const classifications = new Map<string, string>();
  // The current signals of every item to update, read in a few statements rather than one per item.
  const updateIds: number[] = [];
  for (const e of last.values()) {
    const id = existing.get(e.uid);
    if (e.op === 'upsert' && id !== undefined) updateIds.push(id);
  }
  const currentOf = new Map<number, Signal[]>();
  for (let i = 0; i < updateIds.length; i += 500)
    for (const s of await signalsOfContent(tx, updateIds.slice(i, i + 500))) {
      const list = currentOf.get(s.content_id);
      if (list) list.push(s);
      else currentOf.set(s.content_id, [s]);
    }
  const result: ApplyResult = { added: 0, updated: 0, deleted: 0 };
  const fresh: UpsertEntry[] = [];
  const touched: number[] = [];
  const removed = new Map<number, string>();
  for (const e of last.values()) {
    const id = existing.get(e.uid);
    if (e.op === 'delete') {
      if (id === undefined) continue;
      await deleteContent(tx, id);
      removed.set(id, e.uid);
      result.deleted++;
    } else if (id === undefined) fresh.push(e);
    else {
      await updateContent(tx, id, {
        classification: classificationColumn(classifications, e.classification),
        tags: JSON.stringify(e.tags),
        disabled_until: e.disabled ? DISABLED_FOREVER : null,
        first_seen: Date.parse(e.first_seen),
        chain: JSON.stringify(e.chain),
        ...(e.note !== undefined ? { note: e.note } : {}),
        ...(e.metadata !== undefined ? { metadata: e.metadata ? JSON.stringify(e.metadata) : null } : {}),
      });
      const wanted = signalsOf(e);
      const current = currentOf.get(id) ?? [];
      const same = current.length === wanted.length && current.every((s, i) => s.signal_type === wanted[i].signal_type && s.value === wanted[i].value);
      if (!same) {
        // Replace the signals: deleting them logs their removal from the index.
        for (const s of current) await deleteSignal(tx, s.id);
        await insertSignals(tx, id, bankId, wanted);
      }
      touched.push(id);
      result.updated++;
    }
  }
  if (fresh.length) {
    const ids = await bulkInsertContents(
      tx,
      dialect,
      bankId,
      fresh.map((e) => ({
        content: {
          classification: classificationColumn(classifications, e.classification),
          tags: e.tags,
          note: e.note ?? null,
          metadata: e.metadata ?? null,
          source_member: e.origin.member,
          disabled_until: e.disabled ? DISABLED_FOREVER : null,
          first_seen: Date.parse(e.first_seen),
          uid: e.uid,
          origin_member: e.origin.member,
          origin_bank: e.origin.bank,
          chain: e.chain,
          received_from: peerId,
        },
        signals: signalsOf(e),
      })),
    );
    touched.push(...ids);
    result.added += ids.length;
  }
  await logFeed(tx, bankId, touched, 'upsert');
  await logFeed(tx, bankId, [...removed.keys()], 'delete', removed);
  return result;
}

/**
 * Applies one fetched page (federation feed, bundle, external exchange) in one transaction with
 * the move of its source's checkpoint (`advance`, a compare-and-set that throws when another fetch
 * moved it): a crash or a refused move keeps nothing of the page, so nothing is lost or applied twice.
 */
export function applyPage(
  store: Store,
  target: { bankId: number; receivedFrom: number | null },
  deltas: Entry[],
  advance: (tx: Tx) => Promise<void>,
): Promise<ApplyResult> {
  return store.db.transaction().execute(async (tx) => {
    const r = await applyDeltas(tx, store.dialect, target.bankId, target.receivedFrom, deltas);
    await advance(tx);
    await notify(tx, store.dialect, SIGNALS_CHANNEL, '');
    return r;
  });
}
