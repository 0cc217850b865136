/**
 * Country reports: a member's periodic report on the four targets — its indicators against the
 * baseline, its Model National Response self-assessment, and narrative fields — built as a draft,
 * reviewed, signed with the node's key (Ed25519 over the report's exact JSON text, the envelope of
 * exchange/envelope.ts) and submitted to the secretariat's node over the federation link. The
 * secretariat keeps what members send after checking that the sender is a registered member and
 * that the signature covers the report unchanged; its dashboard reads only those aggregates.
 */
import { isoOrNull } from '../time/iso-time.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError, failWith } from '../errors/catalogue.js';
import { type Envelope, type FederationService, fingerprint, open as openEnvelope, seal } from '../exchange/index.js';
import { peerPrincipal, requirePermission, type Principal } from '../members/principal.js';
import {
  type CountryReportRow,
  draftOfPeriod,
  findPeer,
  getCountryReport,
  insertDraftReport,
  insertReceivedCountryReport,
  listCountryReports,
  listPeers,
  listReceivedCountryReports,
  markSubmitted,
  type MemberKeyRow,
  memberKeys,
  now,
  parseJson,
  type ReceivedCountryReport,
  recordMemberKey,
  refreshDraft,
  setDeliveryError,
  setDraftNarrative,
  signDraft,
  type Store,
} from '../store/index.js';
import { auditedAs } from '../audit/refusals.js';
import type { Indicators } from './indicators.js';
import { dashboard, type Dashboard } from './dashboard.js';
import { parsePeriod, type PeriodKind } from './periods.js';
import type { ReportingService } from './reporting-service.js';

export const REPORT_FORMAT = 'alliance-country-report/1';
export const NARRATIVE_FIELDS = ['summary', 'victims', 'offenders', 'awareness', 'availability', 'challenges'] as const;
export type Narrative = Partial<Record<(typeof NARRATIVE_FIELDS)[number], string>>;

/** What a country report holds (and what its signature covers, narrative included). */
export interface CountryReport {
  format: typeof REPORT_FORMAT;
  member: string;
  country: string | null;
  period: string;
  baseline: string;
  generated_at: string;
  indicators: Omit<Indicators, 'member' | 'country'>;
  baseline_values: Record<string, number | null>;
  growth: Record<string, number | null>;
  victim_goal: { growth: number | null; goal: number; met: boolean | null };
  assessment: Array<{ id: number; group: string; name: string; phase: number | null; evidence: string | null }>;
  narrative: Narrative;
}

const bad = failWith('REPORTING_INVALID');

function view(r: CountryReportRow) {
  const payload = parseJson<CountryReport>(r.payload, {} as CountryReport);
  // Once signed, the report is the signed text, narrative included; a draft's narrative is kept apart while edited.
  const report = r.signature ? payload : { ...payload, narrative: parseJson<Narrative>(r.narrative, {}) };
  return {
    id: r.id,
    period: r.period,
    status: r.status,
    created_by: r.created_by,
    created_at: isoOrNull(r.created_at),
    signed_at: isoOrNull(r.signed_at),
    submitted_at: isoOrNull(r.submitted_at),
    submitted_to: r.submitted_to,
    delivery_error: r.delivery_error,
    signature: r.signature,
    public_key: r.public_key,
    report,
  };
}
/** A report as the API shows it, with why the secretariat would refuse this node's reports. */
export type CountryReportView = ReturnType<typeof view> & { warnings: string[] };

const invalid = (message: string) => new AllianceError('COUNTRY_REPORT_INVALID', message);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFigure = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isShare = (v: unknown) => v === null || (typeof v === 'number' && v >= 0 && v <= 1);

function figures(field: string, v: unknown): void {
  if (!isObject(v) || Object.keys(v).length > 500 || Object.values(v).some((x) => !isFigure(x))) throw invalid(`${field}: an object of numbers or null`);
}

/**
 * Checks everything the secretariat reads of a received report (the signature was checked
 * before): a signed report from a member can still be malformed, and one bad report must not
 * break or skew the dashboard for everyone.
 */
