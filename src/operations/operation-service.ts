/**
 * Joint operations (issue 18): an authority opens an operation and imports its targets in bulk;
 * each target is attributed to a country from its evidence (attribution.ts) with reasons and a
 * confidence, which an analyst can override, and the content it shared (hashes only) is matched
 * against the banks and the series registry on import. Restricted notes never leave this node.
 * Referral (deconfliction first, lead packages per country) builds on this.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { classificationLabel } from '../banks/classification.js';
import type { DeconflictionService, Overlap } from '../cases/deconfliction.js';
import { AllianceError } from '../errors/catalogue.js';
import { isCountryCode } from '../geo/countries.js';
import type { LookupService } from '../match/lookup-service.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  existingTargetRefs,
  findOperation,
  findOperationByName,
  findTarget,
  insertOperation,
  insertTargets,
  listOperations,
  listTargets,
  markDeconflicted,
  type NewTarget,
  type OperationRow,
  type OperationTargetRow,
  overrideTarget,
  parseJson,
  releaseTarget,
  setOperationCase,
  type Executor,
  type Store,
  targetsByCountry,
  targetsToDeconflict,
  type TargetStatus,
} from '../store/index.js';
import { parseIsoTime } from '../time/iso-time.js';
import { attribute, type Confidence, type Reason } from './attribution.js';
import { checkDeliverableRow } from './leads.js';
import { parseIdentifiers, sharedHashes, targetRecords, type TargetIdentifiers, type TargetRecord } from './targets-file.js';

export interface OperationInput {
  name: string;
  legal_basis: string;
  owner_agency: string;
  contact_point: string;
  starts_at?: string | null;
  ends_at?: string | null;
  /** Restricted: kept on this node only, never in a package. */
  notes?: string | null;
}

export interface OperationView {
  id: number;
  uid: string;
  name: string;
  legal_basis: string;
  owner_agency: string;
  contact_point: string;
  starts_at: string | null;
  ends_at: string | null;
  notes: string | null;
  created_by: string;
  created_at: string;
  targets: number;
}

/** What one hash a target shared matched. */
export interface HashMatch {
  hash: string;
  banks: string[];
  classification: string | null;
  series: string[];
}

export interface TargetView {
  ref: string;
  identifiers: TargetIdentifiers;
  /** The country it is referred to: the analyst's choice if any, else the attributed one. */
  country: string | null;
  attributed: { country: string | null; confidence: Confidence; reasons: Reason[] };
  override: { country: string | null; reason: string | null; by: string; at: string } | null;
  hashes: number;
  matched: HashMatch[];
  /** Checked against deconfliction (null: not yet): the other cases met; held until an analyst releases it. */
  deconfliction: { checked_at: string; overlaps: Overlap[]; held: boolean; released: { reason: string; by: string; at: string } | null } | null;
}

export interface CountryLine {
  /** null: no country could be attributed (the analyst decides). */
  country: string | null;
  targets: number;
  confidence: Record<Confidence, number>;
  overridden: number;
  /** Targets some of whose content matched a bank. */
  with_matches: number;
  /** Targets checked against deconfliction, and those an overlap holds. */
  deconflicted: number;
  held: number;
}

/** One person's identifiers as deconfliction targets (content hashes and payment references are not people's identifiers). */
export function deconflictionTargets(ids: TargetIdentifiers): Array<{ kind: string; value: string; from?: string; to?: string }> {
  const day = 24 * 3600 * 1000;
  return [
    ...ids.usernames.map((value) => ({ kind: 'username', value })),
    ...ids.emails.map((value) => ({ kind: 'email', value })),
    ...ids.device_ids.map((value) => ({ kind: 'device', value })),
    // An address is the same person only around the time it was used: a day either side.
    ...ids.ips.map((e) =>
      e.at
        ? { kind: 'ip', value: e.ip, from: new Date(Date.parse(e.at) - day).toISOString(), to: new Date(Date.parse(e.at) + day).toISOString() }
        : { kind: 'ip', value: e.ip },
    ),
  ];
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const bad = (why: string) => new AllianceError('OPERATION_INVALID', why);

function required(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || !v.trim()) throw bad(`${field}: required`);
  if (v.trim().length > max) throw bad(`${field}: at most ${max} characters`);
  return v.trim();
}

