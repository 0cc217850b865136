/**
 * Incident reports: drafted by hand or from a confirmed review, finished once (then immutable —
 * the database refuses any change, and every attempt is audited), routed to the receiving
 * authority of the jurisdiction: a peer, over the federation link (a durable job, retried), or the
 * CyberTipline (NCMEC) where that is the country's authority (its submission job), supplemented
 * by later reports that link to them, exported as JSON or XML. Reports other members send arrive
 * here as incoming reports.
 */
import { isoOrNull } from '../time/iso-time.js';
import { classificationLabel } from '../banks/classification.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import type { FederationService } from '../exchange/index.js';
import { peerPrincipal, requirePermission, type Principal } from '../members/principal.js';
import {
  deleteDraft,
  enqueueJob,
  getReport,
  getReviewItem,
  getSubmission,
  type IncidentReport,
  insertDraft,
  type ReportStates,
  insertReceivedReport,
  type Authority,
  listAuthorities,
  listReports,
  now,
  parseJson,
  recordDelivery,
  removeAuthority,
  reportOfReview,
  resetDelivery,
  setAuthority,
  type Store,
  updateReport,
  upsertDelivery,
} from '../store/index.js';
import { checkReport, reportXml, type ReportBody } from './report-model.js';
import { routeReport } from './routing.js';
import { isCountryCode } from '../geo/countries.js';
import type { ActionMatch } from './rules.js';
import { type CyberTiplineService, type CyberTiplineView, cybertiplineView } from './cybertipline/service.js';

export const REPORT_DELIVERY_JOB = 'report.deliver';

export interface ReportView extends ReportBody {
  id: number;
  uid: string;
  direction: string;
  status: string;
  prior_uid: string | null;
  review_id: number | null;
  country: string | null;
  routing_basis: string | null;
  kind: string | null;
  routed_to: string | null;
  /** Where a finished report made here goes: 'peer' (routed_to), 'cybertipline', or null (kept here). */
  destination: string | null;
  from_member: string | null;
  created_by: string;
  created_at: string;
  finished_at: string | null;
  delivery: { state: string; error: string | null } | null;
  /** Where its CyberTipline submission stands (null: never asked for). */
  cybertipline: CyberTiplineView | null;
}

/** What travels to the receiving authority. */
interface ReportMessage {
  uid: string;
  prior_uid: string | null;
  kind: string | null;
  country: string | null;
  routing_basis: string | null;
  finished_at: string | null;
  body: ReportBody;
}

function view(r: IncidentReport & Partial<ReportStates>): ReportView {
  return {
    id: r.id,
    uid: r.uid,
    direction: r.direction,
    status: r.status,
    ...parseJson<ReportBody>(r.body, { incident_type: '' }),
    prior_uid: r.prior_uid,
    review_id: r.review_id,
    country: r.country,
    routing_basis: r.routing_basis,
    kind: r.kind,
    routed_to: r.routed_to,
    destination: r.direction === 'out' ? (r.delivery_destination ?? null) : null,
    from_member: r.from_member,
    created_by: r.created_by,
    created_at: isoOrNull(r.created_at)!,
    finished_at: isoOrNull(r.finished_at),
    delivery: r.delivery_state ? { state: r.delivery_state, error: r.delivery_error ?? null } : null,
    cybertipline: r.ct_status
      ? cybertiplineView({
          status: r.ct_status,
          environment: r.ct_environment ?? '',
          ct_report_id: r.ct_report_id ?? null,
          response_code: r.ct_response_code ?? null,
          last_error: r.ct_error ?? null,
          finished_at: r.ct_finished_at ?? null,
        })
      : null,
  };
}

