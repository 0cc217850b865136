/**
 * Deconfliction: an investigator opens a case and registers its targets; each is kept as a keyed
 * hash only (targets.ts). When two cases hold the same keyed hash (for IP addresses: with
 * overlapping time windows), both get an alert naming the other case, its member and its contact
 * point — never the identifier. Every check is audited. (Across nodes: the same keyed hashes will
 * travel over the federation link; this node's part is the matching and the alerts.)
 */
import type { BackgroundTask } from '../jobs/background.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError, failWith } from '../errors/catalogue.js';
import { peerPrincipal, requirePermission, type Principal } from '../members/principal.js';
import {
  caseByUid,
  type CaseRow,
  type Executor,
  findPeer,
  insertAlert,
  insertOwnCase,
  insertReceivedCase,
  insertTarget,
  listAlerts,
  listOwnCases,
  listPeers,
  lockTargets,
  ownCase,
  ownTargetsSince,
  setCaseContact,
  setTargetCheckpoint,
  type Store,
  targetCheckpoint,
  targetsLike,
  targetsLikeAny,
  insertCaseTargets,
  unknownPeer,
} from '../store/index.js';
import { type Envelope, type FederationService, pullFeed, sealFeedPage } from '../exchange/index.js';
import { DEMO_DECONFLICTION_KEY, hintOf, keyTarget, normaliseTarget, parseKey, TARGET_KINDS, type TargetKind } from './targets.js';
import { parseIsoTime, isoOrNull } from '../time/iso-time.js';

export const TARGETS_FORMAT = 'alliance-targets';
const TARGET_PAGE = 1000;

interface TargetEntry {
  seq: number;
  case: string;
  contact_point: string;
  kind: string;
  keyed_hash: string;
  valid_from: number | null;
  valid_to: number | null;
}

export interface TargetInput {
  kind: string;
  value: string;
  /** IP addresses: when the address was used (ISO 8601). */
  from?: string;
  to?: string;
}

const bad = failWith('CASE_INVALID');

/** A target as stored: its kind, keyed hash, hint and time window. */
type KeyedTarget = { kind: string; keyed_hash: string; hint: string; valid_from: number | null; valid_to: number | null };

/** Another case's target sharing a keyed hash, with that case. */
type OtherTarget = Awaited<ReturnType<typeof targetsLike>>[number];

interface PreparedTarget {
  kind: TargetKind;
  keyed_hash: string;
  hint: string;
  valid_from: number | null;
  valid_to: number | null;
}

/** Another case one of a group's identifiers meets: its uid, its member and whom to call. */
export interface Overlap {
  kind: string;
  /** This side's hint of the identifier (never the identifier). */
  hint: string;
  other_case: string;
  other_member: string;
  other_contact: string;
}