function time(v: string | null | undefined, field: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  const t = parseIsoTime(v);
  if (t === null || t === undefined) throw bad(`${field}: an ISO 8601 time`);
  return t;
}

export class OperationService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly self: { readonly name: string },
    private readonly lookup: Pick<LookupService, 'lookup'>,
    private readonly deconfliction: Pick<DeconflictionService, 'openCase' | 'checkGroups'>,
  ) {}

  async open(actor: Principal, input: OperationInput): Promise<OperationView> {
    requirePermission(actor, 'cases');
    const name = required(input.name, 'name', 200);
    const row = {
      name,
      legal_basis: required(input.legal_basis, 'legal_basis', 2000),
      owner_agency: required(input.owner_agency, 'owner_agency', 300),
      contact_point: required(input.contact_point, 'contact_point', 500),
      starts_at: time(input.starts_at, 'starts_at'),
      ends_at: time(input.ends_at, 'ends_at'),
      notes: input.notes === undefined || input.notes === null || input.notes === '' ? null : required(input.notes, 'notes', 20_000),
      created_by: actor.actor,
    };
    if (row.starts_at !== null && row.ends_at !== null && row.ends_at < row.starts_at) throw bad('ends_at: after starts_at');
    const id = await this.store.db.transaction().execute(async (tx) => {
      if (await findOperationByName(tx, name)) throw new AllianceError('OPERATION_EXISTS', `an operation named "${name.slice(0, 100)}" exists already`);
      const op = await insertOperation(tx, row, (n) => `${this.self.name}/operation/${n}`);
      await this.audit.record(tx, actor, 'operation.open', op.uid, { name, owner_agency: row.owner_agency });
      return op.id;
    });
    return this.get(actor, id);
  }

  async list(actor: Principal): Promise<OperationView[]> {
    requirePermission(actor, 'cases');
    return (await listOperations(this.store.db)).map((o) => view(o, o.targets));
  }

  async get(actor: Principal, id: number): Promise<OperationView> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const lines = await targetsByCountry(this.store.db, op.id);
    return view(
      op,
      lines.reduce((n, l) => n + l.n, 0),
    );
  }

  private async operation(id: number): Promise<OperationRow> {
    const op = Number.isSafeInteger(id) ? await findOperation(this.store.db, id) : undefined;
    if (!op) throw new AllianceError('OPERATION_NOT_FOUND', `no operation ${String(id).slice(0, 40)}`);
    return op;
  }

  /**
   * Imports a target file (CSV, JSON or JSON lines: targets-file.ts) into an operation, reading it
   * twice so memory stays flat at millions of targets: first its shared hashes alone, each distinct
   * one matched against the banks; then every record is checked, attributed and written in one
   * transaction. A bad record, or a reference the operation has already, rolls it back: nothing is
   * imported. `source` opens the file's text.
   */
  async importTargets(actor: Principal, id: number, source: () => AsyncIterable<string>): Promise<{ imported: number; countries: CountryLine[] }> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    // First the shared hashes alone (a quick reading), matched outside the write transaction; the
    // full reading checks every record and writes them in one transaction (a bad one rolls it back).
    const hashes = new Set<string>();
    for await (const hs of sharedHashes(source())) for (const h of hs) hashes.add(h);
    const matches = new Map<string, HashMatch>();
    for (const h of hashes) {
      const m = await this.match(h);
      if (m) matches.set(h, m);
    }
    const imported = await this.store.db.transaction().execute(async (tx) => {
      let n = 0;
      // Each record is made its row as it is read (a batch holds rows, not the records' objects).
      await inBatches(
        targetRecords(source()),
        (r) => checkedRow(r, matches),
        async (batch) => {
          await this.refuseExisting(tx, op, batch); // another import may have run meanwhile
          await insertTargets(tx, this.store.dialect, op.id, batch);
          n += batch.length;
        },
      );
      await this.audit.record(tx, actor, 'operation.import', op.uid, { targets: n }, n);
      return n;
    });
    return { imported, countries: await this.countries(actor, op.id) };
  }

  private async refuseExisting(db: Executor, op: OperationRow, batch: NewTarget[]): Promise<void> {
    const existing = await existingTargetRefs(
      db,
      op.id,
      batch.map((r) => r.ref),
    );
    if (existing.size === 0) return;
    const some = [...existing].slice(0, 5).map((r) => `"${r.slice(0, 60)}"`);
    // A batch short of full is the file's last: the count is then all there is (earlier batches had none).
    const count = batch.length < BATCH ? `${existing.size}` : `at least ${existing.size}`;
    throw bad(
      `${count} target${existing.size === 1 ? ' is' : 's are'} in the operation already (${some.join(', ')}${existing.size > 5 ? ', …' : ''}): nothing was imported`,
    );
  }

  /** What a shared hash matched in the banks (with classification and series), or null. */
  private async match(hash: string): Promise<HashMatch | null> {
    const at = hash.indexOf(':');
    const result = await this.lookup.lookup(hash.slice(0, at), hash.slice(at + 1));
    if (result.matches.length === 0) return null;
    const first = result.matches.find((m) => m.classification) ?? result.matches[0];
    return {
      hash,
      banks: [...new Set(result.matches.map((m) => m.bank))].sort(),
      classification: first.classification ? classificationLabel(first.classification) : null,
      series: [...new Set(result.matches.flatMap((m) => (m.series ?? []).map((s) => s.uid)))].sort(),
    };
  }

  /** An operation's targets in id order: of one country (null: those with none), or those deconfliction holds (`held`) or held and released (`released`). */
  async targets(actor: Principal, id: number, q: { country?: string | null; status?: string; limit?: number; offset?: number } = {}): Promise<TargetView[]> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const country = q.country === undefined || q.country === null ? q.country : checkCountry(q.country);
    if (q.status !== undefined && !TARGET_STATUSES.includes(q.status as TargetStatus))
      throw bad(`status: "${String(q.status).slice(0, 20)}" is not one of ${TARGET_STATUSES.join(', ')}`);
    const rows = await listTargets(this.store.db, op.id, {
      country,
      status: q.status as TargetStatus | undefined,
      limit: Math.min(Math.max(q.limit ?? 100, 1), 1000),
      offset: Math.max(q.offset ?? 0, 0),
    });
    return rows.map(targetView);
  }

  async target(actor: Principal, id: number, ref: string): Promise<TargetView> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    return targetView(await this.targetRow(op, ref));
  }

  private async targetRow(op: OperationRow, ref: string): Promise<OperationTargetRow> {
    const t = await findTarget(this.store.db, op.id, ref);
    if (!t) throw new AllianceError('OPERATION_NOT_FOUND', `operation ${op.name} has no target "${String(ref).slice(0, 80)}"`);
    return t;
  }

  /** An analyst's decision on a target's country (with the reason); null country clears the override. */
  async setCountry(actor: Principal, id: number, ref: string, country: string | null, reason: string | null): Promise<TargetView> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const t = await this.targetRow(op, ref);
    const chosen = country === null ? null : checkCountry(country);
    if (chosen !== null && (typeof reason !== 'string' || !reason.trim())) throw bad('reason: say why the country is overridden');
    const why = chosen === null ? null : required(reason, 'reason', 1000);
    await this.store.db.transaction().execute(async (tx) => {
      await overrideTarget(tx, t.id, { country: chosen, reason: why, by: chosen === null ? null : actor.actor });
      await this.audit.record(tx, actor, 'operation.attribute', op.uid, {
        ref: t.ref,
        from: t.override_country ?? t.country,
        to: chosen ?? t.country,
        reason: why,
      });
    });
    return targetView(await this.targetRow(op, ref));
  }

  /**
   * Checks every target not checked yet against the deconfliction service: its identifiers are
   * registered as keyed hashes on the operation's own case (opened on first use, with the
   * operation's contact point) and compared with every other case — this node's and those received
   * over the federation. A target that meets another case is held, with that case's contact point,
   * until an analyst releases it. Needs the alliance-wide key (DECONFLICTION_OFF otherwise).
   */
  async deconflict(actor: Principal, id: number): Promise<{ checked: number; held: number }> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    let caseId = op.deconfliction_case_id;
    if (caseId === null) {
      caseId = (await this.deconfliction.openCase(actor, { reference: `operation ${op.name}`.slice(0, 200), contact_point: op.contact_point })).id;
      await setOperationCase(this.store.db, op.id, caseId);
    }
    let checked = 0;
    let held = 0;
    let after = 0;
    for (;;) {
      // Batches of up to 2,000 targets and 10,000 identifiers: one deconfliction call (its limit is
      // 1,000 identifiers per target group) and one transaction each.
      const batch: Array<{ row: OperationTargetRow; targets: ReturnType<typeof deconflictionTargets> }> = [];
      let size = 0;
      for (const row of await targetsToDeconflict(this.store.db, op.id, 2000, after)) {
        const targets = deconflictionTargets(parseJson<TargetIdentifiers>(row.identifiers, EMPTY));
        if (batch.length > 0 && size + targets.length > 10_000) break;
        batch.push({ row, targets });
        size += targets.length;
      }
      if (batch.length === 0) break;
      after = batch[batch.length - 1].row.id;
      const groups = batch.map((b) => b.targets);
      const overlaps = size === 0 ? groups.map(() => []) : await this.deconfliction.checkGroups(actor, caseId, groups);
      await this.store.db.transaction().execute(async (tx) => {
        for (let i = 0; i < batch.length; i++) await markDeconflicted(tx, batch[i].row.id, JSON.stringify(overlaps[i]), overlaps[i].length > 0);
      });
      checked += batch.length;
      held += overlaps.filter((o) => o.length > 0).length;
    }
    await this.store.db.transaction().execute((tx) => this.audit.record(tx, actor, 'operation.deconflict', op.uid, { checked, held }, held));
    return { checked, held };
  }

  /** An analyst's decision that a held target may be referred despite its overlap (the reason is kept and audited). */
  async release(actor: Principal, id: number, ref: string, reason: string): Promise<TargetView> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const t = await this.targetRow(op, ref);
    if (t.held !== 1)
      throw bad(`target "${t.ref.slice(0, 80)}" is not held${t.deconflicted_at === null ? ' (it is not checked against deconfliction yet)' : ''}`);
    const why = required(reason, 'reason', 1000);
    await this.store.db.transaction().execute(async (tx) => {
      await releaseTarget(tx, t.id, { reason: why, by: actor.actor });
      await this.audit.record(tx, actor, 'operation.release', op.uid, { ref: t.ref, reason: why });
    });
    return targetView(await this.targetRow(op, ref));
  }

  /** Per country: targets, by confidence, overridden, with matched content (no country last). */
  async countries(actor: Principal, id: number): Promise<CountryLine[]> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const lines = new Map<string | null, CountryLine>();
    for (const r of await targetsByCountry(this.store.db, op.id)) {
      const l = lines.get(r.country) ?? {
        country: r.country,
        targets: 0,
        confidence: { high: 0, medium: 0, low: 0, none: 0 },
        overridden: 0,
        with_matches: 0,
        deconflicted: 0,
        held: 0,
      };
      l.targets += r.n;
      l.confidence[r.confidence as Confidence] += r.n;
      l.overridden += r.overridden;
      l.with_matches += r.matched;
      l.deconflicted += r.deconflicted;
      l.held += r.held;
      lines.set(r.country, l);
    }
    return [...lines.values()].sort((a, b) => (a.country === null ? 1 : b.country === null ? -1 : b.targets - a.targets || a.country.localeCompare(b.country)));
  }
}

