/**
 * Lead packages (issue 18, points 3 and 4): per receiving country of an operation, a package of
 * its targets that deconfliction checked and does not hold — their identifiers, the evidence that
 * attributes them (the reasons), the content hashes they shared with the classification and
 * series the banks gave them on import, the operation's legal basis and the handling restrictions.
 * Never the operation's restricted notes, never media. Each package is signed with this node's key
 * (a sealed envelope: the signature covers the payload's exact text) and is immutable once built; a
 * correction is a supplement: a new package naming the previous one, with only the targets whose
 * content changed. It goes to the country's receiving authority in the routing table (else the
 * fall-back contact; else it waits, saying so) over the federation link, by the same durable job
 * queue, retries and receipts as incident reports.
 *
 * The receiving authority's node keeps received packages in an inbox — only from registered
 * authority peers, signed by the key registered for them — acknowledges, accepts or declines them,
 * assigns them and records outcomes per target; each change goes back to the originating node as a
 * signed status update (a sequence number per package), by the same job queue. The originating
 * node refuses an update that is not signed by the package's receiver, about a package it did not
 * send there, for a target not in the package, or seen before (a replay): nothing changes.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { type FederationService, open, seal, verifySignature } from '../exchange/index.js';
import { isCountryCode } from '../geo/countries.js';
import { peerPrincipal, requirePermission, type Principal } from '../members/principal.js';
import {
  advanceInbox,
  enqueueJob,
  findInboxPackage,
  findInboxPackageByUid,
  findLeadPackage,
  findLeadPackageByUid,
  findLeadUpdate,
  findLeadUpdateBySeq,
  findOperation,
  forwardedPackages,
  insertInboxPackage,
  insertLeadPackage,
  insertLeadUpdate,
  isUniqueViolation,
  type LeadInboxRow,
  latestLeadPackage,
  type LeadPackageSummary,
  type LeadUpdateRow,
  leadPackageHasTarget,
  leadPackageRefs,
  listAuthorities,
  listInbox,
  listLeadPackages,
  listLeadUpdates,
  lockLeadPackage,
  now,
  openJobsOfKind,
  type OperationRow,
  packageableTargets,
  packagedDigests,
  parseJson,
  recordLeadDelivery,
  recordLeadUpdateDelivery,
  setLeadPackageState,
  type Store,
  targetsByCountry,
  type Executor,
  unpackagedCounts,
} from '../store/index.js';
import { createHash } from 'node:crypto';
import { parseIsoTime } from '../time/iso-time.js';
import type { Reason } from './attribution.js';
import type { HashMatch } from './operation-service.js';
import { parseIdentifiers, type TargetIdentifiers } from './targets-file.js';

export const LEAD_PACKAGE_JOB = 'lead.deliver';
export const LEAD_UPDATE_JOB = 'lead.update';

export const OUTCOMES = ['identified', 'searched', 'arrested', 'charged', 'convicted', 'acquitted', 'no_further_action', 'victims_safeguarded'] as const;
export type Outcome = (typeof OUTCOMES)[number];
const UPDATE_TYPES = ['acknowledged', 'accepted', 'declined', 'assigned', 'outcome'] as const;
type UpdateType = (typeof UPDATE_TYPES)[number];

/** One target as a package carries it. */
export interface PackageTarget {
  ref: string;
  identifiers: Omit<TargetIdentifiers, 'hashes'>;
  evidence: { confidence: string; reasons: Reason[]; country_set_by_analyst: boolean };
  content: Array<{ hash: string; classification: string | null; series: string[] }>;
}

/** What a package says (the signed payload). */
export interface PackagePayload {
  type: 'alliance.lead-package';
  uid: string;
  prior_uid: string | null;
  from: string;
  country: string;
  created_at: string;
  operation: { uid: string; name: string; legal_basis: string; owner_agency: string; contact_point: string; starts_at: string | null; ends_at: string | null };
  handling: string[];
  targets: PackageTarget[];
  /** Re-referral: the packages it comes from, the origin first (each uid with the node that sent it); absent: the origin's own. */
  chain?: ChainLink[];
}

export interface ChainLink {
  uid: string;
  from: string;
}

/** An outcome a forwarded package's receiver reported, as the forwarder relays it on (its signed update, whole). */
export interface Relayed {
  from: string;
  package_uid: string;
  seq: number;
  envelope: { payload: string; signature: string; key: string };
}

/** A status update on a package (the signed payload). */
export interface UpdatePayload {
  type: 'alliance.lead-update';
  package_uid: string;
  from: string;
  to: string;
  seq: number;
  update: UpdateType;
  at: string;
  reason?: string | null;
  assignee?: string | null;
  target?: string;
  outcome?: Outcome;
  count?: number | null;
  series?: string[];
  /** Re-referral: the outcome came from the authority the targets were forwarded to (signed by it, and by each hop). */
  relayed?: Relayed;
}

export interface HandlingInput {
  /** No direct contact with any target before this date (ISO 8601). */
  no_contact_before?: string | null;
  /** Intelligence only: not to be used as evidence without asking. */
  intelligence_only?: boolean;
  /** Further restrictions, in words. */
  restrictions?: string[];
}

export interface OutcomeView {
  outcome: string;
  count: number | null;
  series: string[];
  at: string;
  seq: number;
  /** Re-referral: the nodes the outcome was relayed from, the nearest first (empty: the package's receiver's own). */
  via: string[];
}

export interface PackageView {
  id: number;
  uid: string;
  prior_uid: string | null;
  country: string;
  /** The receiving authority's peer (null: none registered and no fall-back). */
  peer: string | null;
  /** built, waiting (no receiving authority), queued, delivered. */
  state: string;
  explanation: string;
  targets: number;
  handling: string[];
  attempts: number;
  last_error: string | null;
  receipt: unknown;
  created_at: string;
  delivered_at: string | null;
  /** What the receiver said: received, acknowledged, accepted or declined (null: nothing yet). */
  status: string | null;
  reason: string | null;
  assignee: string | null;
  acknowledged_at: string | null;
  accepted_at: string | null;
  /** Per target ref: its outcomes in the order they came. */
  outcomes: Record<string, OutcomeView[]>;
  updates: number;
}

export interface InboxView {
  id: number;
  uid: string;
  prior_uid: string | null;
  from: string;
  country: string;
  state: string;
  reason: string | null;
  assignee: string | null;
  received_at: string;
  operation: PackagePayload['operation'];
  handling: string[];
  targets: PackageTarget[];
  outcomes: Record<string, OutcomeView[]>;
  /** Status updates sent back, and how many are delivered. */
  updates: { sent: number; delivered: number };
  /** Re-referral: the packages it came through before (the origin first; empty: from the origin). */
  chain: ChainLink[];
  /** Re-referral: the packages its targets were forwarded in to third countries, with what their receivers said. */
  forwards: PackageView[];
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const invalid = (why: string) => new AllianceError('LEAD_INVALID', why);
const text = (v: unknown, field: string, max: number): string => {
  if (typeof v !== 'string' || !v.trim()) throw invalid(`${field}: required`);
  if (v.trim().length > max) throw invalid(`${field}: at most ${max} characters`);
  return v.trim();
};

/** The most target JSON (UTF-8 bytes) one package carries: escaped in the envelope (at most doubled) it stays under the federation's 1 MB request. */
export const PART_BYTES = 400_000;

/** How many targets a build reads at a time: it holds one page and the part being filled, never a country's targets whole. */
export const BUILD_PAGE = 1000;

/** Fills runs of at most `bytes` of JSON, one item at least per run: the run an item does not fit in is handed back, full. */
class Runs<T> {
  private run: T[] = [];
  private size = 0;
  constructor(private readonly bytes: number) {}

