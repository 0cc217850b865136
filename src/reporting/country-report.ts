/**
 * Country reports: a member's periodic report on the four targets — its indicators against the
 * baseline, its Model National Response self-assessment, and narrative fields — built as a draft,
 * reviewed, signed with the node's key (Ed25519 over the report's exact JSON text, the envelope of
 * exchange/envelope.ts) and submitted to the secretariat's node over the federation link. The
 * secretariat keeps what members send after checking that the sender is a registered member and
 * that the signature covers the report unchanged; its dashboard reads only those aggregates.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { open as openEnvelope, seal, type Envelope } from '../exchange/envelope.js';
import type { FederationService } from '../exchange/federation-service.js';
import { peerPrincipal, requirePermission, type Principal } from '../members/principal.js';
import type { Store } from '../store/database.js';
import { listPeers } from '../store/federation-repo.js';
import type { CountryReportRow } from '../store/reporting-schema.js';
import { now, parseJson } from '../store/util.js';
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

const bad = (message: string) => new AllianceError('REPORTING_INVALID', message);
const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function view(r: CountryReportRow) {
  const report = { ...parseJson<CountryReport>(r.payload, {} as CountryReport), narrative: parseJson<Narrative>(r.narrative, {}) };
  return {
    id: r.id,
    period: r.period,
    status: r.status,
    created_by: r.created_by,
    created_at: iso(r.created_at),
    signed_at: iso(r.signed_at),
    submitted_at: iso(r.submitted_at),
    submitted_to: r.submitted_to,
    delivery_error: r.delivery_error,
    signature: r.signature,
    public_key: r.public_key,
    report,
  };
}
export type CountryReportView = ReturnType<typeof view>;

/** Checks the shape of a received report's payload (the signature was checked before). */
function checkPayload(sender: string, p: Partial<CountryReport>): CountryReport {
  if (typeof p !== 'object' || p === null || p.format !== REPORT_FORMAT) throw new AllianceError('COUNTRY_REPORT_INVALID', `not a country report (format ${REPORT_FORMAT})`);
  if (p.member !== sender) throw new AllianceError('COUNTRY_REPORT_INVALID', `the report names member "${String(p.member).slice(0, 60)}" but was sent by ${sender}`);
  parsePeriod(String(p.period));
  const values = p.indicators?.values;
  if (typeof values !== 'object' || values === null || Object.values(values).some((v) => v !== null && typeof v !== 'number')) throw new AllianceError('COUNTRY_REPORT_INVALID', 'indicators.values: numbers or null');
  return p as CountryReport;
}