const BATCH = 5000;

/** Feeds `work` the records' rows (`rowOf` each as it is read) in batches of BATCH. */
async function inBatches<R, T>(records: AsyncIterable<R>, rowOf: (r: R) => T, work: (batch: T[]) => Promise<void>): Promise<void> {
  let batch: T[] = [];
  for await (const r of records) {
    batch.push(rowOf(r));
    if (batch.length === BATCH) {
      await work(batch);
      batch = [];
    }
  }
  if (batch.length) await work(batch);
}

/** A record's row, checked as a lead package will carry it. */
function checkedRow(r: TargetRecord, matches: Map<string, HashMatch>): NewTarget {
  const row = targetRow(r, matches);
  checkDeliverableRow(row, `line ${r.line}: `, 'nothing was imported');
  return row;
}

/** A target's row: its identifiers, its attribution, what its hashes matched. */
function targetRow(r: TargetRecord, matches: Map<string, HashMatch>): NewTarget {
  const a = attribute(r.identifiers);
  const matched = r.identifiers.hashes.flatMap((h) => matches.get(h) ?? []);
  return {
    ref: r.ref,
    identifiers: JSON.stringify(r.identifiers),
    country: a.country,
    confidence: a.confidence,
    reasons: JSON.stringify(a.reasons),
    hashes: r.identifiers.hashes.length,
    matched: JSON.stringify(matched),
  };
}

