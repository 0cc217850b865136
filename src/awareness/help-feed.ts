/**
 * The help directory over the federation: each node publishes a signed feed of its own curated
 * entries (placeholders never; removals as "removed") and pulls its peers' feeds from a stored
 * position. The secretariat can so publish an alliance-wide directory; a member node shows a
 * received entry beside its own, as its publisher wrote it, and changes it only by the next page.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { Envelope } from '../exchange/envelope.js';
import type { FederationService } from '../exchange/federation-service.js';
import { pullFeed, sealFeedPage } from '../exchange/member-feed.js';
import { isCountryCode } from '../geo/countries.js';
import type { Store } from '../store/database.js';
import { findPeer, listPeers } from '../store/federation-repo.js';
import { feedCheckpoint, setFeedCheckpoint } from '../store/feed-checkpoints.js';
import { now, parseJson, type Executor } from '../store/util.js';
import { CHANNEL_TYPES, HELP_KINDS, INTERNATIONAL, type HelpDirectory } from './help-directory.js';
import { canonicalLanguage } from './language.js';

export const HELP_FEED_FORMAT = 'alliance-help-directory';
const PAGE = 500;

interface HelpFeedEntry {
  seq: number;
  uid: string;
  country: string;
  kind: string;
  name: string;
  languages: string[];
  hours: string | null;
  channels: Array<{ type: string; value: string }>;
  status: 'curated' | 'removed';
}

const str = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

/** Throws FEED_INVALID unless the entry is the peer's own and well formed (the same rules as a curator's entry). */
function checkEntry(peer: string, e: HelpFeedEntry): void {
  const bad = (why: string) => new AllianceError('FEED_INVALID', `help directory feed of ${peer}: ${why}`);
  if (!str(e.uid, 200) || !e.uid.startsWith(`${peer}/help/`)) throw bad(`an entry uid must be "${peer}/help/<id>"`);
  if (e.status !== 'curated' && e.status !== 'removed') throw bad(`entry ${e.uid}: status malformed`);
  if (!(isCountryCode(String(e.country)) || e.country === INTERNATIONAL) || !(HELP_KINDS as readonly string[]).includes(e.kind) || !str(e.name, 200)) throw bad(`entry ${e.uid}: country, kind or name malformed`);
  if (!Array.isArray(e.languages) || e.languages.length > 20 || e.languages.some((l) => canonicalLanguage(l) !== l)) throw bad(`entry ${e.uid}: languages malformed`);
  if (e.hours !== null && !(typeof e.hours === 'string' && e.hours.length <= 200)) throw bad(`entry ${e.uid}: hours malformed`);
  if (!Array.isArray(e.channels) || e.channels.length > 10) throw bad(`entry ${e.uid}: channels malformed`);
  for (const c of e.channels) {
    if (!(CHANNEL_TYPES as readonly string[]).includes(c?.type) || !str(c.value, 300)) throw bad(`entry ${e.uid}: a channel is malformed`);
    if ((c.type === 'web' || c.type === 'chat') && !/^https?:\/\/\S+$/.test(c.value)) throw bad(`entry ${e.uid}: a ${c.type} channel is an http(s) address`);
  }
}

export class HelpFeed {
  constructor(
    private readonly store: Store,
    private readonly federation: FederationService,
    private readonly directory: HelpDirectory,
  ) {}

  /** A signed page of this node's entries changed after `since`, for the registered peer `peerName`. */
  async page(peerName: string, since: number): Promise<Envelope> {
    if (!Number.isSafeInteger(since) || since < 0) throw new AllianceError('VALIDATION', 'since is a position ≥ 0');
    const changed = await this.store.db
      .selectFrom('help_log')
      .select(['entry_id', (eb) => eb.fn.max('seq').as('seq')])
      .where('seq', '>', since)
      .groupBy('entry_id')
      .orderBy('seq')
      .limit(PAGE + 1)
      .execute();
    const more = changed.length > PAGE;
    const ids = changed.slice(0, PAGE);
    const rows = ids.length ? await this.store.db.selectFrom('help_entries').selectAll().where('id', 'in', ids.map((r) => r.entry_id)).execute() : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const entries: HelpFeedEntry[] = [];
    for (const { entry_id, seq } of ids) {
      const r = byId.get(entry_id);
      // Only this node's own entries are logged, once curated (placeholders never are).
      if (!r || r.received_from !== null || r.status === 'placeholder') continue;
      entries.push({
        seq: Number(seq),
        uid: r.uid,
        country: r.country,
        kind: r.kind,
        name: r.name,
        languages: parseJson<string[]>(r.languages, []),
        hours: r.hours,
        channels: parseJson<Array<{ type: string; value: string }>>(r.channels, []),
        status: r.status === 'removed' ? 'removed' : 'curated',
      });
    }
    return sealFeedPage(this.federation, HELP_FEED_FORMAT, peerName, since, entries, more);
  }

  /** Pulls a peer's help directory feed to its end; each page is verified and applied with its position. */
  async pull(peerName: string): Promise<{ peer: string; entries: number; error?: string }> {
    const peer = await findPeer(this.store.db, peerName);
    if (!peer) throw new AllianceError('PEER_NOT_FOUND', `no peer "${peerName}"`);
    try {
      const entries = await pullFeed<HelpFeedEntry>({
        federation: this.federation,
        peer,
        path: '/federation/v1/help-directory',
        format: HELP_FEED_FORMAT,
        checkpoint: () => feedCheckpoint(this.store.db, HELP_FEED_FORMAT, peer.id),
        check: (e) => checkEntry(peer.name, e),
        apply: (list, to) =>
          this.store.db.transaction().execute(async (tx) => {
            for (const e of list) await this.apply(tx, peer.id, e);
            await setFeedCheckpoint(tx, HELP_FEED_FORMAT, peer.id, to, null);
          }),
      });
      this.directory.clearCache();
      return { peer: peer.name, entries };
    } catch (err) {
      const message = (err as Error).message;
      await setFeedCheckpoint(this.store.db, HELP_FEED_FORMAT, peer.id, null, message.slice(0, 1000));
      return { peer: peer.name, entries: 0, error: message };
    }
  }

  private async apply(tx: Executor, peerId: number, e: HelpFeedEntry): Promise<void> {
    const t = now();
    const fields = { country: e.country, kind: e.kind, name: e.name.trim(), languages: JSON.stringify(e.languages), hours: e.hours, channels: JSON.stringify(e.channels), status: e.status, updated_at: t };
    const existing = await tx.selectFrom('help_entries').select(['id', 'received_from']).where('uid', '=', e.uid).executeTakeFirst();
    if (existing) {
      if (existing.received_from !== peerId) return; // this node's own, or got from its publisher by another path
      await tx.updateTable('help_entries').set(fields).where('id', '=', existing.id).execute();
    } else if (e.status === 'curated') {
      await tx.insertInto('help_entries').values({ ...fields, uid: e.uid, received_from: peerId, created_at: t }).execute();
    }
  }

  /** Pulls every peer's help directory feed; one unreachable peer does not stop the others. */
  async syncAll(): Promise<Array<{ peer: string; entries: number; error?: string }>> {
    const out = [];
    for (const p of await listPeers(this.store.db)) out.push(await this.pull(p.name));
    return out;
  }
}