export class CountryReports {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly reporting: ReportingService,
    private readonly federation: FederationService,
    private readonly secretariatPeer: string | null,
  ) {}

  private async row(id: number): Promise<CountryReportRow> {
    const r = await this.store.db.selectFrom('country_reports').selectAll().where('id', '=', id).executeTakeFirst();
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
      const draft = await tx.selectFrom('country_reports').select('id').where('period', '=', payload.period).where('status', '=', 'draft').executeTakeFirst();
      const fields = { payload: JSON.stringify(payload), baseline: payload.baseline };
      let reportId: number;
      if (draft) {
        await tx.updateTable('country_reports').set(fields).where('id', '=', draft.id).execute();
        reportId = draft.id;
      } else {
        reportId = (await tx.insertInto('country_reports').values({ ...fields, period: payload.period, status: 'draft', narrative: '{}', created_by: actor.actor, created_at: now() }).returning('id').executeTakeFirstOrThrow()).id;
      }
      await this.audit.record(tx, actor, 'country_report.build', String(reportId), { period: payload.period, baseline: payload.baseline });
      return reportId;
    });
    return view(await this.row(id));
  }

  async list(actor: Principal): Promise<CountryReportView[]> {
    requirePermission(actor, 'indicators.read');
    return (await this.store.db.selectFrom('country_reports').selectAll().orderBy('period', 'desc').orderBy('id', 'desc').execute()).map(view);
  }

  async get(actor: Principal, id: number): Promise<CountryReportView> {
    requirePermission(actor, 'indicators.read');
    return view(await this.row(id));
  }

  /** Sets narrative fields of a draft. */
  async narrate(actor: Principal, id: number, fields: Narrative): Promise<CountryReportView> {
    requirePermission(actor, 'reporting.manage');
    const r = await this.row(id);
    if (r.status !== 'draft') throw new AllianceError('COUNTRY_REPORT_SIGNED', `country report ${id} is ${r.status}: a signed report does not change (build the period again for a new draft)`);
    const narrative = { ...parseJson<Narrative>(r.narrative, {}) };
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (!(NARRATIVE_FIELDS as readonly string[]).includes(k)) throw bad(`narrative: unknown field "${k.slice(0, 40)}" (fields: ${NARRATIVE_FIELDS.join(', ')})`);
      if (v !== null && (typeof v !== 'string' || v.length > 20_000)) throw bad(`narrative.${k}: text of at most 20,000 characters`);
      if (v === null || v.trim() === '') delete narrative[k as keyof Narrative];
      else narrative[k as keyof Narrative] = v.trim();
    }
    await this.store.db.transaction().execute(async (tx) => {
      await tx.updateTable('country_reports').set({ narrative: JSON.stringify(narrative) }).where('id', '=', id).where('status', '=', 'draft').execute();
      await this.audit.record(tx, actor, 'country_report.narrate', String(id), { fields: Object.keys(fields ?? {}) });
    });
    return view(await this.row(id));
  }

  /** Signs a reviewed draft with the node's key: from now on the report is exactly this text. */
  async sign(actor: Principal, id: number): Promise<CountryReportView> {
    requirePermission(actor, 'reporting.manage');
    const r = await this.row(id);
    if (r.status !== 'draft') throw new AllianceError('COUNTRY_REPORT_SIGNED', `country report ${id} is ${r.status} already`);
    const envelope = seal(this.federation.identity, { ...parseJson<CountryReport>(r.payload, {} as CountryReport), narrative: parseJson<Narrative>(r.narrative, {}) });
    await this.store.db.transaction().execute(async (tx) => {
      const done = await tx
        .updateTable('country_reports')
        .set({ status: 'signed', payload: envelope.payload, signature: envelope.signature, public_key: envelope.key, signed_at: now() })
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) throw new AllianceError('COUNTRY_REPORT_SIGNED', `country report ${id} was signed meanwhile`);
      await this.audit.record(tx, actor, 'country_report.sign', String(id), { period: r.period, key: envelope.key });
    });
    return view(await this.row(id));
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
      await this.store.db.updateTable('country_reports').set({ delivery_error: message.slice(0, 2000) }).where('id', '=', id).execute();
      throw err;
    }
    await this.store.db.transaction().execute(async (tx) => {
      await tx.updateTable('country_reports').set({ status: 'submitted', submitted_at: now(), submitted_to: peer, delivery_error: null }).where('id', '=', id).execute();
      await this.audit.record(tx, actor, 'country_report.submit', String(id), { to: peer });
    });
    return view(await this.row(id));
  }

  /** The secretariat's side: a report a member's node sent (the request is signed by a registered peer). */
  async receive(sender: string, body: unknown): Promise<{ member: string; period: string; received: true }> {
    const key = await this.federation.keyOf(sender);
    if (!key) throw new AllianceError('PEER_UNTRUSTED', `"${sender.slice(0, 60)}" is not a registered member`);
    let payload: unknown;
    try {
      payload = openEnvelope(body, key);
    } catch (err) {
      await this.store.db.transaction().execute((tx) => this.audit.record(tx, peerPrincipal(sender), 'country_report.refused', sender, { reason: (err as Error).message }));
      throw new AllianceError('COUNTRY_REPORT_INVALID', `refused: ${(err as Error).message}`);
    }
    const report = checkPayload(sender, payload as Partial<CountryReport>);
    const e = body as Envelope;
    await this.store.db.transaction().execute(async (tx) => {
      await tx.insertInto('received_country_reports').values({ member: sender, country: report.country, period: report.period, payload: e.payload, signature: e.signature, public_key: e.key, received_at: now() }).execute();
      await this.audit.record(tx, peerPrincipal(sender), 'country_report.receive', `${sender}/${report.period}`, {});
    });
    return { member: sender, period: report.period, received: true };
  }

  /** Reports members sent to this node (the secretariat): the latest per member and period, each re-verified against its key. */
  async received(actor: Principal): Promise<Array<{ member: string; country: string | null; period: string; received_at: string; report: CountryReport }>> {
    requirePermission(actor, 'indicators.read');
    const rows = await this.store.db.selectFrom('received_country_reports').selectAll().orderBy('id').execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) latest.set(`${r.member}\n${r.period}`, r);
    return [...latest.values()].map((r) => ({ member: r.member, country: r.country, period: r.period, received_at: new Date(Number(r.received_at)).toISOString(), report: openEnvelope({ payload: r.payload, signature: r.signature, key: r.public_key }, r.public_key) as CountryReport }));
  }

  /** The secretariat's dashboard over the reports received (members expected: the peers that are national authorities). */
  async dashboard(actor: Principal, kind: PeriodKind): Promise<Dashboard> {
    const received = await this.received(actor);
    const members = (await listPeers(this.store.db)).filter((p) => p.kind === 'authority').map((p) => ({ member: p.name, country: p.country }));
    this.audit.recordRead(actor, 'alliance.dashboard', kind, {}, received.length);
    return dashboard(received, kind, members);
  }
}
