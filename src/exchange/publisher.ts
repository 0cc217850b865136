/**
 * The publisher's side of a feed: renders the page a subscriber asked for — only what its
 * sharing agreement entitles it to. An item that is not (or no longer) allowed for this
 * subscriber is sent as a delete, so a reclassified item disappears from subscribers that may not
 * hold it; a delete reveals nothing but an opaque id.
 */
import { AllianceError } from '../errors/catalogue.js';
import { classificationLabel, type Classification } from '../banks/classification.js';
import { type Bank, contentsWithSignals, feedRows, findPublication, latestFeedSeq, parseJson, type Store } from '../store/index.js';
import { allowedStatuses, type Agreement, type Recipient } from './agreements.js';
import { PAGE_FORMAT, PAGE_VERSION, type Entry, type Page } from './page.js';

export const MAX_PAGE = 5000;

export interface Publisher {
  name: string;
  country: string | null;
}

/** The agreement of a published bank, or NOT_PUBLISHED (also when `who` is not a recipient). */
export async function agreementFor(store: Store, bank: Bank, who: Recipient, self: Publisher): Promise<Agreement> {
  const pub = await findPublication(store.db, bank.id);
  const agreement = pub ? parseJson<Agreement | null>(pub.agreement, null) : null;
  if (!agreement || allowedStatuses(agreement, who, self.country).length === 0)
    throw new AllianceError('NOT_PUBLISHED', `bank ${bank.name} is not published to ${who.name}`);
  return agreement;
}

export async function renderPage(store: Store, self: Publisher, bank: Bank, who: Recipient, since: number, limit = MAX_PAGE): Promise<Page> {
  const agreement = await agreementFor(store, bank, who, self);
  const allowed = new Set(allowedStatuses(agreement, who, self.country));
  const rows = await feedRows(store.db, bank.id, since, Math.min(limit, MAX_PAGE));
  const latest = await latestFeedSeq(store.db, bank.id);
  // Only the last entry of a content within a page matters: it carries the content's current state.
  const lastOf = new Map<number, number>();
  rows.forEach((r, i) => lastOf.set(r.content_id, i));
  const contents = await contentsWithSignals(store.db, bank.id, [...lastOf.keys()]);
  const now = Date.now();
  const entries: Entry[] = [];
  rows.forEach((r, i) => {
    if (lastOf.get(r.content_id) !== i) return;
    const found = contents.get(r.content_id);
    const uid = found?.content.uid ?? r.uid ?? `${self.name}/${r.content_id}`;
    const classification = found ? parseJson<Classification | null>(found.content.classification, null) : null;
    if (!found || r.op === 'delete' || !allowed.has(classification?.legal ?? 'unknown')) {
      entries.push({ seq: r.seq, op: 'delete', uid });
      return;
    }
    const { content: c, signals } = found;
    entries.push({
      seq: r.seq,
      op: 'upsert',
      uid,
      signals: signals.map((s) => ({ type: s.signal_type, value: s.value, quality: s.quality })),
      classification: classification ? classificationLabel(classification) : null,
      tags: parseJson<string[]>(c.tags, []),
      first_seen: new Date(c.first_seen).toISOString(),
      disabled: c.disabled_until !== null && c.disabled_until > now,
      origin: { member: c.origin_member ?? self.name, bank: c.origin_bank ?? bank.name },
      chain: [...parseJson<string[]>(c.chain, []), self.name],
    });
  });
  const to = rows.length ? rows[rows.length - 1].seq : since;
  return {
    format: PAGE_FORMAT,
    version: PAGE_VERSION,
    publisher: self.name,
    subscriber: who.name,
    bank: bank.name,
    since,
    to,
    latest: Math.max(latest, to),
    more: rows.length === Math.min(limit, MAX_PAGE) && to < latest,
    generated_at: new Date(now).toISOString(),
    entries,
  };
}