  /** Adds an item of `n` bytes; the run it closed (null: it fitted). */
  add(item: T, n: number): T[] | null {
    let full: T[] | null = null;
    if (this.run.length > 0 && this.size + n > this.bytes) {
      full = this.run;
      this.run = [];
      this.size = 0;
    }
    this.run.push(item);
    this.size += n;
    return full;
  }

  /** The last run (null: no item since the last full one). */
  end(): T[] | null {
    const last = this.run.length ? this.run : null;
    this.run = [];
    this.size = 0;
    return last;
  }
}

/** Targets in runs of at most `bytes` of JSON (one target at least per run). */
export function parts<T>(items: T[], bytes: number): T[][] {
  const runs = new Runs<T>(bytes);
  const out: T[][] = [];
  for (const item of items) {
    const full = runs.add(item, Buffer.byteLength(JSON.stringify(item)));
    if (full) out.push(full);
  }
  const last = runs.end();
  if (last) out.push(last);
  return out;
}

/**
 * The most a target may take in a package as it travels — its JSON escaped once more inside the
 * envelope — so that a package of it alone fits the federation's 1 MiB request: 1 MiB less 128 KiB
 * for the operation block, the handling restrictions, the uids and the envelope at their largest.
 */
export const TARGET_MAX_BYTES = 1024 * 1024 - 128 * 1024;

/**
 * Refuses a target no package could deliver (`LEAD_TARGET_TOO_LARGE`, naming it): its bytes in a
 * package over TARGET_MAX_BYTES. Escaping at most doubles the JSON, so only a large one is
 * escaped to be measured. `where` starts the message (a line), `nothing` ends it.
 */
export function checkDeliverable(t: PackageTarget, where: string, nothing: string, json = JSON.stringify(t)): void {
  if (2 * Buffer.byteLength(json) <= TARGET_MAX_BYTES) return;
  const bytes = Buffer.byteLength(JSON.stringify(json)) - 2;
  if (bytes > TARGET_MAX_BYTES)
    throw new AllianceError(
      'LEAD_TARGET_TOO_LARGE',
      `${where}target "${t.ref.slice(0, 80)}" would take ${bytes.toLocaleString('en')} bytes in a lead package, at most ${TARGET_MAX_BYTES.toLocaleString('en')} (a package travels in one federation request of 1 MiB, and a target is never split): it could never be delivered; ${nothing}`,
    );
}

/**
 * The import's form of that check, on a target row as it is stored: the sum of its JSON texts
 * bounds its package form (which re-states them, with a few bytes per shared hash), so only a
 * row near the limit is made into its package form and measured.
 */
export function checkDeliverableRow(
  row: { ref: string; identifiers: string; confidence: string; reasons: string; matched: string; hashes: number },
  where: string,
  nothing: string,
): void {
  const bound =
    Buffer.byteLength(row.identifiers) + Buffer.byteLength(row.reasons) + Buffer.byteLength(row.matched) + Buffer.byteLength(row.ref) + 64 * row.hashes + 256;
  if (2 * bound > TARGET_MAX_BYTES) checkDeliverable(packageTarget({ ...row, override_country: null }), where, nothing);
}

/** A digest of what a package says about a target (of its JSON text): a supplement carries the targets whose digest changed. */
const digestOf = (json: string) => createHash('sha256').update(json).digest('hex');
const digest = (t: PackageTarget) => digestOf(JSON.stringify(t));

export class LeadService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly federation: Pick<FederationService, 'self' | 'identity' | 'postToPeer' | 'findPeer'>,
    private readonly fallbackPeer: string | null,
  ) {}

  private get self(): string {
    return this.federation.self.name;
  }

  private async operation(id: number): Promise<OperationRow> {
    const op = Number.isSafeInteger(id) ? await findOperation(this.store.db, id) : undefined;
    if (!op) throw new AllianceError('OPERATION_NOT_FOUND', `no operation ${String(id).slice(0, 40)}`);
    return op;
  }

  /** The receiving authority for a country: its registered peer, else the fall-back, else none. */
  private async route(db: Executor, country: string): Promise<{ peer: string | null; explanation: string }> {
    const registered = (await listAuthorities(db)).find((a) => a.country === country && a.destination === 'peer' && a.peer);
    if (registered?.peer) return { peer: registered.peer, explanation: `${country}'s receiving authority ${registered.peer}` };
    if (this.fallbackPeer)
      return { peer: this.fallbackPeer, explanation: `no receiving authority registered for ${country}: the fall-back contact ${this.fallbackPeer}` };
    return {
      peer: null,
      explanation: `no receiving authority registered for ${country} and no fall-back contact (ALLIANCE_REPORT_FALLBACK_PEER): the package waits until one is registered (alliance routing set ${country} <peer>), then send it again`,
    };
  }

  /**
   * Builds the packages of an operation: one per receiving country (or those asked for) that has
   * targets not packaged yet, or whose content changed since its last package (a supplement naming
   * it, with those targets only). Targets not checked against deconfliction, or held, are left out
   * (counted in `left_out`). Built packages are signed and immutable; `send` delivers them.
   */
  async build(
    actor: Principal,
    id: number,
    input: { countries?: string[]; handling?: HandlingInput } = {},
  ): Promise<{ packages: PackageView[]; left_out: Array<{ country: string; unchecked: number; held: number }> }> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const handling = handlingLines(input.handling ?? {});
    const all = [...new Set((await targetsByCountry(this.store.db, op.id)).map((l) => l.country).filter((c): c is string => c !== null))].sort();
    const wanted = input.countries?.map((c) => {
      const cc = String(c).trim().toUpperCase();
      if (!isCountryCode(cc)) throw invalid(`country: "${String(c).slice(0, 10)}" is not an ISO 3166-1 alpha-2 code`);
      return cc;
    });
    const countries = wanted ?? all;
    const built: number[] = [];
    const leftOut: Array<{ country: string; unchecked: number; held: number }> = [];
    const operation = {
      uid: op.uid,
      name: op.name,
      legal_basis: op.legal_basis,
      owner_agency: op.owner_agency,
      contact_point: op.contact_point,
      starts_at: iso(op.starts_at),
      ends_at: iso(op.ends_at),
    };
    for (const country of countries) {
      const made = await this.store.db.transaction().execute(async (tx) => {
        const counts = await unpackagedCounts(tx, op.id, country);
        if (counts.unchecked + counts.held > 0) leftOut.push({ country, ...counts });
        let prior: { uid: string } | null = (await latestLeadPackage(tx, op.id, country)) ?? null;
        let route: { peer: string | null; explanation: string } | undefined;
        const createdAt = now();
        const ids: number[] = [];
        // A package travels in one federation request (1 MB at most): a large one goes as several, each supplementing the one before.
        // The targets are read a page at a time and each part is signed and stored as it fills: one page and one part in memory.
        const store = async (part: Array<{ target: PackageTarget; digest: string }>) => {
          route ??= await this.route(tx, country);
          const targets = part.map((t) => t.target);
          const p = await insertLeadPackage(
            tx,
            {
              operation_id: op.id,
              country,
              prior_uid: prior?.uid ?? null,
              peer: route.peer,
              state: route.peer ? 'built' : 'waiting',
              handling: JSON.stringify(handling),
              targets: part.length,
              created_by: actor.actor,
              created_at: createdAt,
              queued_at: null,
              forwarded_from: null,
            },
            part.map((t) => ({ ref: t.target.ref, digest: t.digest })),
            (n) => `${this.self}/lead-package/${n}`,
            (uid) => {
              const payload: PackagePayload = {
                type: 'alliance.lead-package',
                uid,
                prior_uid: prior?.uid ?? null,
                from: this.self,
                country,
                created_at: new Date(createdAt).toISOString(),
                operation,
                handling,
                targets,
              };
              const e = seal(this.federation.identity, payload);
              return { payload: e.payload, signature: e.signature };
            },
          );
          await this.audit.record(
            tx,
            actor,
            'operation.package',
            p.uid,
            { country, targets: part.length, prior_uid: p.prior_uid, peer: route.peer },
            part.length,
          );
          prior = p;
          ids.push(p.id);
        };
        const runs = new Runs<{ target: PackageTarget; digest: string }>(PART_BYTES);
        for (let after = 0; ;) {
          const rows = await packageableTargets(tx, op.id, country, after, BUILD_PAGE);
          if (rows.length === 0) break;
          after = rows[rows.length - 1].id;
          const before = await packagedDigests(
            tx,
            op.id,
            country,
            rows.map((r) => r.ref),
          );
          for (const row of rows) {
            const target = packageTarget(row);
            const json = JSON.stringify(target);
            const d = digestOf(json);
            if (before.get(target.ref) === d) continue;
            checkDeliverable(target, `${country}: `, `no package was built for ${country}`, json);
            const full = runs.add({ target, digest: d }, Buffer.byteLength(json));
            if (full) await store(full);
          }
          if (rows.length < BUILD_PAGE) break;
        }
        const last = runs.end();
        if (last) await store(last);
        return ids;
      });
      built.push(...made);
    }
    const views = await this.packages(actor, op.id);
    return { packages: views.filter((v) => built.includes(v.id)), left_out: leftOut };
  }

  /**
   * Sends an operation's packages not sent yet (or one of them): each is queued for delivery to
   * its receiving authority, looked up again now (one registered since it was built is used);
   * one with none stays waiting, saying why. A queued package whose delivery ended (out of
   * retries, or refused) is queued again, to the receiver looked up again.
   */
  async send(actor: Principal, id: number, packageId?: number): Promise<PackageView[]> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const all = await listLeadPackages(this.store.db, op.id);
    const chosen = packageId === undefined ? all.filter((p) => p.state === 'built' || p.state === 'waiting') : all.filter((p) => p.id === packageId);
    if (packageId !== undefined && chosen.length === 0) throw new AllianceError('LEAD_NOT_FOUND', `operation ${op.name} has no lead package ${packageId}`);
    for (const p of chosen) {
      if (p.state === 'queued' && packageId !== undefined) {
        // Its delivery ran out of retries (the peer was down for a week): the same signed package queued again (the receiver keeps it once).
        const open = await openJobsOfKind(this.store.db, LEAD_PACKAGE_JOB);
        if (open.some((j) => (j.data as { package_id?: number } | null)?.package_id === p.id))
          throw invalid(
            `lead package ${p.uid} is being delivered to ${p.peer} (attempt ${p.attempts + 1}${p.last_error ? `; last error: ${p.last_error}` : ''})`,
          );
        await this.store.db.transaction().execute(async (tx) => {
          // The receiver looked up again: one registered since (after a LEAD_PACKAGE_MISROUTED refusal, the authority it named) is used.
          const route = await this.route(tx, p.country);
          const peer = route.peer ?? p.peer;
          if (peer !== p.peer) await setLeadPackageState(tx, p.id, { peer });
          await enqueueJob(tx, LEAD_PACKAGE_JOB, { package_id: p.id });
          await this.audit.record(tx, actor, 'operation.resend', p.uid, { country: p.country, peer, ...(peer !== p.peer ? { was: p.peer } : {}) });
        });
        continue;
      }
      if (p.state !== 'built' && p.state !== 'waiting')
        throw invalid(`lead package ${p.uid} is ${p.state} already: packages are immutable once sent; build a supplement for corrections`);
      await this.store.db.transaction().execute(async (tx) => {
        const route = await this.route(tx, p.country);
        if (!route.peer) {
          await setLeadPackageState(tx, p.id, { state: 'waiting', peer: null });
          return;
        }
        await setLeadPackageState(tx, p.id, { state: 'queued', peer: route.peer, queued_at: now() });
        await enqueueJob(tx, LEAD_PACKAGE_JOB, { package_id: p.id });
        await this.audit.record(tx, actor, 'operation.send', p.uid, { country: p.country, peer: route.peer });
      });
    }
    const ids = new Set(chosen.map((p) => p.id));
    return (await this.packages(actor, op.id)).filter((v) => ids.has(v.id));
  }

  /** Delivers a queued package to its peer (the delivery job; throws to be retried). */
  async deliver(packageId: number): Promise<void> {
    const p = await findLeadPackage(this.store.db, packageId);
    if (!p || p.state !== 'queued' || !p.peer) return;
    let receipt: unknown;
    try {
      receipt = await this.federation.postToPeer(p.peer, '/federation/v1/lead-packages', {
        payload: p.payload,
        signature: p.signature,
        key: this.federation.identity.publicKey,
      });
    } catch (err) {
      await recordLeadDelivery(this.store.db, p.id, (err as Error).message);
      throw err;
    }
    await recordLeadDelivery(this.store.db, p.id, null, receipt);
  }

  /** An operation's packages with what their receivers said and the outcomes per target. */
  async packages(actor: Principal, id: number): Promise<PackageView[]> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const rows = await listLeadPackages(this.store.db, op.id);
    const updates = await listLeadUpdates(
      this.store.db,
      'in',
      rows.map((r) => r.uid),
    );
    const fallbackExplanation = async (p: LeadPackageSummary) =>
      p.state === 'waiting' ? (await this.route(this.store.db, p.country)).explanation : p.peer ? `to ${p.peer}` : '';
    const out: PackageView[] = [];
    for (const p of rows)
      out.push(
        packageView(
          p,
          await fallbackExplanation(p),
          updates.filter((u) => u.package_uid === p.uid),
        ),
      );
    return out;
  }

  /** One package's signed payload, as it went (or goes). */
  async envelope(actor: Principal, id: number, packageId: number): Promise<{ payload: string; signature: string; key: string }> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const p = await findLeadPackage(this.store.db, packageId);
    if (!p || p.operation_id !== op.id) throw new AllianceError('LEAD_NOT_FOUND', `operation ${op.name} has no lead package ${packageId}`);
    return { payload: p.payload, signature: p.signature, key: this.federation.identity.publicKey };
  }

  // ---- the receiving side ---------------------------------------------------------------------

  /** A package another authority's node sent (the federation route): checked, then kept once. */
  async receive(peerName: string, body: unknown): Promise<{ uid: string; received: boolean }> {
    const peer = await this.federation.findPeer(peerName).catch(() => undefined);
    if (!peer || peer.kind !== 'authority')
      throw new AllianceError('LEAD_PACKAGE_REFUSED', `${peerName.slice(0, 100)} is not a registered authority peer: lead packages come from authorities only`);
    let payload: Partial<PackagePayload>;
    try {
      payload = open(body, peer.public_key) as Partial<PackagePayload>;
    } catch (err) {
      throw new AllianceError('LEAD_PACKAGE_INVALID', `lead package from ${peerName}: ${(err as Error).message}`);
    }
    const p = checkPackage(peerName, payload);
    // A package held already (a retried delivery) is answered as the duplicate, as it was taken when it came.
    const held = await findInboxPackageByUid(this.store.db, p.uid);
    if (held) return { uid: held.uid, received: false };
    const misrouted = await this.misrouted(p.country);
    if (misrouted) throw new AllianceError('LEAD_PACKAGE_MISROUTED', `lead package ${p.uid.slice(0, 200)} from ${peerName}: ${misrouted}; nothing was stored`);
    const e = body as { payload: string; signature: string };
    const { row, created } = await this.store.db.transaction().execute(async (tx) => {
      const t = now();
      const res = await insertInboxPackage(tx, {
        uid: p.uid,
        from_peer: peerName,
        prior_uid: p.prior_uid,
        operation: p.operation.name,
        country: p.country,
        payload: e.payload,
        signature: e.signature,
        targets: p.targets.length,
        state: 'received',
        reason: null,
        assignee: null,
        received_at: t,
        updated_at: t,
      });
      if (res.created)
        await this.audit.record(tx, peerPrincipal(peerName), 'lead.receive', p.uid, { targets: p.targets.length, prior_uid: p.prior_uid }, p.targets.length);
      return res;
    });
    return { uid: row.uid, received: created };
  }

  /**
   * Why a package for `country` does not belong at this node (null: it does). Packages go to
   * authorities only: a node whose own member is not an `authority` takes none. An authority takes
   * its own country's, and — as the sender's fall-back contact, which may handle or forward them —
   * those of a country for which its routing table names no authority's peer (none, or the
   * CyberTipline, which takes no lead packages). A country whose authority it does know is that
   * authority's: the sender is told where to send it.
   */
  private async misrouted(country: string): Promise<string | null> {
    const self = this.federation.self;
    if (self.kind !== 'authority') return `this node (${self.name}) is a ${self.kind}'s, not an authority's: lead packages go to receiving authorities only`;
    if (country === self.country) return null;
    const known = (await listAuthorities(this.store.db)).find((a) => a.country === country && a.destination === 'peer' && a.peer);
    if (!known?.peer) return null;
    return `it is for ${country}, whose receiving authority is ${known.peer} (this node's routing table): this node (${self.name}, ${self.country ?? 'no country'}) is neither ${country}'s authority nor a fall-back contact for it — send it to ${known.peer}`;
  }

  async inbox(actor: Principal): Promise<InboxView[]> {
    requirePermission(actor, 'cases');
    const rows = await listInbox(this.store.db);
    const updates = await listLeadUpdates(
      this.store.db,
      'out',
      rows.map((r) => r.uid),
    );
    const forwards = await this.forwardViews(rows.map((r) => r.uid));
    return rows.map((r) =>
      inboxView(
        r,
        updates.filter((u) => u.package_uid === r.uid),
        forwards.get(r.uid) ?? [],
      ),
    );
  }

  async received(actor: Principal, id: number): Promise<InboxView> {
    requirePermission(actor, 'cases');
    const r = await this.inboxRow(id);
    return inboxView(r, await listLeadUpdates(this.store.db, 'out', [r.uid]), (await this.forwardViews([r.uid])).get(r.uid) ?? []);
  }

  /** Per received package: the packages forwarded from it, with what their receivers said. */
  private async forwardViews(inboxUids: string[]): Promise<Map<string, PackageView[]>> {
    const rows = await forwardedPackages(this.store.db, inboxUids);
    const updates = await listLeadUpdates(
      this.store.db,
      'in',
      rows.map((p) => p.uid),
    );
    const out = new Map<string, PackageView[]>();
    for (const p of rows)
      (out.get(p.forwarded_from!) ?? out.set(p.forwarded_from!, []).get(p.forwarded_from!)!).push(
        packageView(
          p,
          p.peer ? `forwarded to ${p.peer}` : '',
          updates.filter((u) => u.package_uid === p.uid),
        ),
      );
    return out;
  }

  /**
   * Re-referral: forwards targets of a received package to a third country's authority (its
   * receiving authority in this node's routing table, else the fall-back): a new package, signed by
   * this node, carrying those targets as received and the chain (each package it came through,
   * the origin first). Its receiver's outcomes come back here and are relayed on to the origin,
   * each hop's signed update inside the next one's.
   */
  async forward(actor: Principal, id: number, input: { targets: string[]; country: string }): Promise<InboxView> {
    requirePermission(actor, 'cases');
    const r = await this.inboxRow(id);
    if (r.state !== 'acknowledged' && r.state !== 'accepted')
      throw invalid(`lead package ${r.uid} is ${r.state}: acknowledge or accept it before forwarding its targets; nothing was forwarded`);
    const cc = String(input.country ?? '')
      .trim()
      .toUpperCase();
    if (!isCountryCode(cc)) throw invalid(`country: "${String(input.country).slice(0, 10)}" is not an ISO 3166-1 alpha-2 code`);
    const refs = Array.isArray(input.targets) ? input.targets.map((t) => String(t)) : [];
    if (refs.length === 0) throw invalid('targets: name the targets to forward (their refs in the package)');
    if (new Set(refs).size !== refs.length) throw invalid('targets: a target is named twice');
    const orig = parseJson<PackagePayload>(r.payload, {} as PackagePayload);
    const chain = [...(orig.chain ?? []), { uid: orig.uid, from: orig.from }];
    if (chain.length >= MAX_CHAIN) throw invalid(`lead package ${r.uid} was forwarded ${chain.length - 1} times already: at most ${MAX_CHAIN - 1}`);
    const byRef = new Map((orig.targets ?? []).map((t) => [t.ref, t]));
    const chosen = refs.map((ref) => {
      const t = byRef.get(ref);
      if (!t) throw invalid(`target "${ref.slice(0, 80)}" is not in lead package ${r.uid}: nothing was forwarded`);
      return t;
    });
    for (const t of chosen) checkDeliverable(t, '', 'nothing was forwarded');
    const before = (await forwardedPackages(this.store.db, [r.uid])).filter((p) => p.country === cc);
    for (const p of before) {
      const again = (await leadPackageRefs(this.store.db, p.id)).filter((ref) => refs.includes(ref));
      if (again.length) throw invalid(`target "${again[0].slice(0, 80)}" was forwarded to ${cc} already (${p.uid}): nothing was forwarded`);
    }
    const route = await this.route(this.store.db, cc);
    if (!route.peer) throw invalid(`${route.explanation}; nothing was forwarded`);
    if (route.peer === r.from_peer || route.peer === this.self)
      throw invalid(`${cc}'s receiving authority is ${route.peer}, where the package comes from or this node: decline it or record the outcome instead`);
    const peer = route.peer;
    await this.store.db.transaction().execute(async (tx) => {
      let prior: { uid: string } | null = null;
      const createdAt = now();
      for (const part of parts(chosen, PART_BYTES)) {
        const p = await insertLeadPackage(
          tx,
          {
            operation_id: null,
            country: cc,
            prior_uid: prior?.uid ?? null,
            peer,
            state: 'queued',
            targets: part.length,
            created_by: actor.actor,
            created_at: createdAt,
            queued_at: createdAt,
            forwarded_from: r.uid,
            handling: JSON.stringify(orig.handling ?? []),
          },
          part.map((t) => ({ ref: t.ref, digest: digest(t) })),
          (n) => `${this.self}/lead-package/${n}`,
          (uid) => {
            const payload: PackagePayload = {
              type: 'alliance.lead-package',
              uid,
              prior_uid: prior?.uid ?? null,
              from: this.self,
              country: cc,
              created_at: new Date(createdAt).toISOString(),
              operation: orig.operation,
              handling: orig.handling ?? [],
              targets: part,
              chain,
            };
            const e = seal(this.federation.identity, payload);
            return { payload: e.payload, signature: e.signature };
          },
        );
        await enqueueJob(tx, LEAD_PACKAGE_JOB, { package_id: p.id });
        await this.audit.record(tx, actor, 'lead.forward', p.uid, { from: r.uid, country: cc, peer, targets: part.map((t) => t.ref) }, part.length);
        prior = p;
      }
    });
    return this.received(actor, id);
  }

  private async inboxRow(id: number): Promise<LeadInboxRow> {
    const r = Number.isSafeInteger(id) ? await findInboxPackage(this.store.db, id) : undefined;
    if (!r) throw new AllianceError('LEAD_NOT_FOUND', `no received lead package ${String(id).slice(0, 40)}`);
    return r;
  }

  async acknowledge(actor: Principal, id: number): Promise<InboxView> {
    return this.change(actor, id, 'acknowledged', (r) => {
      if (r.state !== 'received') throw invalid(`lead package ${r.uid} is ${r.state} already`);
      return { state: 'acknowledged' };
    });
  }

  async accept(actor: Principal, id: number): Promise<InboxView> {
    return this.change(actor, id, 'accepted', (r) => {
      if (r.state !== 'received' && r.state !== 'acknowledged') throw invalid(`lead package ${r.uid} is ${r.state} already`);
      return { state: 'accepted' };
    });
  }

  async decline(actor: Principal, id: number, reason: string): Promise<InboxView> {
    const why = text(reason, 'reason', 1000);
    return this.change(actor, id, 'declined', (r) => {
      if (r.state !== 'received' && r.state !== 'acknowledged') throw invalid(`lead package ${r.uid} is ${r.state} already`);
      return { state: 'declined', reason: why };
    });
  }

  async assign(actor: Principal, id: number, assignee: string): Promise<InboxView> {
    const who = text(assignee, 'assignee', 200);
    return this.change(actor, id, 'assigned', (r) => {
      if (r.state === 'declined') throw invalid(`lead package ${r.uid} is declined`);
      return { assignee: who };
    });
  }

  /**
   * An outcome for one target of an accepted package (victims safeguarded: a count, pseudonymous,
   * with the series where known). Refused for a target not in the package.
   */
  async outcome(
    actor: Principal,
    id: number,
    input: { target: string; outcome: string; count?: number | null; series?: string[]; at?: string | null },
  ): Promise<InboxView> {
    const outcome = input.outcome as Outcome;
    if (!OUTCOMES.includes(outcome)) throw invalid(`outcome: one of ${OUTCOMES.join(', ')}`);
    const count = input.count ?? null;
    if (outcome === 'victims_safeguarded' && (count === null || !Number.isSafeInteger(count) || count < 1))
      throw invalid('count: victims safeguarded is a count of 1 or more (no names: pseudonymous)');
    if (count !== null && (!Number.isSafeInteger(count) || count < 1 || count > 100_000)) throw invalid('count: a whole number from 1');
    const series = (input.series ?? []).map((s) => text(s, 'series', 200));
    const at = input.at ? parseIsoTime(input.at) : now();
    if (at === null || at === undefined) throw invalid('at: an ISO 8601 time');
    return this.change(
      actor,
      id,
      'outcome',
      (r) => {
        if (r.state === 'declined')
          throw new AllianceError(
            'LEAD_PACKAGE_DECLINED',
            `lead package ${r.uid} was declined: a decline is final, it takes no outcomes; nothing was recorded`,
          );
        if (r.state !== 'accepted') throw invalid(`lead package ${r.uid} is ${r.state}: outcomes are recorded on an accepted package`);
        const p = parseJson<PackagePayload>(r.payload, {} as PackagePayload);
        if (!p.targets?.some((t) => t.ref === input.target))
          throw invalid(`target "${String(input.target).slice(0, 80)}" is not in lead package ${r.uid}: nothing was recorded`);
        return {};
      },
      { target: input.target, outcome, count, series, at },
    );
  }

  /** A change on a received package, and its status update queued for the origin, in one transaction. */
  private async change(
    actor: Principal,
    id: number,
    update: UpdateType,
    check: (r: LeadInboxRow) => Partial<Pick<LeadInboxRow, 'state' | 'reason' | 'assignee'>>,
    outcome?: { target: string; outcome: Outcome; count: number | null; series: string[]; at: number },
  ): Promise<InboxView> {
    requirePermission(actor, 'cases');
    const r = await this.inboxRow(id);
    const set = check(r);
    await this.store.db.transaction().execute(async (tx) => {
      const seq = await this.queueUpdate(tx, r, update, set, outcome);
      await this.audit.record(tx, actor, `lead.${update}`, r.uid, {
        seq,
        ...set,
        ...(outcome ? { target: outcome.target, outcome: outcome.outcome, count: outcome.count } : {}),
      });
    });
    return this.received(actor, id);
  }

  /** A status update on a received package, signed and queued for its origin (in the caller's transaction); its sequence number. */
  private async queueUpdate(
    tx: Executor,
    r: LeadInboxRow,
    update: UpdateType,
    set: Partial<Pick<LeadInboxRow, 'state' | 'reason' | 'assignee'>>,
    outcome?: { target: string; outcome: Outcome; count: number | null; series: string[]; at: number },
    relayed?: Relayed,
  ): Promise<number> {
    const seq = await advanceInbox(tx, r.id, set);
    const at = outcome?.at ?? now();
    const payload: UpdatePayload = {
      type: 'alliance.lead-update',
      package_uid: r.uid,
      from: this.self,
      to: r.from_peer,
      seq,
      update,
      at: new Date(at).toISOString(),
      ...(set.reason !== undefined ? { reason: set.reason } : {}),
      ...(set.assignee !== undefined ? { assignee: set.assignee } : {}),
      ...(outcome ? { target: outcome.target, outcome: outcome.outcome, count: outcome.count, series: outcome.series } : {}),
      ...(relayed ? { relayed } : {}),
    };
    const e = seal(this.federation.identity, payload);
    const u = await insertLeadUpdate(tx, {
      direction: 'out',
      package_uid: r.uid,
      peer: r.from_peer,
      seq,
      type: update,
      target_ref: outcome?.target ?? null,
      outcome: outcome?.outcome ?? null,
      count: outcome?.count ?? null,
      series: outcome ? JSON.stringify(outcome.series) : null,
      at,
      payload: e.payload,
      signature: e.signature,
      state: 'queued',
      last_error: null,
      created_at: now(),
      delivered_at: null,
    });
    await enqueueJob(tx, LEAD_UPDATE_JOB, { update_id: u.id });
    return seq;
  }

  /** Delivers a queued status update to the package's origin (the delivery job; throws to be retried). */
  async deliverUpdate(updateId: number): Promise<void> {
    const u = await findLeadUpdate(this.store.db, updateId);
    if (!u || u.direction !== 'out' || u.state !== 'queued') return;
    try {
      await this.federation.postToPeer(u.peer, '/federation/v1/lead-updates', {
        payload: u.payload,
        signature: u.signature,
        key: this.federation.identity.publicKey,
      });
    } catch (err) {
      // The origin has it already (an earlier attempt arrived but its answer was lost): delivered.
      if (!(err instanceof AllianceError && err.details?.peer_code === 'LEAD_UPDATE_REPLAYED')) {
        await recordLeadUpdateDelivery(this.store.db, u.id, (err as Error).message);
        throw err;
      }
    }
    await recordLeadUpdateDelivery(this.store.db, u.id, null);
  }

  /** A status update from a package's receiver (the federation route): verified, then kept once. */
  async receiveUpdate(peerName: string, body: unknown): Promise<{ package_uid: string; seq: number; received: true }> {
    const peer = await this.federation.findPeer(peerName).catch(() => undefined);
    if (!peer) throw new AllianceError('LEAD_UPDATE_INVALID', `${peerName.slice(0, 100)} is not a registered peer`);
    let u: Partial<UpdatePayload>;
    try {
      u = open(body, peer.public_key) as Partial<UpdatePayload>;
    } catch (err) {
      throw new AllianceError('LEAD_UPDATE_INVALID', `status update from ${peerName}: ${(err as Error).message}`);
    }
    const bad = (why: string) => new AllianceError('LEAD_UPDATE_INVALID', `status update from ${peerName}: ${why}; nothing changed`);
    if (typeof u !== 'object' || u === null || u.type !== 'alliance.lead-update') throw bad('not a lead package status update');
    if (u.from !== peerName || u.to !== this.self) throw bad(`it is from "${String(u.from).slice(0, 100)}" to "${String(u.to).slice(0, 100)}"`);
    if (typeof u.package_uid !== 'string' || !Number.isSafeInteger(u.seq) || (u.seq as number) < 1) throw bad('it names no package and sequence number');
    if (!UPDATE_TYPES.includes(u.update as UpdateType)) throw bad(`"${String(u.update).slice(0, 40)}" is not a status`);
    const at = typeof u.at === 'string' ? parseIsoTime(u.at) : null;
    if (at === null || at === undefined) throw bad('it carries no time');
    const p = await findLeadPackageByUid(this.store.db, u.package_uid);
    if (!p || p.peer !== peerName || (p.state !== 'delivered' && p.state !== 'queued'))
      throw bad(`no lead package ${u.package_uid.slice(0, 120)} was sent to ${peerName}`);
    if (u.update === 'outcome') {
      if (!OUTCOMES.includes(u.outcome as Outcome)) throw bad(`"${String(u.outcome).slice(0, 40)}" is not an outcome`);
      if (typeof u.target !== 'string' || !(await leadPackageHasTarget(this.store.db, p.id, u.target)))
        throw bad(`target "${String(u.target).slice(0, 80)}" is not in lead package ${p.uid}`);
      if (u.count !== null && u.count !== undefined && (!Number.isSafeInteger(u.count) || u.count < 1)) throw bad('its count is not a whole number from 1');
      if (u.series !== undefined && (!Array.isArray(u.series) || u.series.some((s) => typeof s !== 'string' || s.length > 200)))
        throw bad('its series are not uids');
    }
    if (u.relayed !== undefined) {
      if (u.update !== 'outcome') throw bad('only outcomes are relayed');
      const why = await this.checkRelayed(u as UpdatePayload);
      if (why) throw bad(`the outcome it relays ${why}`);
    }
    if (await findLeadUpdateBySeq(this.store.db, 'in', p.uid, u.seq!))
      throw new AllianceError('LEAD_UPDATE_REPLAYED', `status update ${u.seq} on ${p.uid} was received already; nothing changed`);
    const e = body as { payload: string; signature: string };
    try {
      await this.store.db.transaction().execute(async (tx) => {
        // One update at a time per package (the row locked): the decline check below sees every update taken before.
        await lockLeadPackage(tx, p.id);
        const conflict = declineConflict(await listLeadUpdates(tx, 'in', [p.uid]), u as UpdatePayload);
        if (conflict) throw new AllianceError('LEAD_PACKAGE_DECLINED', `status update from ${peerName} on ${p.uid}: ${conflict}; nothing changed`);
        await insertLeadUpdate(tx, {
          direction: 'in',
          package_uid: p.uid,
          peer: peerName,
          seq: u.seq!,
          type: u.update!,
          target_ref: u.update === 'outcome' ? u.target! : null,
          outcome: u.update === 'outcome' ? u.outcome! : null,
          count: u.update === 'outcome' ? (u.count ?? null) : null,
          series: u.update === 'outcome' ? JSON.stringify(u.series ?? []) : null,
          at,
          payload: e.payload,
          signature: e.signature,
          state: 'received',
          last_error: null,
          created_at: now(),
          delivered_at: null,
        });
        await this.audit.record(tx, peerPrincipal(peerName), 'lead.status', p.uid, {
          seq: u.seq,
          update: u.update,
          ...(u.update === 'outcome' ? { target: u.target, outcome: u.outcome, count: u.count ?? null } : {}),
        });
        // Re-referral: an outcome on a package this node forwarded goes on to the package it came from, its receiver's signed update inside.
        const from = p.forwarded_from ? await findInboxPackageByUid(tx, p.forwarded_from) : undefined;
        if (from && u.update === 'outcome') {
          const seq = await this.queueUpdate(
            tx,
            from,
            'outcome',
            {},
            { target: u.target!, outcome: u.outcome!, count: u.count ?? null, series: u.series ?? [], at },
            { from: peerName, package_uid: p.uid, seq: u.seq!, envelope: { payload: e.payload, signature: e.signature, key: peer.public_key } },
          );
          await this.audit.record(tx, peerPrincipal(peerName), 'lead.relay', from.uid, { seq, from: p.uid, target: u.target, outcome: u.outcome });
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AllianceError('LEAD_UPDATE_REPLAYED', `status update ${u.seq} on ${p.uid} was received already; nothing changed`);
      throw err;
    }
    return { package_uid: p.uid, seq: u.seq!, received: true };
  }

  /**
   * Why a relayed outcome is not what the update says (null: it is): each hop's update must be
   * signed by the key it carries and say the same outcome for the same target, sent to the hop
   * that relays it, about a package of that hop's. The key a hop carries is checked against what
   * this node knows: the key registered for it when it is a peer (a mismatch is refused), this
   * node's own when the hop is this node. A hop this node does not know is verified only with the
   * key it carries, which the hop above signed (and checked against its registered key when the
   * update reached it): its key is vouched for by the chain, not known here.
   */
  private async checkRelayed(outer: UpdatePayload, depth = 1): Promise<string | null> {
    const rel = outer.relayed as Partial<Relayed>;
    if (typeof rel !== 'object' || rel === null || typeof rel.from !== 'string' || typeof rel.package_uid !== 'string' || !Number.isSafeInteger(rel.seq))
      return 'names no package and sender';
    if (depth >= MAX_CHAIN) return `went through more than ${MAX_CHAIN} packages`;
    const env = rel.envelope;
    if (typeof env !== 'object' || env === null || typeof env.payload !== 'string' || typeof env.signature !== 'string' || typeof env.key !== 'string')
      return 'carries no signed update';
    if (!rel.package_uid.startsWith(`${outer.from}/`)) return `names a package (${rel.package_uid.slice(0, 120)}) that is not ${outer.from}'s`;
    if (rel.from === this.self) {
      if (env.key !== this.federation.identity.publicKey) return `is not signed by this node's key (it says it is from ${this.self})`;
    } else {
      const registered = await this.federation.findPeer(rel.from).catch(() => undefined);
      if (registered && registered.public_key !== env.key) return `is not signed by the key registered for ${rel.from.slice(0, 100)}`;
    }
    if (!verifySignature(env.key, env.payload, env.signature)) return 'has a signature that does not verify';
    const inner = parseJson<Partial<UpdatePayload> | null>(env.payload, null);
    if (
      !inner ||
      inner.type !== 'alliance.lead-update' ||
      inner.from !== rel.from ||
      inner.to !== outer.from ||
      inner.package_uid !== rel.package_uid ||
      inner.seq !== rel.seq ||
      inner.update !== 'outcome' ||
      inner.target !== outer.target ||
      inner.outcome !== outer.outcome ||
      (inner.count ?? null) !== (outer.count ?? null)
    )
      return `is not the outcome ${rel.from.slice(0, 100)} signed`;
    return inner.relayed === undefined ? null : this.checkRelayed(inner as UpdatePayload, depth + 1);
  }
}

/** The most packages a target goes through (the origin's and its forwards). */
const MAX_CHAIN = 10;

function handlingLines(h: HandlingInput): string[] {
  const lines: string[] = [];
  if (h.no_contact_before) {
    const t = parseIsoTime(h.no_contact_before);
    if (t === null || t === undefined) throw invalid('handling.no_contact_before: an ISO 8601 date');
    lines.push(`no direct contact with the target before ${new Date(t).toISOString().slice(0, 10)}`);
  }
  if (h.intelligence_only) lines.push('intelligence only: not to be used as evidence without the sender’s consent');
  for (const r of h.restrictions ?? []) lines.push(text(r, 'handling.restrictions', 500));
  if (lines.length > 20) throw invalid('handling: at most 20 restrictions');
  return lines;
}

/** A target as a package carries it: no restricted notes, no media, hashes with what they matched. */
function packageTarget(t: {
  ref: string;
  identifiers: string;
  confidence: string;
  reasons: string;
  override_country: string | null;
  matched: string;
}): PackageTarget {
  const ids = parseIdentifiers(t.identifiers);
  const matched = new Map(parseJson<HashMatch[]>(t.matched, []).map((m) => [m.hash, m]));
  const { hashes, ...identifiers } = ids;
  return {
    ref: t.ref,
    identifiers,
    evidence: { confidence: t.confidence, reasons: parseJson<Reason[]>(t.reasons, []), country_set_by_analyst: t.override_country !== null },
    content: hashes.map((h) => ({ hash: h, classification: matched.get(h)?.classification ?? null, series: matched.get(h)?.series ?? [] })),
  };
}

const LIMITS = { targets: 100_000, text: 2000 };

/** A received package's payload checked: it is the sending member's, well-formed, within limits. */
function checkPackage(peerName: string, p: Partial<PackagePayload>): PackagePayload {
  const bad = (why: string) => new AllianceError('LEAD_PACKAGE_INVALID', `lead package from ${peerName}: ${why}; nothing was stored`);
  if (typeof p !== 'object' || p === null || p.type !== 'alliance.lead-package') throw bad('not a lead package');
  if (p.from !== peerName) throw bad(`it says it is from "${String(p.from).slice(0, 100)}"`);
  if (typeof p.uid !== 'string' || !p.uid.startsWith(`${peerName}/`) || p.uid.length > 200) throw bad(`its uid is not "${peerName}/…"`);
  // prior_uid is always said: null is the first package of a chain, absent is a sender that does not say (§9.2).
  if (p.prior_uid === undefined) throw bad('prior_uid is missing: null for the first package of a chain, or the uid of the package it supplements');
  if (p.prior_uid !== null && (typeof p.prior_uid !== 'string' || !p.prior_uid.startsWith(`${peerName}/`)))
    throw bad('it can only supplement its own packages');
  if (typeof p.country !== 'string' || !isCountryCode(p.country)) throw bad('it names no country');
  const o = p.operation;
  if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || typeof o.legal_basis !== 'string' || typeof o.contact_point !== 'string')
    throw bad('it names no operation with a legal basis and a contact point');
  if (!Array.isArray(p.handling) || p.handling.some((h) => typeof h !== 'string' || h.length > LIMITS.text))
    throw bad('its handling restrictions are not text');
  if (!Array.isArray(p.targets) || p.targets.length === 0 || p.targets.length > LIMITS.targets)
    throw bad(`it carries no targets (or more than ${LIMITS.targets})`);
  if (
    p.chain !== undefined &&
    (!Array.isArray(p.chain) ||
      p.chain.length === 0 ||
      p.chain.length >= MAX_CHAIN ||
      p.chain.some(
        (l) => typeof l !== 'object' || l === null || typeof l.uid !== 'string' || typeof l.from !== 'string' || l.uid.length > 200 || l.from.length > 100,
      ))
  )
    throw bad('its chain (the packages it was forwarded from) is malformed');
  const refs = new Set<string>();
  for (const t of p.targets) {
    if (typeof t !== 'object' || t === null || typeof t.ref !== 'string' || !t.ref || t.ref.length > 200) throw bad('a target has no reference');
    if (refs.has(t.ref)) throw bad(`target "${t.ref.slice(0, 80)}" is in it twice`);
    refs.add(t.ref);
    if (typeof t.identifiers !== 'object' || t.identifiers === null || !Array.isArray(t.content)) throw bad(`target "${t.ref.slice(0, 80)}" is malformed`);
  }
  return p as PackagePayload;
}

/**
 * Why an update contradicts a decline among a package's updates held (null: it does not). A
 * receiver declines only a package it has not accepted and records outcomes only on an accepted
 * one, and there is no re-open step: its own outcome on a package it declined, or its decline of
 * a package it reported outcomes on, is refused, whichever arrives first. An outcome relayed from a
 * forward of the package is not the receiver's own (it forwarded the targets before declining) and
 * is kept.
 */
function declineConflict(held: LeadUpdateRow[], u: UpdatePayload): string | null {
  if (u.update === 'outcome' && u.relayed === undefined) {
    const declined = held.find((h) => h.type === 'declined');
    if (declined) return `its receiver declined it (update ${declined.seq}): a decline is final, the package takes no outcomes of its receiver's`;
  }
  if (u.update === 'declined') {
    const own = held.find((h) => h.type === 'outcome' && parseJson<Partial<UpdatePayload>>(h.payload, {}).relayed === undefined);
    if (own) return `its receiver reported an outcome on it (update ${own.seq}): a package with outcomes was accepted and is not declined`;
  }
  return null;
}

/** The nodes an outcome was relayed from, the nearest first. */
function viaOf(payload: string): string[] {
  const via: string[] = [];
  let rel = parseJson<Partial<UpdatePayload>>(payload, {}).relayed;
  while (rel && via.length < MAX_CHAIN) {
    via.push(rel.from);
    rel = parseJson<Partial<UpdatePayload>>(rel.envelope?.payload ?? '', {}).relayed;
  }
  return via;
}

function outcomesOf(updates: LeadUpdateRow[]): Record<string, OutcomeView[]> {
  const out: Record<string, OutcomeView[]> = {};
  for (const u of updates)
    if (u.type === 'outcome' && u.target_ref && u.outcome)
      (out[u.target_ref] ??= []).push({
        outcome: u.outcome,
        count: u.count,
        series: parseJson<string[]>(u.series, []),
        at: iso(u.at)!,
        seq: u.seq,
        via: viaOf(u.payload),
      });
  return out;
}

function packageView(p: LeadPackageSummary, explanation: string, updates: LeadUpdateRow[]): PackageView {
  const first = (type: string) => updates.find((u) => u.type === type);
  const status = [...updates].reverse().find((u) => u.type === 'acknowledged' || u.type === 'accepted' || u.type === 'declined');
  const assigned = [...updates].reverse().find((u) => u.type === 'assigned');
  return {
    id: p.id,
    uid: p.uid,
    prior_uid: p.prior_uid,
    country: p.country,
    peer: p.peer,
    state: p.state,
    explanation,
    targets: p.targets,
    handling: parseJson<string[]>(p.handling, []),
    attempts: p.attempts,
    last_error: p.last_error,
    receipt: parseJson<unknown>(p.receipt, null),
    created_at: iso(p.created_at)!,
    delivered_at: iso(p.delivered_at),
    status: status?.type ?? (p.state === 'delivered' ? 'received' : null),
    reason: status?.type === 'declined' ? (parseJson<UpdatePayload>(status.payload, {} as UpdatePayload).reason ?? null) : null,
    assignee: assigned ? (parseJson<UpdatePayload>(assigned.payload, {} as UpdatePayload).assignee ?? null) : null,
    acknowledged_at: iso(first('acknowledged')?.at ?? first('accepted')?.at ?? first('declined')?.at ?? null),
    accepted_at: iso(first('accepted')?.at ?? null),
    outcomes: outcomesOf(updates),
    updates: updates.length,
  };
}

/*
 * A received package as shown: a sender may leave out or mistype what checkPackage does not need
 * (another implementation, an older version); the signed payload is kept as it came, and the view
 * shows what is missing as empty (or null) and drops what is not of its type.
 */
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const shownText = (v: unknown): string => (typeof v === 'string' ? v : '');
const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const records = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.map(record) : []);
const BASES = new Set(['ip', 'account', 'email_domain']);