function checkPayload(sender: string, p: unknown): CountryReport {
  if (!isObject(p) || p.format !== REPORT_FORMAT) throw invalid(`not a country report (format ${REPORT_FORMAT})`);
  if (p.member !== sender) throw invalid(`the report names member "${String(p.member).slice(0, 60)}" but was sent by ${sender}`);
  if (typeof p.period !== 'string' || parsePeriod(p.period).key !== p.period)
    throw invalid(`period: a canonical period key (2026-Q3, 2026-07, 2026), not ${JSON.stringify(p.period)?.slice(0, 20)}`);
  if (typeof p.baseline !== 'string' || parsePeriod(p.baseline).kind !== parsePeriod(p.period).kind) throw invalid('baseline: a period of the same kind');
  const ind = p.indicators;
  if (!isObject(ind)) throw invalid('indicators: an object');
  figures('indicators.values', ind.values);
  figures('baseline_values', p.baseline_values);
  figures('growth', p.growth);
  const rows = ind.removal_by_hosting_country;
  if (!Array.isArray(rows) || rows.length > 300) throw invalid('indicators.removal_by_hosting_country: a list');
  for (const r of rows) {
    if (
      !isObject(r) ||
      typeof r.country !== 'string' ||
      r.country.length > 16 ||
      !isCount(r.notices) ||
      !isCount(r.removed) ||
      (r.removed as number) > (r.notices as number) ||
      !isFigure(r.median_hours) ||
      !isFigure(r.p90_hours) ||
      !isShare(r.within_24h_share) ||
      !isShare(r.within_72h_share)
    ) {
      throw invalid(
        'indicators.removal_by_hosting_country: rows of {country, notices, removed ≤ notices, median_hours, p90_hours, within_24h_share, within_72h_share}',
      );
    }
  }
  const goal = p.victim_goal;
  if (!isObject(goal) || !isFigure(goal.growth) || typeof goal.goal !== 'number' || !(goal.met === null || typeof goal.met === 'boolean'))
    throw invalid('victim_goal: {growth, goal, met}');
  const a = p.assessment;
  if (
    !Array.isArray(a) ||
    a.length !== 21 ||
    a.some(
      (c, i) => !isObject(c) || c.id !== i + 1 || !(c.phase === null || (Number.isInteger(c.phase) && (c.phase as number) >= 1 && (c.phase as number) <= 4)),
    )
  ) {
    throw invalid('assessment: the 21 capabilities in order, each with a phase 1–4 or null');
  }
  if (!isObject(p.narrative) || Object.values(p.narrative).some((t) => typeof t !== 'string')) throw invalid('narrative: an object of texts');
  return p as unknown as CountryReport;
}