export class ReportService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly federation: FederationService,
    private readonly fallbackPeer: string | null,
    private readonly cybertipline: CyberTiplineService,
  ) {}

  private uidOf = (id: number) => `${this.federation.self.name}/${id}`;

  async create(actor: Principal, input: unknown, link: { prior_uid?: string; review_id?: number; submission_id?: number } = {}): Promise<ReportView> {
    requirePermission(actor, 'reports');
    const body = checkReport(input, false);
    return this.store.db.transaction().execute(async (tx) => {
      const r = await insertDraft(
        tx,
        {
          direction: 'out',
          body: JSON.stringify(body),
          prior_uid: link.prior_uid ?? null,
          review_id: link.review_id ?? null,
          submission_id: link.submission_id ?? null,
          country: null,
          routing_basis: null,
          kind: null,
          routed_to: null,
          from_member: null,
          created_by: actor.actor,
          created_at: now(),
          finished_at: null,
        },
        this.uidOf,
      );
      await this.audit.record(tx, actor, 'report.create', r.uid, { prior_uid: r.prior_uid, review_id: r.review_id });
      return view(r);
    });
  }

  async get(actor: Principal, id: number): Promise<ReportView> {
    requirePermission(actor, 'reports');
    const [r] = await listReports(this.store.db, { id }, 1, 0);
    if (!r) throw new AllianceError('REPORT_NOT_FOUND', `no incident report ${id}`);
    return view(r);
  }

  async list(actor: Principal, direction: 'in' | 'out', limit = 50, offset = 0): Promise<ReportView[]> {
    requirePermission(actor, 'reports');
    return (await listReports(this.store.db, { direction }, Math.min(limit, 500), offset)).map(view);
  }

  /** Refuses changes to a finished report, and records that someone tried. */
  private async refuseIfFinished(actor: Principal, r: IncidentReport, attempted: string): Promise<void> {
    if (r.status !== 'finished') return;
    await this.store.db.transaction().execute((tx) => this.audit.record(tx, actor, 'report.change_refused', r.uid, { attempted }));
    throw new AllianceError('REPORT_FINISHED', `report ${r.uid} is finished and immutable; send a supplement that links to it`);
  }

  /** Replaces a draft's content. */
  async update(actor: Principal, id: number, input: unknown): Promise<ReportView> {
    requirePermission(actor, 'reports');
    const r = await getReport(this.store.db, id);
    await this.refuseIfFinished(actor, r, 'update');
    const body = checkReport(input, false);
    return this.store.db.transaction().execute(async (tx) => {
      const u = await updateReport(tx, id, { body: JSON.stringify(body) });
      await this.audit.record(tx, actor, 'report.update', u.uid, {});
      return view(u);
    });
  }

  async deleteDraft(actor: Principal, id: number): Promise<void> {
    requirePermission(actor, 'reports');
    const r = await getReport(this.store.db, id);
    await this.refuseIfFinished(actor, r, 'delete');
    await this.store.db.transaction().execute(async (tx) => {
      await deleteDraft(tx, id);
      await this.audit.record(tx, actor, 'report.delete', r.uid, {});
    });
  }

  /** Completes a draft: checked, routed, made immutable, and queued for delivery. */
  async finish(actor: Principal, id: number): Promise<ReportView> {
    requirePermission(actor, 'reports');
    const r = await getReport(this.store.db, id);
    await this.refuseIfFinished(actor, r, 'finish');
    if (r.direction !== 'out') throw new AllianceError('REPORT_FINISHED', 'a received report is finished already');
    const body = checkReport(parseJson(r.body, {}), true);
    const route = await routeReport(this.store.db, body, this.fallbackPeer);
    if (route.destination === 'cybertipline' && this.cybertipline.enabled) {
      try {
        this.cybertipline.check(body);
      } catch (err) {
        // Said while it is a draft, that can still be completed (a finished report is immutable).
        if (err instanceof AllianceError && err.code === 'REPORT_INVALID')
          throw new AllianceError(
            'REPORT_INVALID',
            `this report goes to the CyberTipline (${route.country}'s receiving authority), which requires ${err.message}`,
          );
        throw err;
      }
    }
    await this.store.db.transaction().execute(async (tx) => {
      await updateReport(tx, id, {
        status: 'finished',
        finished_at: now(),
        country: route.country,
        routing_basis: route.basis,
        kind: route.kind,
        routed_to: route.routed_to,
        body: JSON.stringify(body),
      });
      if (route.destination === 'cybertipline') await this.cybertipline.queueRouted(tx, actor, id, r.uid);
      else if (route.routed_to) {
        await upsertDelivery(tx, id, route.routed_to);
        await enqueueJob(tx, REPORT_DELIVERY_JOB, { report_id: id });
      }
      await this.audit.record(tx, actor, 'report.finish', r.uid, { ...route });
    });
    return this.get(actor, id);
  }

  /** A new draft that supplements a finished report (copying its content, to amend). */
  async supplement(actor: Principal, id: number): Promise<ReportView> {
    requirePermission(actor, 'reports');
    const r = await getReport(this.store.db, id);
    if (r.status !== 'finished') throw new AllianceError('REPORT_INVALID', `report ${r.uid} is a draft: change it instead of supplementing it`);
    return this.create(actor, parseJson(r.body, {}), { prior_uid: r.uid, submission_id: r.submission_id ?? undefined });
  }

  /** Sends a finished report to its receiving authority (the delivery job; throws to be retried). */
  async deliver(id: number): Promise<void> {
    const r = await getReport(this.store.db, id);
    if (!r.routed_to || r.status !== 'finished') return;
    const message: ReportMessage = {
      uid: r.uid,
      prior_uid: r.prior_uid,
      kind: r.kind,
      country: r.country,
      routing_basis: r.routing_basis,
      finished_at: isoOrNull(r.finished_at),
      body: parseJson<ReportBody>(r.body, { incident_type: '' }),
    };
    try {
      await this.federation.postToPeer(r.routed_to, '/federation/v1/reports', message);
    } catch (err) {
      await recordDelivery(this.store.db, id, (err as Error).message);
      throw err;
    }
    await recordDelivery(this.store.db, id, null);
  }

  /** Queues the delivery of a finished report again (after its retries ran out, or to resend). */
  async redeliver(actor: Principal, id: number): Promise<ReportView> {
    requirePermission(actor, 'reports');
    const r = await getReport(this.store.db, id);
    const [states] = await listReports(this.store.db, { id }, 1, 0);
    if (r.direction === 'out' && r.status === 'finished' && states?.delivery_destination === 'cybertipline') {
      // Routed to the CyberTipline: its submission asked for again (resumed from where it stands, never a second report).
      await this.cybertipline.request(actor, id);
      return this.get(actor, id);
    }
    if (r.direction !== 'out' || r.status !== 'finished' || !r.routed_to)
      throw new AllianceError('REPORT_INVALID', `report ${r.uid} is not a finished report routed to a member`);
    await this.store.db.transaction().execute(async (tx) => {
      await upsertDelivery(tx, id, r.routed_to!);
      await resetDelivery(tx, id);
      await enqueueJob(tx, REPORT_DELIVERY_JOB, { report_id: id });
      await this.audit.record(tx, actor, 'report.redeliver', r.uid, { to: r.routed_to });
    });
    return this.get(actor, id);
  }

  /** A report another member's node sent to this one. */
  async receive(peerName: string, input: unknown): Promise<{ uid: string; received: boolean }> {
    const m = input as Partial<ReportMessage>;
    if (typeof m !== 'object' || m === null || typeof m.uid !== 'string' || !m.uid.startsWith(`${peerName}/`) || m.uid.length > 200) {
      throw new AllianceError('REPORT_INVALID', `a report from ${peerName} carries a uid "${peerName}/<id>"`);
    }
    if (m.prior_uid !== undefined && m.prior_uid !== null && (typeof m.prior_uid !== 'string' || !m.prior_uid.startsWith(`${peerName}/`))) {
      throw new AllianceError('REPORT_INVALID', `a report from ${peerName} can only supplement its own reports ("${peerName}/<id>")`);
    }
    const body = checkReport(m.body, true);
    const text = (v: unknown, max = 200) => (typeof v === 'string' ? v.slice(0, max) : null);
    const kind = m.kind === 'referral' || m.kind === 'informational' ? m.kind : 'informational';
    const finished = typeof m.finished_at === 'string' && !Number.isNaN(Date.parse(m.finished_at)) ? Date.parse(m.finished_at) : now();
    const { report, created } = await this.store.db.transaction().execute(async (tx) => {
      const res = await insertReceivedReport(tx, {
        uid: m.uid!,
        direction: 'in',
        status: 'finished',
        body: JSON.stringify(body),
        prior_uid: text(m.prior_uid),
        submission_id: null,
        review_id: null,
        country: text(m.country, 2),
        routing_basis: text(m.routing_basis, 20),
        kind,
        routed_to: this.federation.self.name,
        from_member: peerName,
        created_by: `peer:${peerName}`,
        created_at: now(),
        finished_at: finished,
      });
      if (res.created) await this.audit.record(tx, peerPrincipal(peerName), 'report.receive', m.uid!, { kind });
      return res;
    });
    return { uid: report.uid, received: created };
  }

  /** The report drafted from a confirmed review, finished and routed at once (the review job). */
  async fromReview(actor: Principal, reviewId: number): Promise<ReportView> {
    const existing = await reportOfReview(this.store.db, reviewId);
    // A retry after a crash between drafting and finishing finishes the draft it left.
    if (existing) return existing.status === 'draft' ? this.finish(actor, existing.id) : this.get(actor, existing.id);
    const { body, submissionId } = await this.reviewReportBody(reviewId);
    const draft = await this.create(actor, body, { review_id: reviewId, submission_id: submissionId });
    return this.finish(actor, draft.id);
  }

  /**
   * Where the report a confirmed review will make is going, said at confirmation: a warning when no
   * authority is registered for its jurisdiction (sent to the fall-back contact, or kept here and
   * never delivered — counted as undelivered, not as sent).
   */
  async routingWarning(reviewId: number): Promise<string | undefined> {
    const { body } = await this.reviewReportBody(reviewId);
    const route = await routeReport(this.store.db, body, this.fallbackPeer);
    const where = route.country ? `for ${route.country}` : 'for this report (no country could be determined)';
    if (route.destination === 'cybertipline')
      return this.cybertipline.enabled
        ? undefined
        : `the receiving authority ${where} is the CyberTipline, which is not configured on this node (ALLIANCE_CYBERTIPLINE_*): the incident report will be kept on this node, undelivered`;
    if (!route.routed_to)
      return `no receiving authority is registered ${where} and there is no fall-back contact (ALLIANCE_REPORT_FALLBACK_PEER): the incident report will be kept on this node, undelivered`;
    if (route.kind === 'informational' && route.routed_to === this.fallbackPeer)
      return `no receiving authority is registered ${where}: the incident report goes to the fall-back contact ${route.routed_to}`;
    return undefined;
  }

  /** The incident report a confirmed review makes: its hashes, classification and the uploader's context. */
  private async reviewReportBody(reviewId: number): Promise<{ body: ReportBody; submissionId: number }> {
    const item = await getReviewItem(this.store.db, reviewId);
    const s = await getSubmission(this.store.db, item.submission_id);
    const matches = parseJson<ActionMatch[]>(item.reasons, []);
    const account = parseJson<{ id?: string; name?: string; email?: string; country?: string } | null>(s.account, null);
    const worst = matches.find((m) => m.classification?.legal === 'baseline') ?? matches.find((m) => m.classification) ?? matches[0];
    const at = s.uploaded_at ?? s.received_at;
    const body: ReportBody = {
      incident_type: 'child_pornography',
      incident_at: new Date(at).toISOString(),
      ...(s.url ? { internet_details: [{ type: 'web_page', value: s.url }] } : {}),
      ...(account || s.ip
        ? {
            reported_user: {
              ...(account?.id ? { id: account.id } : {}),
              ...(account?.name ? { screen_name: account.name } : {}),
              ...(account?.email ? { email: account.email } : {}),
              ...(account?.country ? { country: account.country } : {}),
              ...(s.ip ? { ip_capture_events: [{ ip: s.ip, event: 'upload', at: new Date(at).toISOString() }] } : {}),
            },
          }
        : {}),
      files: [
        {
          hashes: parseJson<Record<string, string>>(s.signals, {}),
          ...(worst?.classification ? { classification: classificationLabel(worst.classification) } : {}),
          ...(s.url ? { location_url: s.url } : {}),
          viewed_by_reporter: true,
        },
      ],
      additional_info:
        `Confirmed by review ${reviewId}. Matched ${matches.length} bank item(s): ${matches.map((m) => `${m.bank} content ${m.content_id} (${m.signal_type}, distance ${m.distance})`).join('; ')}`.slice(
          0,
          19_000,
        ),
    };
    return { body, submissionId: s.id };
  }

  // ---- receiving authorities ------------------------------------------------------------------

  /**
   * Registers what receives reports for `country` (its national authority): a peer, or the
   * CyberTipline (NCMEC) — refused unless the node is configured to submit there.
   */
  async setAuthority(actor: Principal, country: string, to: string | { cybertipline: true }): Promise<Authority> {
    requirePermission(actor, 'federation.manage');
    const cc = String(country).toUpperCase();
    if (!isCountryCode(cc)) throw new AllianceError('ROUTING_INVALID', `"${String(country).slice(0, 10)}" is not an ISO 3166-1 alpha-2 country code`);
    if (typeof to !== 'string') {
      // Whoever routes reports to the CyberTipline submits them there.
      requirePermission(actor, 'reports.submit');
      this.cybertipline.assertRoutable();
      await this.store.db.transaction().execute(async (tx) => {
        await setAuthority(tx, cc, null);
        await this.audit.record(tx, actor, 'routing.authority', cc, { destination: 'cybertipline' });
      });
      return { country: cc, destination: 'cybertipline', peer: null };
    }
    const peer = await this.federation.findPeer(to).catch((err: unknown) => {
      // The peer's own PEER_NOT_FOUND names the nearest registered peer.
      throw new AllianceError('ROUTING_INVALID', (err as Error).message);
    });
    await this.store.db.transaction().execute(async (tx) => {
      await setAuthority(tx, cc, peer.id);
      await this.audit.record(tx, actor, 'routing.authority', cc, { peer: to });
    });
    return { country: cc, destination: 'peer', peer: to };
  }

  async removeAuthority(actor: Principal, country: string): Promise<void> {
    requirePermission(actor, 'federation.manage');
    const cc = String(country).toUpperCase();
    await this.store.db.transaction().execute(async (tx) => {
      if (!(await removeAuthority(tx, cc))) throw new AllianceError('NOT_FOUND', `no receiving authority registered for ${cc}`);
      await this.audit.record(tx, actor, 'routing.authority_removed', cc, {});
    });
  }

  async authorities(actor: Principal): Promise<{ authorities: Authority[]; fallback: string | null }> {
    requirePermission(actor, 'reports');
    return { authorities: await listAuthorities(this.store.db), fallback: this.fallbackPeer };
  }

  /** A report as a file: JSON (the view) or XML. */
  async export(actor: Principal, id: number, format: 'json' | 'xml'): Promise<string> {
    const r = await this.get(actor, id);
    this.audit.recordRead(actor, 'report.export', r.uid, { format }, 1);
    const {
      incident_type,
      escalate_to_high_priority,
      annotations,
      incident_at,
      internet_details,
      reported_user,
      location_hints,
      files,
      additional_info,
      ...meta
    } = r;
    const body: ReportBody = {
      incident_type,
      escalate_to_high_priority,
      annotations,
      incident_at,
      internet_details,
      reported_user,
      location_hints,
      files,
      additional_info,
    };
    return format === 'json'
      ? `${JSON.stringify(r, null, 2)}\n`
      : reportXml({ ...meta, delivery: undefined, cybertipline: undefined }, JSON.parse(JSON.stringify(body)) as ReportBody);
  }
}