function shownOperation(v: unknown): PackagePayload['operation'] {
  const o = record(v);
  return {
    uid: shownText(o.uid),
    name: shownText(o.name),
    legal_basis: shownText(o.legal_basis),
    owner_agency: shownText(o.owner_agency),
    contact_point: shownText(o.contact_point),
    starts_at: textOrNull(o.starts_at),
    ends_at: textOrNull(o.ends_at),
  };
}

function shownTarget(v: unknown): PackageTarget {
  const t = record(v);
  const ids = record(t.identifiers);
  const evidence = record(t.evidence);
  return {
    ref: shownText(t.ref),
    identifiers: {
      usernames: texts(ids.usernames),
      emails: texts(ids.emails),
      ips: records(ids.ips)
        .filter((i) => typeof i.ip === 'string')
        .map((i) => ({ ip: i.ip as string, at: textOrNull(i.at) })),
      account_country: textOrNull(ids.account_country),
      payment_refs: texts(ids.payment_refs),
      device_ids: texts(ids.device_ids),
    },
    evidence: {
      confidence: shownText(evidence.confidence),
      reasons: records(evidence.reasons)
        .filter((r) => BASES.has(r.basis as string) && typeof r.country === 'string')
        .map((r) => ({ basis: r.basis as Reason['basis'], country: r.country as string, evidence: shownText(r.evidence) })),
      country_set_by_analyst: evidence.country_set_by_analyst === true,
    },
    content: records(t.content)
      .filter((c) => typeof c.hash === 'string')
      .map((c) => ({ hash: c.hash as string, classification: textOrNull(c.classification), series: texts(c.series) })),
  };
}

function inboxView(r: LeadInboxRow, updates: LeadUpdateRow[], forwards: PackageView[]): InboxView {
  const p = parseJson<PackagePayload>(r.payload, {} as PackagePayload);
  return {
    id: r.id,
    uid: r.uid,
    prior_uid: r.prior_uid,
    from: r.from_peer,
    country: r.country,
    state: r.state,
    reason: r.reason,
    assignee: r.assignee,
    received_at: iso(r.received_at)!,
    operation: shownOperation(p.operation),
    handling: texts(p.handling),
    targets: (Array.isArray(p.targets) ? p.targets : []).map(shownTarget),
    outcomes: outcomesOf(updates),
    updates: { sent: updates.length, delivered: updates.filter((u) => u.state === 'delivered').length },
    chain: p.chain ?? [],
    forwards,
  };
}