export class CountryReports {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly reporting: ReportingService,
    private readonly federation: FederationService,
    private readonly secretariatPeer: string | null,
  ) {}

  /**
   * Why the secretariat would refuse this node's reports, said when a report is built or signed
   * (not only when the secretariat refuses it): country reports come from national authorities.
   */
  submitWarnings(): string[] {
    const self = this.federation.self;
    const out: string[] = [];
    if (self.kind !== 'authority')
      out.push(
        `this node is registered as a ${self.kind}: the secretariat takes country reports from national authorities only (alliance member update ${self.name} --kind authority, if that is what it is)`,
      );
    if (!self.country) out.push(`this node has no country: a country report needs one (alliance member update ${self.name} --country XX)`);
    return out;
  }

  private view(r: CountryReportRow): CountryReportView {
    return { ...view(r), warnings: this.submitWarnings() };
  }

  private async row(id: number): Promise<CountryReportRow> {
    const r = await getCountryReport(this.store.db, id);
    if (!r) throw new AllianceError('REPORTING_NOT_FOUND', `no country report ${id}`);
    return r;
  }

  private async payload(actor: Principal, periodKey: string, baselineKey?: string): Promise<Omit<CountryReport, 'narrative'>> {
    const { indicators, baseline, growth, victim_goal } = await this.reporting.indicators(actor, periodKey, baselineKey);
    const { member, country, ...rest } = indicators;
    const assessment = await this.reporting.assessment(actor, periodKey);
    return {
      format: REPORT_FORMAT,
      member,
      country,
      period: indicators.period.key,
      baseline: baseline.period,
      generated_at: new Date(now()).toISOString(),
      indicators: rest,
      baseline_values: baseline.values,
      growth,
      victim_goal,
      assessment: assessment.capabilities.map((c) => ({ id: c.id, group: c.group, name: c.name, phase: c.phase, evidence: c.evidence })),
    };
  }

  /** Builds the draft of a period (or refreshes the period's draft: figures recomputed, narrative kept). */
  async build(actor: Principal, periodKey: string, baselineKey?: string): Promise<CountryReportView> {
    requirePermission(actor, 'reporting.manage');
    const payload = await this.payload(actor, periodKey, baselineKey);
    const db = this.store.db;
    const id = await db.transaction().execute(async (tx) => {
      const draft = await draftOfPeriod(tx, payload.period);
      const fields = { payload: JSON.stringify(payload), baseline: payload.baseline };
      let reportId: number;
      if (draft) {
        if (!(await refreshDraft(tx, draft.id, fields)))
          throw new AllianceError('COUNTRY_REPORT_SIGNED', `country report ${draft.id} was signed meanwhile: build the period again for a new draft`);
        reportId = draft.id;
      } else {
        reportId = await insertDraftReport(tx, { ...fields, period: payload.period, created_by: actor.actor });
      }
      await this.audit.record(tx, actor, 'country_report.build', String(reportId), { period: payload.period, baseline: payload.baseline });
      return reportId;
    });
    return this.view(await this.row(id));
  }

  async list(actor: Principal): Promise<CountryReportView[]> {
    requirePermission(actor, 'indicators.read');
    return (await listCountryReports(this.store.db)).map((r) => this.view(r));
  }

  async get(actor: Principal, id: number): Promise<CountryReportView> {
    requirePermission(actor, 'indicators.read');
    return this.view(await this.row(id));
  }

  /** Sets narrative fields of a draft. */
  async narrate(actor: Principal, id: number, fields: Narrative): Promise<CountryReportView> {
    requirePermission(actor, 'reporting.manage');
    const r = await this.row(id);
    if (r.status !== 'draft')
      throw new AllianceError(
        'COUNTRY_REPORT_SIGNED',
        `country report ${id} is ${r.status}: a signed report does not change (build the period again for a new draft)`,
      );
    const narrative = { ...parseJson<Narrative>(r.narrative, {}) };
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (!(NARRATIVE_FIELDS as readonly string[]).includes(k))
        throw bad(`narrative: unknown field "${k.slice(0, 40)}" (fields: ${NARRATIVE_FIELDS.join(', ')})`);
      if (v !== null && (typeof v !== 'string' || v.length > 20_000)) throw bad(`narrative.${k}: text of at most 20,000 characters`);
      if (v === null || v.trim() === '') delete narrative[k as keyof Narrative];
      else narrative[k as keyof Narrative] = v.trim();
    }
    await this.store.db.transaction().execute(async (tx) => {
      await setDraftNarrative(tx, id, JSON.stringify(narrative));
      await this.audit.record(tx, actor, 'country_report.narrate', String(id), { fields: Object.keys(fields ?? {}) });
    });
    return this.view(await this.row(id));
  }

  /** Signs a reviewed draft with the node's key: from now on the report is exactly this text. */
  async sign(actor: Principal, id: number): Promise<CountryReportView> {
    requirePermission(actor, 'reporting.manage');
    const r = await this.row(id);
    if (r.status !== 'draft') throw new AllianceError('COUNTRY_REPORT_SIGNED', `country report ${id} is ${r.status} already`);
    const envelope = seal(this.federation.identity, {
      ...parseJson<CountryReport>(r.payload, {} as CountryReport),
      narrative: parseJson<Narrative>(r.narrative, {}),
    });
    await this.store.db.transaction().execute(async (tx) => {
      // Exactly what was sealed: a narrative or rebuild in between makes this sign fail, not lie.
      if (!(await signDraft(tx, id, { payload: r.payload, narrative: r.narrative }, envelope)))
        throw new AllianceError('COUNTRY_REPORT_SIGNED', `country report ${id} was signed or changed meanwhile: review it and sign again`);
      await this.audit.record(tx, actor, 'country_report.sign', String(id), { period: r.period, key: envelope.key });
    });
    return this.view(await this.row(id));
  }

  /** The signed envelope: the exact text, its signature, the key. */
  async envelope(actor: Principal, id: number): Promise<Envelope> {
    requirePermission(actor, 'indicators.read');
    const r = await this.row(id);
    if (!r.signature || !r.public_key) throw new AllianceError('COUNTRY_REPORT_INVALID', `country report ${id} is not signed yet`);
    return { payload: r.payload, signature: r.signature, key: r.public_key };
  }

  /** Submits a signed report to the secretariat's node (`to`, else ALLIANCE_SECRETARIAT_PEER). */
  async submit(actor: Principal, id: number, to?: string): Promise<CountryReportView> {
    requirePermission(actor, 'reporting.manage');
    const peer = to ?? this.secretariatPeer;
    if (!peer) throw bad('no secretariat: name its peer (--to) or set ALLIANCE_SECRETARIAT_PEER');
    const envelope = await this.envelope(actor, id);
    try {
      await this.federation.postToPeer(peer, '/federation/v1/country-reports', envelope);
    } catch (err) {
      const message = (err as Error).message;
      await setDeliveryError(this.store.db, id, message.slice(0, 2000));
      throw err;
    }
    await this.store.db.transaction().execute(async (tx) => {
      await markSubmitted(tx, id, peer);
      await this.audit.record(tx, actor, 'country_report.submit', String(id), { to: peer });
    });
    return this.view(await this.row(id));
  }

  /**
   * The secretariat's side: a report a member's node sent (the request is signed by a registered
   * peer). Every refusal is audited (`country_report.refused`, through the federation routes'
   * refusal log, which coalesces repeats). The report is stored with the key it was verified with.
   */
  async receive(sender: string, body: unknown): Promise<{ member: string; period: string; received: true }> {
    const refused = (err: AllianceError) => auditedAs(err, { action: 'country_report.refused', target: sender, detail: { reason: err.message } });
    const peer = await findPeer(this.store.db, sender);
    if (!peer) throw refused(new AllianceError('PEER_UNTRUSTED', `"${sender.slice(0, 60)}" is not a registered member`));
    // Country reports are the national authorities': their country is the one registered here, not what a report says.
    if (peer.kind !== 'authority') throw refused(invalid(`${sender} is registered as a ${peer.kind}: country reports come from national authorities`));
    let payload: unknown;
    try {
      payload = openEnvelope(body, peer.public_key);
    } catch (err) {
      throw auditedAs(invalid(`refused: ${(err as Error).message}`), {
        action: 'country_report.refused',
        target: sender,
        detail: { reason: (err as Error).message },
      });
    }
    let report: CountryReport;
    try {
      report = checkPayload(sender, payload);
    } catch (err) {
      throw refused(err instanceof AllianceError ? err : invalid((err as Error).message));
    }
    const e = body as Envelope;
    await this.store.db.transaction().execute(async (tx) => {
      // The key it was verified with, from the member's key history (recorded when the peer was added or its key rotated).
      const key = await recordMemberKey(tx, sender, peer.public_key);
      await insertReceivedCountryReport(tx, {
        member: sender,
        country: peer.country,
        period: report.period,
        payload: e.payload,
        signature: e.signature,
        public_key: e.key,
        received_at: now(),
        key_id: key.id,
      });
      await this.audit.record(tx, peerPrincipal(sender), 'country_report.receive', `${sender}/${report.period}`, { key: fingerprint(key.public_key) });
    });
    return { member: sender, period: report.period, received: true };
  }

  /**
   * Reports members sent to this node (the secretariat): the latest per member and period, each
   * verified again — against the key it was verified with at receipt, which the member's key
   * history must show valid when the report arrived (so a key rotation hides no earlier report).
   * A report of a member that is no longer a registered peer is not shown.
   */
  async received(
    actor: Principal,
  ): Promise<Array<{ member: string; country: string | null; period: string; received_at: string; key: string; report: CountryReport }>> {
    requirePermission(actor, 'indicators.read');
    const rows = await listReceivedCountryReports(this.store.db);
    const peers = new Set((await listPeers(this.store.db)).map((p) => p.name));
    const keys = new Map((await memberKeys(this.store.db)).map((k) => [k.id, k]));
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      // Only a report that still verifies can be the latest of its member and period.
      if (peers.has(r.member) && verifiedReport(r, keys)) latest.set(`${r.member}\n${r.period}`, r);
    }
    return [...latest.values()].map((r) => ({
      member: r.member,
      country: r.country,
      period: r.period,
      received_at: new Date(Number(r.received_at)).toISOString(),
      key: fingerprint(r.public_key),
      report: verifiedReport(r, keys)!,
    }));
  }

  /** The secretariat's dashboard over the reports received (members expected: the peers that are national authorities). */
  async dashboard(actor: Principal, kind: PeriodKind): Promise<Dashboard> {
    const received = await this.received(actor);
    const members = (await listPeers(this.store.db)).filter((p) => p.kind === 'authority').map((p) => ({ member: p.name, country: p.country }));
    this.audit.recordRead(actor, 'alliance.dashboard', kind, {}, received.length);
    return dashboard(received, kind, members);
  }
}

/**
 * A stored report opened with the key it was verified with at receipt: that key row must be the
 * member's, carry the report's key, and have been valid when the report arrived. Undefined otherwise.
 */
function verifiedReport(r: ReceivedCountryReport, keys: Map<number, MemberKeyRow>): CountryReport | undefined {
  const k = r.key_id === null ? undefined : keys.get(Number(r.key_id));
  const at = Number(r.received_at);
  if (!k || k.member !== r.member || k.public_key !== r.public_key || at < k.valid_from || (k.valid_to !== null && at >= k.valid_to)) return undefined;
  try {
    return openEnvelope({ payload: r.payload, signature: r.signature, key: r.public_key }, k.public_key) as CountryReport;
  } catch {
    return undefined;
  }
}
