/**
 * Small signed feeds between members' nodes (series status, deconfliction targets): pages of
 * entries with increasing positions, signed by the publisher, addressed to one subscriber, pulled
 * from a stored position. The same checks as a bank feed: signature under the peer's registered
 * key, format, publisher, addressee, position, order, and a page that says "more" must advance.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { PeerRow } from '../store/index.js';
import { open, seal, type Envelope } from './envelope.js';
import type { FederationService } from './federation-service.js';

export interface MemberFeedPage<E extends { seq: number }> {
  format: string;
  publisher: string;
  subscriber: string;
  since: number;
  to: number;
  more: boolean;
  entries: E[];
}

/** Signs one page of `entries` (already cut to the page size; `more` says whether others follow). */
export function sealFeedPage<E extends { seq: number }>(
  federation: FederationService,
  format: string,
  subscriber: string,
  since: number,
  entries: E[],
  more: boolean,
): Envelope {
  const page: MemberFeedPage<E> = { format, publisher: federation.self.name, subscriber, since, to: entries.at(-1)?.seq ?? since, more, entries };
  return seal(federation.identity, page);
}

export interface PullOptions<E extends { seq: number }> {
  federation: FederationService;
  peer: PeerRow;
  /** The feed's path on the peer; `?since=N` is added. */
  path: string;
  format: string;
  /** The position this node holds in the peer's feed. */
  checkpoint(): Promise<number>;
  /** Throws (FEED_INVALID) for an entry that is malformed or not the peer's to send. */
  check(entry: E): void;
  /** Applies a verified page and stores its end position, in one transaction. */
  apply(entries: E[], to: number): Promise<void>;
}

/** Pulls a peer's feed to its end; returns how many entries were applied. Throws FEED_INVALID (nothing of that page applied). */
export async function pullFeed<E extends { seq: number }>(o: PullOptions<E>): Promise<number> {
  const bad = (why: string) => new AllianceError('FEED_INVALID', `${o.format} feed of ${o.peer.name}: ${why}`);
  let applied = 0;
  for (;;) {
    const since = await o.checkpoint();
    const page = open(await o.federation.getFromPeer(o.peer.name, `${o.path}?since=${since}`), o.peer.public_key) as MemberFeedPage<E>;
    if (
      page?.format !== o.format ||
      page.publisher !== o.peer.name ||
      page.subscriber !== o.federation.self.name ||
      page.since !== since ||
      !Array.isArray(page.entries)
    ) {
      throw bad('not a page for this node at this position');
    }
    let last = since;
    for (const e of page.entries) {
      if (!Number.isSafeInteger(e?.seq) || e.seq <= last) throw bad('entries out of sequence');
      o.check(e);
      last = e.seq;
    }
    if (page.more && last === since) throw bad('a page that says more must advance');
    await o.apply(page.entries, last);
    applied += page.entries.length;
    if (!page.more) return applied;
  }
}
