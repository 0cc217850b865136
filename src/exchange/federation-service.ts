/**
 * Federation: peers, publications under sharing agreements, subscriptions and their sync, and
 * opinions that flow back to a signal's origin (with the bank rule that quarantines disputed
 * content). The HTTP routes and the CLI are thin layers over this service.
 */
import type { BackgroundTask } from '../jobs/background.js';
import type { AuditLog } from '../audit/audit-log.js';
import { DISABLED_FOREVER } from '../banks/bank-service.js';
import type { Classification, LegalStatus } from '../banks/classification.js';
import { checkBankName } from '../banks/names.js';
import { AllianceError, toAllianceError } from '../errors/catalogue.js';
import { peerPrincipal, requirePermission, type Principal } from '../members/principal.js';
import { MEMBER_KINDS, type MemberKind } from '../members/roles.js';
import {
  advanceCheckpoint,
  type Bank,
  closeMemberKeys,
  deletePeer,
  deletePublication,
  findBankByName,
  findMemberByName,
  findPeer,
  findPeerById,
  findSubscription,
  setSubscriptionPaused,
  getBankById,
  getBankByName,
  getContent,
  insertBank,
  insertMember,
  insertPeer,
  insertSubscription,
  listPeers,
  listPublications,
  listSubscriptions,
  logFeed,
  markAttempt,
  markError,
  markSuccess,
  type MemberKeyRow,
  memberKeys,
  opinionCounts,
  parseJson,
  type PeerRow,
  recordMemberKey,
  rememberNonce,
  type Store,
  type SubscriptionRow,
  touchPeer,
  unknownPeer,
  updateBank,
  updateContent,
  updatePeer,
  upsertOpinion,
  upsertPublication,
} from '../store/index.js';
import { allianceFeedApi, type AllianceCheckpoint, type AllianceFeedConfig } from './apis/alliance.js';
import { OPINIONS, type ExchangeContext, type ExchangeOpinion as Opinion, type ExchangePage, type PeerLink } from './apis/exchange-api.js';
import { remoteHttp } from './apis/remote-http.js';
import { allowedStatuses, parseAgreement, type Agreement, type AgreementInput } from './agreements.js';
import { applyPage, type ApplyResult } from './apply-feed.js';
import { BundleFeed, readBundleHeader, writeBundle } from './bundle.js';
import { fingerprint, parsePublicKey, type NodeIdentity } from './identity.js';
import { peerRequest } from './peer-client.js';
import { agreementFor, renderPage, type Publisher } from './publisher.js';
import { seal, type Envelope } from './envelope.js';

export interface NewPeer {
  name: string;
  url: string;
  publicKey: string;
  country: string | null;
  kind: MemberKind;
}

export interface SyncReport extends ApplyResult {
  subscription: number;
  pages: number;
  checkpoint: number;
  latest: number | null;
  error?: string;
  /** The error's catalogue code (PEER_REFUSED: the peer said no — see peer_code). */
  error_code?: string;
  /** A refusal's code at the peer (e.g. NOT_PUBLISHED). */
  peer_code?: string;
}

export interface PeerUpdate {
  url?: string;
  publicKey?: string;
}