export class DeconflictionService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly self: { name: string },
    private readonly keyText: string | null,
    private readonly federation: FederationService,
  ) {}

  /** Whether the key in use is the public demo key (serve --demo): keyed hashes made with it protect nothing. */
  get demoKey(): boolean {
    return this.keyText === DEMO_DECONFLICTION_KEY;
  }

  async openCase(actor: Principal, input: { reference?: string; contact_point?: string }) {
    requirePermission(actor, 'cases');
    parseKey(this.keyText);
    const reference = input.reference?.trim();
    const contact = input.contact_point?.trim();
    if (!reference || reference.length > 200) throw bad('reference: the case reference, 1–200 characters');
    if (!contact || contact.length > 500) throw bad('contact_point: who to call about an overlap, 1–500 characters');
    return this.store.db.transaction().execute(async (tx) => {
      const row = await insertOwnCase(
        tx,
        { reference, owner_member: this.self.name, contact_point: contact, created_by: actor.actor },
        (id) => `${this.self.name}/case/${id}`,
      );
      const uid = row.uid;
      await this.audit.record(tx, actor, 'case.open', uid, { reference });
      return { id: row.id, uid, reference, contact_point: contact };
    });
  }

  /** Checks targets as given and keys them (CASE_INVALID naming the target at the first bad one). */
  private prepare(key: Buffer, targets: TargetInput[], max = 1000): PreparedTarget[] {
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > max) throw bad(`targets: 1–${max.toLocaleString('en')} of them`);
    return targets.map((t, i) => {
      if (!(TARGET_KINDS as readonly string[]).includes(t.kind)) throw bad(`targets[${i}].kind: one of ${TARGET_KINDS.join(', ')}`);
      if (typeof t.value !== 'string' || t.value.length > 2000) throw bad(`targets[${i}].value: the identifier`);
      const kind = t.kind as TargetKind;
      const normalised = normaliseTarget(kind, t.value);
      const from = t.from ? (parseIsoTime(t.from) ?? NaN) : null;
      const to = t.to ? (parseIsoTime(t.to) ?? NaN) : null;
      if ((from !== null && Number.isNaN(from)) || (to !== null && Number.isNaN(to)) || (from !== null && to !== null && to < from))
        throw bad(`targets[${i}]: from and to are ISO 8601 times, from before to`);
      return { kind, keyed_hash: keyTarget(key, kind, normalised), hint: hintOf(kind, normalised), valid_from: from, valid_to: to };
    });
  }

  /** Registers targets on a case and checks each against every other case on this node. */
  async addTargets(actor: Principal, caseId: number, targets: TargetInput[]) {
    requirePermission(actor, 'cases');
    const key = parseKey(this.keyText);
    const c = await ownCase(this.store.db, caseId);
    if (!c) throw new AllianceError('CASE_NOT_FOUND', `no case ${caseId} of this member`);
    const prepared = this.prepare(key, targets);
    const { alerts } = await this.register(actor, c, [prepared]);
    return { case: c.uid, targets: prepared.length, alerts };
  }

  /**
   * Registers groups of targets (each group one person's identifiers, e.g. an operation's target)
   * on a case and returns, per group, the other cases its identifiers meet — local ones and those
   * received over the federation — with their contact points. Alerts are raised as addTargets does.
   */
  async checkGroups(actor: Principal, caseId: number, groups: TargetInput[][]): Promise<Overlap[][]> {
    requirePermission(actor, 'cases');
    const key = parseKey(this.keyText);
    const c = await ownCase(this.store.db, caseId);
    if (!c) throw new AllianceError('CASE_NOT_FOUND', `no case ${caseId} of this member`);
    const prepared = groups.map((g) => (g.length === 0 ? [] : this.prepare(key, g)));
    return (await this.register(actor, c, prepared)).overlaps;
  }

  private async register(actor: Principal, c: CaseRow, groups: PreparedTarget[][]): Promise<{ alerts: number; overlaps: Overlap[][] }> {
    const all = groups.flat();
    return this.store.db.transaction().execute(async (tx) => {
      let alerts = 0;
      const overlaps: Overlap[][] = [];
      await lockTargets(tx); // positions in the targets feed are these rows' ids
      // Other cases' targets are what a target is compared with: found for the whole call in a few
      // queries, then the call's targets written at once (its own case is never compared with itself).
      const others = new Map<string, OtherTarget[]>();
      for (const o of await targetsLikeAny(tx, [...new Set(all.map((t) => t.keyed_hash))], c.id))
        others.set(o.keyed_hash, [...(others.get(o.keyed_hash) ?? []), o]);
      await insertCaseTargets(tx, this.store.dialect, c.id, all);
      for (const group of groups) {
        const met = new Map<string, Overlap>();
        for (const t of group) {
          const found = await this.overlapWith(tx, c, t, others.get(t.keyed_hash) ?? []);
          alerts += found.alerts;
          for (const o of found.others) met.set(`${o.other_case} ${o.kind} ${o.hint}`, o);
        }
        overlaps.push([...met.values()]);
      }
      await this.audit.record(tx, actor, 'deconfliction.check', c.uid, { targets: all.length, kinds: [...new Set(all.map((t) => t.kind))], alerts }, alerts);
      return { alerts, overlaps };
    });
  }

  /**
   * Compares one target of case `c` with every other case's targets; raises an alert on each of
   * this node's own cases involved (a received case is its owner's node's business). Returns how
   * many alerts are new, and the other cases met.
   */
  private async overlap(tx: Executor, c: CaseRow, t: KeyedTarget): Promise<{ alerts: number; others: Overlap[] }> {
    return this.overlapWith(tx, c, t, await targetsLike(tx, t.keyed_hash, c.id));
  }

  /** The same, with the other cases' targets sharing t's keyed hash already found. */
  private async overlapWith(tx: Executor, c: CaseRow, t: KeyedTarget, others: OtherTarget[]): Promise<{ alerts: number; others: Overlap[] }> {
    let alerts = 0;
    const met: Overlap[] = [];
    for (const o of others) {
      // An address shared at different times is not the same person: windows must meet.
      if (t.kind === 'ip' && t.valid_from !== null && o.valid_to !== null && o.valid_to < t.valid_from) continue;
      if (t.kind === 'ip' && t.valid_to !== null && o.valid_from !== null && t.valid_to < o.valid_from) continue;
      met.push({ kind: t.kind, hint: t.hint, other_case: o.uid, other_member: o.owner_member, other_contact: o.contact_point });
      const sides = [
        { own: c.received_from === null, mine: c.id, hint: t.hint, theirs: { uid: o.uid, member: o.owner_member, contact: o.contact_point } },
        { own: o.received_from === null, mine: o.id, hint: o.hint, theirs: { uid: c.uid, member: c.owner_member, contact: c.contact_point } },
      ];
      for (const side of sides) {
        if (!side.own) continue;
        alerts += await insertAlert(tx, {
          case_id: side.mine,
          kind: t.kind,
          other_case: side.theirs.uid,
          other_member: side.theirs.member,
          other_contact: side.theirs.contact,
          hint: side.hint,
        });
      }
    }
    return { alerts, others: met };
  }

  // ---- across nodes ---------------------------------------------------------------------------

  /** A signed page of this node's own targets (keyed hashes, kinds, windows, the case's contact point — no hints) after `since`. */
  async page(peerName: string, since: number): Promise<Envelope> {
    if (!Number.isSafeInteger(since) || since < 0) throw new AllianceError('VALIDATION', 'since is a position ≥ 0');
    const rows = await ownTargetsSince(this.store.db, since, TARGET_PAGE + 1);
    const entries = rows.slice(0, TARGET_PAGE).map((r) => ({
      seq: r.id,
      case: r.uid,
      contact_point: r.contact_point,
      kind: r.kind,
      keyed_hash: r.keyed_hash,
      valid_from: r.valid_from,
      valid_to: r.valid_to,
    }));
    return sealFeedPage(this.federation, TARGETS_FORMAT, peerName, since, entries, rows.length > TARGET_PAGE);
  }

  /** Pulls a peer's targets feed to its end, comparing each received key with this node's cases. */
  async pull(peerName: string): Promise<{ peer: string; targets: number; alerts: number; error?: string }> {
    const peer = await findPeer(this.store.db, peerName);
    if (!peer) throw await unknownPeer(this.store.db, peerName);
    let alerts = 0;
    const bad = (why: string) => new AllianceError('FEED_INVALID', `${TARGETS_FORMAT} feed of ${peer.name}: ${why}`);
    const checkpoint = (tx: Executor, values: { checkpoint?: number; last_error: string | null }) => setTargetCheckpoint(tx, peer.id, values);
    try {
      const targets = await pullFeed<TargetEntry>({
        federation: this.federation,
        peer,
        path: '/federation/v1/targets',
        format: TARGETS_FORMAT,
        checkpoint: () => targetCheckpoint(this.store.db, peer.id),
        check: (e) => {
          if (typeof e.case !== 'string' || !e.case.startsWith(`${peer.name}/case/`) || e.case.length > 200)
            throw bad(`a case uid must be "${peer.name}/case/<id>"`);
          if (
            !(TARGET_KINDS as readonly string[]).includes(e.kind) ||
            !/^[0-9a-f]{64}$/.test(e.keyed_hash) ||
            typeof e.contact_point !== 'string' ||
            e.contact_point.length > 500
          )
            throw bad(`target ${e.seq} is malformed`);
          for (const w of [e.valid_from, e.valid_to]) if (w !== null && !Number.isSafeInteger(w)) throw bad(`target ${e.seq}: a time window is malformed`);
        },
        apply: (entries, to) =>
          this.store.db.transaction().execute(async (tx) => {
            let n = 0;
            for (const e of entries) {
              const c = await this.receivedCase(tx, peer.id, peer.name, e.case, e.contact_point);
              const t = { kind: e.kind, keyed_hash: e.keyed_hash, hint: '', valid_from: e.valid_from, valid_to: e.valid_to };
              await insertTarget(tx, c.id, t);
              n += (await this.overlap(tx, c, t)).alerts;
            }
            await checkpoint(tx, { checkpoint: to, last_error: null });
            if (n) await this.audit.record(tx, peerPrincipal(peer.name), 'deconfliction.check', peer.name, { targets: entries.length, alerts: n }, n);
            alerts += n;
          }),
      });
      return { peer: peer.name, targets, alerts };
    } catch (err) {
      const message = (err as Error).message.slice(0, 1000);
      await checkpoint(this.store.db, { last_error: message });
      return { peer: peer.name, targets: 0, alerts, error: message };
    }
  }

  private async receivedCase(tx: Executor, peerId: number, member: string, uid: string, contact: string): Promise<CaseRow> {
    const existing = await caseByUid(tx, uid);
    if (existing) {
      if (existing.contact_point !== contact) await setCaseContact(tx, existing.id, contact);
      return { ...existing, contact_point: contact };
    }
    return insertReceivedCase(tx, { uid, owner_member: member, contact_point: contact, received_from: peerId });
  }

  /** Pulls every peer's targets feed; one unreachable peer does not stop the others. */
  /** Exchanging keyed targets with peers, on the sync interval (none without a deconfliction key). */
  backgroundTasks(syncIntervalMs: number, keyed: boolean): BackgroundTask[] {
    return keyed ? [{ name: 'deconfliction sync', intervalMs: syncIntervalMs, run: () => this.syncAll() }] : [];
  }

  async syncAll(): Promise<Array<{ peer: string; targets: number; alerts: number; error?: string }>> {
    parseKey(this.keyText);
    const out = [];
    for (const p of await listPeers(this.store.db)) out.push(await this.pull(p.name));
    return out;
  }

  /** The alerts of this node's cases (or one case), newest first. */
  async alerts(actor: Principal, caseId?: number) {
    requirePermission(actor, 'cases');
    const rows = await listAlerts(this.store.db, caseId, 1000);
    this.audit.recordRead(actor, 'deconfliction.alerts', caseId === undefined ? null : String(caseId), {}, rows.length);
    return rows.map((r) => ({ ...r, created_at: isoOrNull(r.created_at)! }));
  }

  async cases(actor: Principal) {
    requirePermission(actor, 'cases');
    const rows = await listOwnCases(this.store.db);
    return rows.map((r) => ({ ...r, targets: Number(r.targets ?? 0), created_at: isoOrNull(r.created_at)! }));
  }
}
