/**
 * Sharing series status with peers: each node publishes a signed feed of its own series (who owns
 * it, its contact point, status, dates and the pseudonymous ids of its identified victims — never
 * the restricted notes, never content ids) and pulls its peers' feeds from a stored position. A
 * received series is kept as its owner describes it, and changed only by the next page.
 *
 * Counting rule: a victim is a pseudonymous uid made by the member that identified it; every node
 * stores each uid once, so the alliance count is the number of distinct uids a node knows —
 * a victim identified by any member counts once, however many nodes pass the series on.
 */
import type { BackgroundTask } from '../jobs/background.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { type Envelope, type FederationService, pullFeed, sealFeedPage } from '../exchange/index.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  deleteVictimsOf,
  type Executor,
  findPeer,
  insertReceivedSeries,
  insertReceivedVictims,
  listPeers,
  now,
  seriesByUid,
  seriesChangedSince,
  seriesCheckpoint,
  setReceivedSeries,
  setSeriesCheckpoint,
  type Store,
  unknownPeer,
  victimCounts,
  victimUidsOf,
} from '../store/index.js';
import { SERIES_STATUSES } from './series-service.js';

export const SERIES_FEED_FORMAT = 'alliance-series';
const PAGE = 500;

interface SeriesEntry {
  seq: number;
  uid: string;
  name: string;
  owner: { member: string; country: string | null; agency: string | null; contact_point: string | null };
  status: string;
  first_seen_at: number | null;
  opened_at: number;
  victim_identified_at: number | null;
  offender_identified_at: number | null;
  closed_at: number | null;
  victims: Array<{ uid: string; identified_on: string; identified_by: string }>;
}

const bad = (peer: string, why: string) => new AllianceError('FEED_INVALID', `series feed of ${peer}: ${why}`);
const str = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
const time = (v: unknown) => v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);

function checkEntry(peer: string, e: SeriesEntry): void {
  if (!str(e.uid, 200) || !e.uid.startsWith(`${peer}/series/`)) throw bad(peer, `a series uid must be "${peer}/series/<id>"`);
  if (!str(e.name, 200) || e.owner?.member !== peer || !(SERIES_STATUSES as readonly string[]).includes(e.status))
    throw bad(peer, `series ${e.uid.slice(0, 100)}: name, owner or status malformed`);
  for (const k of ['first_seen_at', 'victim_identified_at', 'offender_identified_at', 'closed_at'] as const)
    if (!time(e[k])) throw bad(peer, `series ${e.uid}: ${k} malformed`);
  if (!time(e.opened_at) || !Array.isArray(e.victims) || e.victims.length > 100_000) throw bad(peer, `series ${e.uid}: opened_at or victims malformed`);
  for (const v of e.victims) {
    if (!str(v?.uid, 200) || !v.uid.startsWith(`${peer}/victim/`) || !/^\d{4}-\d{2}-\d{2}$/.test(String(v.identified_on)) || !str(v.identified_by, 100))
      throw bad(peer, `series ${e.uid}: a victim record is malformed`);
  }
}