/** A peer's base URL: http(s). */
function checkPeerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AllianceError('VALIDATION', `peer URL "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AllianceError('VALIDATION', 'peer URLs are http(s)');
  return url;
}

/** The form a peer's URL is stored in (no trailing slash). */
const storedUrl = (url: URL) => url.toString().replace(/\/$/, '');

/** Where opinions on content an external exchange delivered go (the ExchangeService). */
export interface ExchangeOpinions {
  exchangeOfContent(contentId: number): Promise<unknown>;
  sendOpinion(actor: Principal, contentId: number, opinion: Opinion, reason: string | null): Promise<{ sent_to: string; uid: string }>;
}

export class FederationService {
  private readonly syncing = new Map<number, Promise<SyncReport>>();
  private exchangeOpinions: ExchangeOpinions | undefined;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    readonly identity: NodeIdentity,
    readonly self: Publisher & { kind: string },
    private readonly onSignalsChanged: () => Promise<unknown>,
    private readonly timeoutMs = 30_000,
  ) {}

  // ---- peers -------------------------------------------------------------------------------

  async addPeer(actor: Principal, p: NewPeer): Promise<PeerRow> {
    requirePermission(actor, 'federation.manage');
    const url = checkPeerUrl(p.url);
    parsePublicKey(p.publicKey);
    if (p.publicKey === this.identity.publicKey) throw new AllianceError('VALIDATION', "that is this node's own key");
    if (!MEMBER_KINDS.includes(p.kind)) throw new AllianceError('VALIDATION', `kind must be one of ${MEMBER_KINDS.join(', ')}`);
    const country = p.country ? p.country.toUpperCase() : null;
    if (country && !/^[A-Z]{2}$/.test(country)) throw new AllianceError('VALIDATION', 'country must be an ISO 3166-1 alpha-2 code');
    const id = await this.store.db.transaction().execute(async (tx) => {
      const member = (await findMemberByName(tx, p.name)) ?? (await insertMember(tx, { name: p.name, country, kind: p.kind }));
      const peerId = await insertPeer(tx, { member_id: member.id, url: storedUrl(url), public_key: p.publicKey });
      await recordMemberKey(tx, p.name, p.publicKey);
      await this.audit.record(tx, actor, 'peer.add', p.name, { url: url.toString(), fingerprint: fingerprint(p.publicKey) });
      return peerId;
    });
    return (await findPeerById(this.store.db, id))!;
  }

  listPeers(actor: Principal): Promise<PeerRow[]> {
    requirePermission(actor, 'federation.manage');
    return listPeers(this.store.db);
  }

  async removePeer(actor: Principal, name: string): Promise<void> {
    requirePermission(actor, 'federation.manage');
    const peer = await this.peer(name);
    await this.store.db.transaction().execute(async (tx) => {
      await deletePeer(tx, peer.id);
      // Its key stays in the history (what it signed while registered is still its), valid until now.
      await closeMemberKeys(tx, name);
      await this.audit.record(tx, actor, 'peer.remove', name, {});
    });
  }

  /**
   * Changes a peer's URL or rotates its key (the new one given out of band, like the first). The
   * old key stays in the member's key history, valid until now: what it signed before — received
   * country reports — is still verified with it. Subscriptions and checkpoints stay.
   */
  async updatePeer(actor: Principal, name: string, u: PeerUpdate): Promise<PeerRow> {
    requirePermission(actor, 'federation.manage');
    const peer = await this.peer(name);
    const fields: { url?: string; public_key?: string } = {};
    if (u.url !== undefined && storedUrl(checkPeerUrl(u.url)) !== peer.url) fields.url = storedUrl(checkPeerUrl(u.url));
    if (u.publicKey !== undefined && u.publicKey.trim() !== peer.public_key) {
      const key = u.publicKey.trim();
      parsePublicKey(key);
      if (key === this.identity.publicKey) throw new AllianceError('VALIDATION', "that is this node's own key");
      fields.public_key = key;
    }
    if (fields.url === undefined && fields.public_key === undefined) throw new AllianceError('VALIDATION', 'give a new URL or a new public key');
    await this.store.db.transaction().execute(async (tx) => {
      await updatePeer(tx, peer.id, fields);
      if (fields.public_key) await recordMemberKey(tx, name, fields.public_key);
      await this.audit.record(tx, actor, 'peer.update', name, {
        ...(fields.url ? { url: { before: peer.url, after: fields.url } } : {}),
        ...(fields.public_key ? { fingerprint: { before: fingerprint(peer.public_key), after: fingerprint(fields.public_key) } } : {}),
      });
    });
    return (await findPeerById(this.store.db, peer.id))!;
  }

  /** The keys a member has had (oldest first), with when each was valid. */
  async keyHistory(actor: Principal, name: string): Promise<MemberKeyRow[]> {
    requirePermission(actor, 'federation.manage');
    const keys = await memberKeys(this.store.db, name);
    if (keys.length === 0) await this.peer(name); // PEER_NOT_FOUND naming the nearest
    return keys;
  }

  private async peer(name: string): Promise<PeerRow> {
    const peer = await findPeer(this.store.db, name);
    if (!peer) throw await unknownPeer(this.store.db, name);
    return peer;
  }

  /**
   * Sends a signed JSON request to a registered peer's node (reports, and later other
   * member-to-member messages); returns its JSON answer. Failures are FEED_INVALID with the reason.
   */
  async postToPeer(peerName: string, path: string, body: unknown): Promise<unknown> {
    const peer = await this.peer(peerName);
    return peerRequest(peer, { identity: this.identity, self: this.self.name, timeoutMs: this.timeoutMs }, 'POST', path, body);
  }

  /** A signed GET to a registered peer's node; returns its JSON answer (FEED_INVALID on failure). */
  async getFromPeer(peerName: string, path: string): Promise<unknown> {
    const peer = await this.peer(peerName);
    return peerRequest(peer, { identity: this.identity, self: this.self.name, timeoutMs: this.timeoutMs }, 'GET', path);
  }

  /** The registered peer of this name (its member's country and kind included). */
  async findPeer(name: string): Promise<PeerRow> {
    return this.peer(name);
  }

  /** The public key registered for a peer member (signed-request verification). */
  /** Records a signed request's nonce; false when this node saw it before (a replayed request). */
  rememberRequestNonce(keyid: string, nonce: string, expiresAtS: number): Promise<boolean> {
    return rememberNonce(this.store.db, keyid, nonce, expiresAtS);
  }

  async keyOf(member: string): Promise<string | undefined> {
    return (await findPeer(this.store.db, member))?.public_key;
  }

  // ---- publishing ---------------------------------------------------------------------------

  async publish(actor: Principal, bankName: string, input: AgreementInput): Promise<Agreement> {
    requirePermission(actor, 'federation.manage');
    const agreement = parseAgreement(input);
    await this.store.db.transaction().execute(async (tx) => {
      const bank = await getBankByName(tx, bankName);
      await upsertPublication(tx, bank.id, JSON.stringify(agreement));
      await this.audit.record(tx, actor, 'bank.publish', bankName, { ...agreement });
    });
    return agreement;
  }

  async unpublish(actor: Principal, bankName: string): Promise<void> {
    requirePermission(actor, 'federation.manage');
    await this.store.db.transaction().execute(async (tx) => {
      const bank = await getBankByName(tx, bankName);
      if (!(await deletePublication(tx, bank.id))) throw new AllianceError('NOT_PUBLISHED', `bank ${bankName} is not published`);
      await this.audit.record(tx, actor, 'bank.unpublish', bankName, {});
    });
  }

  async publications(actor: Principal): Promise<Array<{ bank: string; agreement: Agreement }>> {
    requirePermission(actor, 'banks.read');
    return (await listPublications(this.store.db)).map((p) => ({
      bank: p.name,
      agreement: parseJson<Agreement>(p.agreement, parseAgreement({ recipients: { members: ['-'] } })),
    }));
  }

  /** Serves a feed page to a verified peer: sealed with this node's key. */
  async feedPage(peerName: string, bankName: string, since: number, limit?: number): Promise<Envelope> {
    const peer = await this.peer(peerName);
    await touchPeer(this.store.db, peer.id);
    const bank = await findBankByName(this.store.db, bankName);
    if (!bank) throw new AllianceError('NOT_PUBLISHED', `bank ${bankName} is not published to ${peerName}`);
    const page = await renderPage(this.store, this.self, bank, { name: peer.name, country: peer.country, kind: peer.kind }, since, limit);
    this.audit.recordRead(peerPrincipal(peer.name, peer.member_id), 'feed.page', bankName, { since, to: page.to }, page.entries.length);
    return seal(this.identity, page);
  }

  // ---- subscribing --------------------------------------------------------------------------

  async subscribe(actor: Principal, peerName: string, remoteBank: string, localBank?: string): Promise<SubscriptionRow> {
    requirePermission(actor, 'federation.manage');
    checkBankName(remoteBank);
    const peer = await this.peer(peerName);
    const name = checkBankName(localBank ?? `${peerName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${remoteBank}`);
    if (actor.memberId === null) throw new AllianceError('VALIDATION', 'the subscribing member is unknown');
    const id = await this.store.db.transaction().execute(async (tx) => {
      const bank =
        (await findBankByName(tx, name)) ??
        (await insertBank(tx, {
          name,
          owner_member_id: actor.memberId!,
          kind: 'positive',
          description: `Received from ${peerName} (${remoteBank})`,
          matching_enabled: true,
          enabled_ratio: 1,
        }));
      const subId = await insertSubscription(tx, { peer_id: peer.id, remote_bank: remoteBank, bank_id: bank.id });
      await this.audit.record(tx, actor, 'subscription.create', `${peerName}/${remoteBank}`, { bank: name });
      return subId;
    });
    return (await findSubscription(this.store.db, id))!;
  }

  /** Pauses (the node stops pulling the feed, keeping the position) or resumes a subscription; audited. */
  async setPaused(actor: Principal, id: number, paused: boolean): Promise<SubscriptionRow> {
    requirePermission(actor, 'federation.manage');
    await this.store.db.transaction().execute(async (tx) => {
      const s = await findSubscription(tx, id);
      if (!s || !(await setSubscriptionPaused(tx, id, paused))) throw new AllianceError('NOT_FOUND', `no subscription ${id}`);
      await this.audit.record(tx, actor, paused ? 'subscription.pause' : 'subscription.resume', `${s.peer}/${s.remote_bank}`, { id });
    });
    return (await findSubscription(this.store.db, id))!;
  }

  subscriptions(actor: Principal, peerName?: string): Promise<SubscriptionRow[]> {
    requirePermission(actor, 'banks.read');
    return listSubscriptions(this.store.db, peerName);
  }

  // ---- bundles (offline exchange) --------------------------------------------------------------

  /** Writes the pages of a published bank for one peer to a bundle file (as that peer would fetch them). */
  async exportBundle(actor: Principal, bankName: string, peerName: string, path: string, since = 0): Promise<{ pages: number; entries: number; to: number }> {
    requirePermission(actor, 'federation.manage');
    const peer = await this.peer(peerName);
    const bank = await getBankByName(this.store.db, bankName);
    const who = { name: peer.name, country: peer.country, kind: peer.kind };
    const { store, self: node, identity } = this;
    async function* pages() {
      let at = since;
      for (;;) {
        const page = await renderPage(store, node, bank, who, at);
        yield seal(identity, page);
        if (!page.more) return;
        at = page.to;
      }
    }
    const written = await writeBundle(
      path,
      { publisher: this.self.name, subscriber: peer.name, bank: bank.name, since, key: this.identity.publicKey },
      pages(),
    );
    await this.store.db
      .transaction()
      .execute((tx) => this.audit.record(tx, actor, 'bundle.export', bankName, { to: peerName, since, until: written.to }, written.entries));
    return written;
  }

  /**
   * Applies a bundle from a peer through the subscription to that bank (created on first import),
   * verifying every page as a sync does. Errors land in the subscription's status and are thrown.
   */
  async importBundle(actor: Principal, path: string, peerName: string, localBank?: string): Promise<SyncReport & { bank: string }> {
    requirePermission(actor, 'federation.manage');
    const header = await readBundleHeader(path);
    const peer = await this.peer(peerName);
    if (header.subscriber !== this.self.name)
      throw new AllianceError('FEED_INVALID', `${path}: the bundle is addressed to "${header.subscriber}", not to this node ("${this.self.name}")`);
    const sub =
      (await listSubscriptions(this.store.db, peer.name)).find((s) => s.remote_bank === header.bank) ??
      (await this.subscribe(actor, peer.name, header.bank, localBank));
    const report = await this.sync(sub.id, (since) => new BundleFeed(path, peer, this.self.name, header.bank).pages(since));
    if (report.error) throw new AllianceError('FEED_INVALID', report.error);
    return { ...report, bank: sub.bank };
  }

  /** Signed requests to a registered peer with this node's key. */
  private link(peer: PeerRow): PeerLink {
    const opts = { identity: this.identity, self: this.self.name, timeoutMs: this.timeoutMs };
    return { publicKey: peer.public_key, request: (method, path, body) => peerRequest(peer, opts, method, path, body) };
  }

  /** What the federation feed adapter (apis/alliance.ts) is given for one peer's bank. */
  private feedContext(peer: PeerRow, remoteBank: string, localBank: string): ExchangeContext<AllianceFeedConfig, never> {
    const signal = new AbortController().signal;
    return {
      name: localBank,
      config: { peer: peer.name, bank: remoteBank },
      credentials: null,
      http: remoteHttp({ remote: `peer ${peer.name}`, timeoutMs: this.timeoutMs, signal }),
      self: this.self.name,
      now: () => Date.now(),
      signal,
      peers: async (name) => this.link(name === peer.name ? peer : await this.peer(name)),
    };
  }

  /**
   * Pulls a subscription up to date, page by page, through the federation feed adapter (or the
   * pages of a bundle): each verified page is applied in one transaction together with its
   * checkpoint, so a crash loses nothing and repeats nothing. Errors are recorded in the
   * subscription's status (and returned), never thrown half-way.
   */
  sync(subscriptionId: number, source?: (since: number) => AsyncIterable<ExchangePage<AllianceCheckpoint>>): Promise<SyncReport> {
    const running = this.syncing.get(subscriptionId);
    if (running) return running;
    const run = this.syncOnce(subscriptionId, source).finally(() => this.syncing.delete(subscriptionId));
    this.syncing.set(subscriptionId, run);
    return run;
  }

  private async syncOnce(subscriptionId: number, source?: (since: number) => AsyncIterable<ExchangePage<AllianceCheckpoint>>): Promise<SyncReport> {
    const sub = await findSubscription(this.store.db, subscriptionId);
    if (!sub) throw new AllianceError('SUBSCRIPTION_NOT_FOUND', `no subscription ${subscriptionId}`);
    const peer = (await findPeerById(this.store.db, sub.peer_id))!;
    const report: SyncReport = {
      subscription: sub.id,
      pages: 0,
      added: 0,
      updated: 0,
      deleted: 0,
      checkpoint: Number(sub.checkpoint),
      latest: sub.latest === null ? null : Number(sub.latest),
    };
    await markAttempt(this.store.db, sub.id);
    try {
      const pages = source ? source(report.checkpoint) : allianceFeedApi.fetch(this.feedContext(peer, sub.remote_bank, sub.bank), { since: report.checkpoint });
      for await (const page of pages) {
        const from = report.checkpoint;
        const to = page.checkpoint.since;
        const applied = await applyPage(this.store, { bankId: sub.bank_id, receivedFrom: peer.id }, page.deltas, (tx) =>
          advanceCheckpoint(tx, sub.id, from, to, page.deltas.length),
        );
        report.pages++;
        report.added += applied.added;
        report.updated += applied.updated;
        report.deleted += applied.deleted;
        report.checkpoint = to;
        report.latest = page.latest ?? report.latest;
        await this.onSignalsChanged();
      }
      await markSuccess(this.store.db, sub.id, report.latest ?? report.checkpoint);
    } catch (err) {
      const e = toAllianceError(err);
      report.error = err instanceof Error ? err.message : String(err);
      report.error_code = e.code;
      if (typeof e.details?.peer_code === 'string') report.peer_code = e.details.peer_code;
      await markError(this.store.db, sub.id, report.error, e.code);
    }
    return report;
  }

  /** Every subscription pulled on the sync timer. */
  backgroundTasks(syncIntervalMs: number): BackgroundTask[] {
    return [{ name: 'sync', intervalMs: syncIntervalMs, run: () => this.syncAll(undefined, { scheduled: true }) }];
  }

  /**
   * Syncs every subscription (of one peer), one after the other. The scheduled sync skips the
   * subscriptions a peer refused (PEER_REFUSED: not published to this node, this node not
   * registered there, …): asking again every minute changes nothing until someone acts, so they
   * wait — with the refusal as their last error — for an explicit sync (`alliance sync`, the API).
   * Paused subscriptions are skipped by every sync of them all; a sync of one (its "Sync now") still runs.
   */
  async syncAll(peerName?: string, opts: { scheduled?: boolean } = {}): Promise<SyncReport[]> {
    const reports: SyncReport[] = [];
    for (const s of await listSubscriptions(this.store.db, peerName)) {
      if (s.paused === 1 || (opts.scheduled && s.last_error_code === 'PEER_REFUSED')) continue;
      reports.push(await this.sync(s.id));
    }
    return reports;
  }

  // ---- opinions -----------------------------------------------------------------------------

  /** Opinions on content fetched from an external exchange are sent through it (set by the node). */
  routeOpinions(exchanges: ExchangeOpinions): void {
    this.exchangeOpinions = exchanges;
  }

  /** Sends a verdict on received content back to the member it came from. */
  async sendOpinion(actor: Principal, contentId: number, opinion: string, reason: string | null): Promise<{ sent_to: string; uid: string }> {
    requirePermission(actor, 'opinions.send');
    if (!OPINIONS.includes(opinion as Opinion)) throw new AllianceError('OPINION_INVALID', `opinion must be one of ${OPINIONS.join(', ')}`);
    const content = await getContent(this.store.db, contentId);
    if (content.uid && content.received_from === null && this.exchangeOpinions && (await this.exchangeOpinions.exchangeOfContent(contentId))) {
      const sent = await this.exchangeOpinions.sendOpinion(actor, contentId, opinion as Opinion, reason);
      return { sent_to: sent.sent_to, uid: sent.uid };
    }
    if (!content.uid || content.received_from === null)
      throw new AllianceError('OPINION_INVALID', `content ${contentId} was not received from a peer; record opinions on your own content in its bank`);
    // The origin if it is a peer of this node, else the peer it came from.
    const origin = content.origin_member ? await findPeer(this.store.db, content.origin_member) : undefined;
    const to = origin ?? (await findPeerById(this.store.db, content.received_from));
    if (!to) throw new AllianceError('PEER_NOT_FOUND', `the peer content ${contentId} came from is no longer registered`);
    const target = { uid: content.uid, metadata: null, signals: [] };
    await allianceFeedApi.sendOpinion!(this.feedContext(to, content.origin_bank ?? '', ''), target, opinion as Opinion, reason);
    await this.store.db.transaction().execute((tx) => this.audit.record(tx, actor, 'opinion.send', content.uid, { to: to.name, opinion, reason }));
    return { sent_to: to.name, uid: content.uid };
  }

  /**
   * Records a peer's verdict on this node's content (identified by its uid "<this member>/<id>")
   * and applies the bank's quarantine rule.
   */
  async receiveOpinion(
    peerName: string,
    uid: string,
    opinion: string,
    reason: string | null,
  ): Promise<{ counts: Record<string, number>; quarantined: boolean }> {
    if (!OPINIONS.includes(opinion as Opinion)) throw new AllianceError('OPINION_INVALID', `opinion must be one of ${OPINIONS.join(', ')}`);
    if (reason !== null && (typeof reason !== 'string' || reason.length > 2000))
      throw new AllianceError('OPINION_INVALID', 'reason: a string of at most 2000 characters');
    const peer = await this.peer(peerName);
    const m = new RegExp(`^${this.self.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\d+)$`).exec(uid);
    const contentId = m ? Number(m[1]) : NaN;
    // Only a peer that may receive the item may judge it; to any other, it does not exist.
    const unknown = () => new AllianceError('OPINION_INVALID', `no content of this member with uid "${uid.slice(0, 200)}"`);
    const seen = await getContent(this.store.db, contentId).catch(() => undefined);
    if (!seen || seen.uid) throw unknown();
    const who = { name: peer.name, country: peer.country, kind: peer.kind };
    const allowed = await agreementFor(this.store, await getBankById(this.store.db, seen.bank_id), who, this.self).then(
      (a) => allowedStatuses(a, who, this.self.country),
      (): LegalStatus[] => [],
    );
    if (!allowed.includes(parseJson<Classification | null>(seen.classification, null)?.legal ?? 'unknown')) throw unknown();
    const result = await this.store.db.transaction().execute(async (tx) => {
      const content = await getContent(tx, contentId).catch(() => undefined);
      if (!content || content.uid) throw unknown();
      await upsertOpinion(tx, { content_id: content.id, member_id: peer.member_id, opinion, reason });
      const counts = (await opinionCounts(tx, [content.id])).get(content.id) ?? {};
      const bank = await getBankById(tx, content.bank_id);
      const against = (counts.disputed ?? 0) + (counts.false_positive ?? 0);
      const quarantine = bank.quarantine_threshold !== null && against >= bank.quarantine_threshold && content.disabled_until !== DISABLED_FOREVER;
      if (quarantine) {
        const tags = [...new Set([...parseJson<string[]>(content.tags, []), 'quarantined'])];
        await updateContent(tx, content.id, { disabled_until: DISABLED_FOREVER, tags: JSON.stringify(tags) });
        await logFeed(tx, bank.id, [content.id], 'upsert');
      }
      const actor: Principal = peerPrincipal(peer.name, peer.member_id, 'analyst');
      await this.audit.record(tx, actor, 'opinion.receive', uid, { opinion, reason, quarantined: quarantine });
      return { counts, quarantined: quarantine };
    });
    return result;
  }

  /** Per-content opinion counts of a bank's contents. */
  async opinionCounts(actor: Principal, contentIds: number[]): Promise<Map<number, Record<string, number>>> {
    requirePermission(actor, 'banks.read');
    return opinionCounts(this.store.db, contentIds);
  }

  /** The bank rule: quarantine content once `threshold` members dispute it (null: never). */
  async setQuarantineThreshold(actor: Principal, bankName: string, threshold: number | null): Promise<Bank> {
    requirePermission(actor, 'banks.write');
    if (threshold !== null && (!Number.isInteger(threshold) || threshold < 1))
      throw new AllianceError('VALIDATION', 'the quarantine threshold is a whole number ≥ 1, or none');
    return this.store.db.transaction().execute(async (tx) => {
      const bank = await getBankByName(tx, bankName);
      if (actor.role !== 'admin' && bank.owner_member_id !== actor.memberId) throw new AllianceError('FORBIDDEN', `bank ${bankName} belongs to another member`);
      const b = await updateBank(tx, bank.id, { quarantine_threshold: threshold });
      await this.audit.record(tx, actor, 'bank.quarantine_rule', bankName, { threshold });
      return b;
    });
  }

  /** Published banks a peer may receive. */
  async banksFor(peerName: string): Promise<Array<{ name: string; description: string }>> {
    const peer = await this.peer(peerName);
    const out: Array<{ name: string; description: string }> = [];
    for (const p of await listPublications(this.store.db)) {
      const a = parseJson<Agreement | null>(p.agreement, null);
      const bank = await getBankById(this.store.db, p.bank_id);
      if (a && allowedStatuses(a, { name: peer.name, country: peer.country, kind: peer.kind }, this.self.country).length > 0)
        out.push({ name: bank.name, description: bank.description });
    }
    return out;
  }
}
