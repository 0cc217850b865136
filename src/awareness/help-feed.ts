/**
 * The help directory over the federation: each node publishes a signed feed of its own curated
 * entries (placeholders never; removals as "removed") and pulls its peers' feeds from a stored
 * position. The secretariat can so publish an alliance-wide directory; a member node shows a
 * received entry beside its own, as its publisher wrote it, and changes it only by the next page.
 */
import type { BackgroundTask } from '../jobs/background.js';
import { AllianceError } from '../errors/catalogue.js';
import { type Envelope, type FederationService, pullFeed, sealFeedPage } from '../exchange/index.js';
import {
  curatedCountFrom,
  type Executor,
  feedCheckpoint,
  findPeer,
  helpChangesSince,
  helpEntriesByIds,
  helpEntryByUid,
  insertReceivedHelpEntry,
  listPeers,
  now,
  type PeerRow,
  setFeedCheckpoint,
  setHelpEntry,
  type Store,
  unknownPeer,
} from '../store/index.js';
import { helpEntryFields, helpEntryView, type HelpDirectory } from './help-directory.js';

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

/** Entries a node keeps from one peer: more is a peer flooding the directory. */
export const MAX_RECEIVED_PER_PEER = 2_000;

const bad = (peer: string, why: string) => new AllianceError('FEED_INVALID', `help directory feed of ${peer}: ${why}`);

/** The entry's fields as a curator's entry is checked (FEED_INVALID otherwise), normalised: nothing else a peer sent is kept. */
function checkedFields(peer: string, e: HelpFeedEntry) {
  if (typeof e.uid !== 'string' || e.uid.length > 200 || !e.uid.startsWith(`${peer}/help/`)) throw bad(peer, `an entry uid must be "${peer}/help/<id>"`);
  if (e.status !== 'curated' && e.status !== 'removed') throw bad(peer, `entry ${e.uid}: status malformed`);
  try {
    return helpEntryFields({ country: e.country, kind: e.kind, name: e.name, languages: e.languages, hours: e.hours, channels: e.channels }, true);
  } catch (err) {
    throw bad(peer, `entry ${e.uid}: ${(err as Error).message}`);
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
    const changed = await helpChangesSince(this.store.db, since, PAGE + 1);
    const more = changed.length > PAGE;
    const ids = changed.slice(0, PAGE);
    const rows = await helpEntriesByIds(
      this.store.db,
      ids.map((r) => r.entry_id),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const entries: HelpFeedEntry[] = [];
    for (const { entry_id, seq } of ids) {
      const r = byId.get(entry_id);
      // Only this node's own entries are logged, once curated (placeholders never are).
      if (!r || r.received_from !== null || r.status === 'placeholder') continue;
      const { uid, country, kind, name, languages, hours, channels } = helpEntryView(r);
      entries.push({ seq: Number(seq), uid, country, kind, name, languages, hours, channels, status: r.status === 'removed' ? 'removed' : 'curated' });
    }
    return sealFeedPage(this.federation, HELP_FEED_FORMAT, peerName, since, entries, more);
  }

  /** Pulls a peer's help directory feed to its end; each page is verified and applied with its position. */
  async pull(peerName: string): Promise<{ peer: string; entries: number; skipped?: number; error?: string }> {
    const peer = await findPeer(this.store.db, peerName);
    if (!peer) throw await unknownPeer(this.store.db, peerName);
    let skipped = 0;
    try {
      const entries = await pullFeed<HelpFeedEntry>({
        federation: this.federation,
        peer,
        path: '/federation/v1/help-directory',
        format: HELP_FEED_FORMAT,
        checkpoint: () => feedCheckpoint(this.store.db, HELP_FEED_FORMAT, peer.id),
        check: (e) => void checkedFields(peer.name, e),
        apply: (list, to) =>
          this.store.db.transaction().execute(async (tx) => {
            for (const e of list) if (!(await this.apply(tx, peer, e))) skipped++;
            await setFeedCheckpoint(tx, HELP_FEED_FORMAT, peer.id, to, null);
          }),
      });
      this.directory.clearCache();
      return { peer: peer.name, entries: entries - skipped, ...(skipped ? { skipped } : {}) };
    } catch (err) {
      const message = (err as Error).message;
      await setFeedCheckpoint(this.store.db, HELP_FEED_FORMAT, peer.id, null, message.slice(0, 1000));
      return { peer: peer.name, entries: 0, error: message };
    }
  }

  /**
   * Applies one checked entry; false when it is not the peer's to give: a member publishes for its
   * own country, the secretariat for any (and the international entries).
   */
  private async apply(tx: Executor, peer: PeerRow, e: HelpFeedEntry): Promise<boolean> {
    const f = checkedFields(peer.name, e);
    if (peer.kind !== 'secretariat' && f.country !== peer.country) return false;
    const t = now();
    const fields = {
      country: f.country!,
      kind: f.kind!,
      name: f.name!,
      languages: f.languages ?? '[]',
      hours: f.hours ?? null,
      channels: f.channels ?? '[]',
      status: e.status,
      updated_at: t,
    };
    const existing = await helpEntryByUid(tx, e.uid);
    if (existing) {
      if (existing.received_from !== peer.id) return false; // this node's own, or got from its publisher by another path
      await setHelpEntry(tx, existing.id, fields);
    } else if (e.status === 'curated') {
      if ((await curatedCountFrom(tx, peer.id)) >= MAX_RECEIVED_PER_PEER)
        throw bad(peer.name, `more than ${MAX_RECEIVED_PER_PEER.toLocaleString('en')} entries`);
      await insertReceivedHelpEntry(tx, { ...fields, uid: e.uid, received_from: peer.id, created_at: t });
    }
    return true;
  }

  /** Pulls every peer's help directory feed; one unreachable peer does not stop the others. */
  /** Pulling the secretariat's help directory, on the sync interval. */
  backgroundTasks(syncIntervalMs: number): BackgroundTask[] {
    return [{ name: 'help directory sync', intervalMs: syncIntervalMs, run: () => this.syncAll() }];
  }

  async syncAll(): Promise<Array<{ peer: string; entries: number; skipped?: number; error?: string }>> {
    const out = [];
    for (const p of await listPeers(this.store.db)) out.push(await this.pull(p.name));
    return out;
  }
}