/** The deconfliction states the targets list filters by. */
export const TARGET_STATUSES: readonly TargetStatus[] = ['held', 'released'];

function checkCountry(c: string): string {
  const code = String(c).trim().toUpperCase();
  if (!isCountryCode(code)) throw bad(`country: "${String(c).slice(0, 10)}" is not an ISO 3166-1 alpha-2 code`);
  return code;
}

function view(o: OperationRow, targets: number): OperationView {
  return {
    id: o.id,
    uid: o.uid,
    name: o.name,
    legal_basis: o.legal_basis,
    owner_agency: o.owner_agency,
    contact_point: o.contact_point,
    starts_at: iso(o.starts_at),
    ends_at: iso(o.ends_at),
    notes: o.notes,
    created_by: o.created_by,
    created_at: new Date(o.created_at).toISOString(),
    targets,
  };
}

function targetView(t: OperationTargetRow): TargetView {
  return {
    ref: t.ref,
    identifiers: parseIdentifiers(t.identifiers),
    country: t.override_country ?? t.country,
    attributed: { country: t.country, confidence: t.confidence as Confidence, reasons: parseJson<Reason[]>(t.reasons, []) },
    override: t.override_country ? { country: t.override_country, reason: t.override_reason, by: t.overridden_by ?? '', at: iso(t.overridden_at)! } : null,
    hashes: t.hashes,
    matched: parseJson<HashMatch[]>(t.matched, []),
    deconfliction:
      t.deconflicted_at === null
        ? null
        : {
            checked_at: iso(t.deconflicted_at)!,
            overlaps: parseJson<Overlap[]>(t.met_cases, []),
            held: t.held === 1,
            released: t.released_at === null ? null : { reason: t.release_reason ?? '', by: t.released_by ?? '', at: iso(t.released_at)! },
          },
  };
}

const EMPTY: TargetIdentifiers = { usernames: [], emails: [], ips: [], account_country: null, payment_refs: [], device_ids: [], hashes: [] };