export class SeriesFeed {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly federation: FederationService,
  ) {}

  /** A signed page of this node's series changed after `since`, for the registered peer `peerName`. */
  async page(peerName: string, since: number, limit = PAGE): Promise<Envelope> {
    if (!Number.isSafeInteger(since) || since < 0) throw new AllianceError('VALIDATION', 'since is a position ≥ 0');
    const rows = await seriesChangedSince(this.store.db, since, Math.min(limit, PAGE) + 1);
    const more = rows.length > Math.min(limit, PAGE);
    const entries: SeriesEntry[] = rows.slice(0, Math.min(limit, PAGE)).map(({ seq, series: s, victims }) => ({
      seq,
      uid: s.uid,
      name: s.name,
      owner: { member: s.owner_member, country: s.owner_country, agency: s.agency, contact_point: s.contact_point },
      status: s.status,
      first_seen_at: s.first_seen_at,
      opened_at: s.opened_at,
      victim_identified_at: s.victim_identified_at,
      offender_identified_at: s.offender_identified_at,
      closed_at: s.closed_at,
      victims: victims.map((v) => ({ uid: v.uid, identified_on: v.identified_on, identified_by: v.identified_by })),
    }));
    return sealFeedPage(this.federation, SERIES_FEED_FORMAT, peerName, since, entries, more);
  }

  /** Pulls a peer's series feed to its end; each page is verified and applied with its position. */
  async pull(peerName: string): Promise<{ peer: string; series: number; error?: string }> {
    const peer = await findPeer(this.store.db, peerName);
    if (!peer) throw await unknownPeer(this.store.db, peerName);
    try {
      const series = await pullFeed<SeriesEntry>({
        federation: this.federation,
        peer,
        path: '/federation/v1/series',
        format: SERIES_FEED_FORMAT,
        checkpoint: () => seriesCheckpoint(this.store.db, peer.id),
        check: (e) => checkEntry(peer.name, e),
        apply: (entries, to) =>
          this.store.db.transaction().execute(async (tx) => {
            for (const e of entries) await this.apply(tx, peer.id, e);
            await setSeriesCheckpoint(tx, peer.id, to, null);
          }),
      });
      return { peer: peer.name, series };
    } catch (err) {
      const message = (err as Error).message;
      await setSeriesCheckpoint(this.store.db, peer.id, null, message.slice(0, 1000));
      return { peer: peer.name, series: 0, error: message };
    }
  }

  private async apply(tx: Executor, peerId: number, e: SeriesEntry): Promise<void> {
    const t = now();
    const fields = {
      name: e.name,
      owner_member: e.owner.member,
      owner_country: typeof e.owner.country === 'string' ? e.owner.country.slice(0, 2) : null,
      agency: typeof e.owner.agency === 'string' ? e.owner.agency.slice(0, 200) : null,
      contact_point: typeof e.owner.contact_point === 'string' ? e.owner.contact_point.slice(0, 500) : null,
      status: e.status,
      first_seen_at: e.first_seen_at,
      opened_at: e.opened_at,
      victim_identified_at: e.victim_identified_at,
      offender_identified_at: e.offender_identified_at,
      closed_at: e.closed_at,
      updated_at: t,
    };
    const existing = await seriesByUid(tx, e.uid);
    let id: number;
    if (existing) {
      if (existing.received_from !== peerId) return; // a series this node owns, or got from its owner by another path
      await setReceivedSeries(tx, existing.id, fields);
      id = existing.id;
    } else {
      id = await insertReceivedSeries(tx, { ...fields, uid: e.uid, notes: null, received_from: peerId, created_at: t });
    }
    const known = new Set(await victimUidsOf(tx, id));
    const listed = new Set(e.victims.map((v) => v.uid));
    const gone = [...known].filter((u) => !listed.has(u));
    await deleteVictimsOf(tx, id, gone);
    const fresh = e.victims.filter((v) => !known.has(v.uid));
    await insertReceivedVictims(tx, id, fresh, t); // counted once, wherever it came from first
  }

  /** Pulls every peer's series feed; one unreachable peer does not stop the others. */
  /** Pulling every peer's series status, on the sync interval. */
  backgroundTasks(syncIntervalMs: number): BackgroundTask[] {
    return [{ name: 'series sync', intervalMs: syncIntervalMs, run: () => this.syncAll() }];
  }

  async syncAll(): Promise<Array<{ peer: string; series: number; error?: string }>> {
    const out = [];
    for (const p of await listPeers(this.store.db)) out.push(await this.pull(p.name));
    return out;
  }

  /** Victims identified by this member, and by the alliance as far as this node knows (each once). */
  async counts(actor: Principal): Promise<{ own: number; alliance: number; series: { own: number; received: number } }> {
    requirePermission(actor, 'cases');
    const { own, alliance, ownSeries, received } = await victimCounts(this.store.db);
    this.audit.recordRead(actor, 'series.counts', null, {}, alliance);
    return { own, alliance, series: { own: ownSeries, received } };
  }
}
