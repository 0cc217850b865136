/**
 * Incident reports submitted to the CyberTipline, exactly once. Asked for explicitly (CLI, API), the
 * submission runs as a durable job and works from its stored state: submit the report XML → store
 * the CyberTipline's report id → upload each file (only where the node allows it and the review's
 * media is still kept) → send each file's details (its hashes) → finish. Every answer is stored
 * before the next step, so a retry after a crash continues with the stored report id and never
 * opens a second report.
 *
 * The one step that cannot be made safe is the submit itself: the ESP protocol has no idempotency
 * key, so a submit whose answer was lost (a timeout, a reset, a crash before its answer was stored)
 * may or may not have opened a report. It is marked `uncertain` and not sent again until someone
 * checks and asks with `resubmit`. A refusal by the service (a non-zero responseCode) is stored
 * and shown on the report's view, and not retried until asked again.
 *
 * A report whose country's receiving authority is the CyberTipline is queued here when it is
 * finished (`queueRouted`, in the finish's transaction); its delivery (report_deliveries,
 * destination 'cybertipline') moves with the submission: delivered once finished there, failed
 * with the reason while it is refused, uncertain, retracted, or the node is not configured for it.
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../audit/audit-log.js';
import { AllianceError } from '../../errors/catalogue.js';
import { requirePermission, type Principal } from '../../members/principal.js';
import {
  type CybertiplineSubmission,
  ensureCybertiplineSubmission,
  enqueueJob,
  type Executor,
  findReportId,
  getCybertiplineSubmission,
  getReport,
  type IncidentReport,
  leaseCybertiplineSubmission,
  now,
  parseJson,
  releaseCybertiplineSubmission,
  setCybertiplineDelivery,
  type Store,
  type Tx,
  takeOverCybertiplineLease,
  updateCybertiplineSubmission,
  upsertDelivery,
} from '../../store/index.js';
import type { MediaVault } from '../media-vault.js';
import type { ReportBody } from '../report-model.js';
import { AnswerLost, type EspAnswer, EspClient } from './client.js';
import { cybertiplineReportXml, fileDetailsXml } from './report-xml.js';

export const CYBERTIPLINE_JOB = 'report.cybertipline';

/** The node's CyberTipline settings (config.ts reads them from ALLIANCE_CYBERTIPLINE_*). */
export interface CyberTiplineConfig {
  url: string;
  user: string;
  password: string;
  environment: 'test' | 'production';
  uploadFiles: boolean;
  reporterEmail: string | null;
  reporterFirstName: string | null;
  reporterLastName: string | null;
  timeoutMs: number;
}

/** responseCodes the service gives for a step already done (REFERENCE.md §9). */
const ALREADY_RETRACTED = 5101;
const ALREADY_FINISHED = 5102;

/** Where one file of the report stands. */
interface FileState {
  index: number;
  file_id: string | null;
  uploaded: boolean;
  detailed: boolean;
}

/** The `cybertipline` block of a report's view. */
export interface CyberTiplineView {
  status: string;
  environment: string;
  report_id: string | null;
  response_code: number | null;
  error: string | null;
  finished_at: string | null;
}

/** Where this process runs: the host name and the PID namespace (as the job runner tells a gone process). */
function processPlace(): string {
  let ns = 'no-pidns';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // not Linux: the host name alone
  }
  return `${hostname()}/${ns}`;
}

/** Whether a lease holder (`<place>|<pid>|<uuid>`) is a process of this machine that no longer runs. */
function holderGone(holder: string): boolean {
  const [place, pidText] = holder.split('|');
  const pid = Number(pidText);
  if (place !== processPlace() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A refusal by the service: stored, shown, not retried. */
class Refused extends Error {}

export class CyberTiplineService {
  /** This process's name as a lease holder. */
  private readonly holder = `${processPlace()}|${process.pid}|${randomUUID()}`;
  /** Reports this process is working now. */
  private readonly working = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly vault: MediaVault,
    private readonly settings: Readonly<CyberTiplineConfig> | null,
    private readonly operator: () => Promise<Principal>,
  ) {}

  get enabled(): boolean {
    return this.settings !== null;
  }

  private config(): Readonly<CyberTiplineConfig> {
    if (!this.settings) throw offError();
    return this.settings;
  }

  /**
   * Refuses to make the CyberTipline a receiving authority where the node cannot send to it: not
   * configured (CYBERTIPLINE_OFF), or no reporter e-mail (which every report needs).
   */
  assertRoutable(): void {
    const c = this.config();
    if (!c.reporterEmail)
      throw new AllianceError(
        'ROUTING_INVALID',
        'the CyberTipline needs a reporting person on every report: set ALLIANCE_CYBERTIPLINE_REPORTER_EMAIL before making it a receiving authority',
      );
  }

  /**
   * Checks a report body against what the CyberTipline requires (REPORT_INVALID names the field),
   * or CYBERTIPLINE_OFF when the node is not configured for it.
   */
  check(body: unknown): void {
    const c = this.config();
    cybertiplineReportXml(body, { email: c.reporterEmail, firstName: c.reporterFirstName, lastName: c.reporterLastName });
  }

  /**
   * Queues the submission of a report just finished and routed to the CyberTipline (its country's
   * receiving authority), in the finish's transaction `tx`: its delivery and its submission
   * recorded, the job queued. Not configured on the node: the delivery is recorded as failed with
   * the reason, and nothing is queued (sent once configured, with `report deliver`).
   */
  async queueRouted(tx: Tx, actor: Principal, id: number, uid: string): Promise<void> {
    await upsertDeliveryFor(tx, id);
    if (!this.settings) {
      await setCybertiplineDelivery(tx, id, 'failed', notConfiguredForRouted());
      return;
    }
    await ensureCybertiplineSubmission(tx, id, this.settings.environment, actor.actor);
    await enqueueJob(tx, CYBERTIPLINE_JOB, { report_id: id });
    await this.audit.record(tx, actor, 'report.cybertipline_request', uid, { environment: this.settings.environment, routed: true });
  }

  private xmlOf(r: IncidentReport) {
    const c = this.config();
    return cybertiplineReportXml(parseJson(r.body, {}), { email: c.reporterEmail, firstName: c.reporterFirstName, lastName: c.reporterLastName });
  }

  /**
   * Asks for a finished report's submission: the report is checked against what the CyberTipline
   * requires (REPORT_INVALID names the field; nothing is stored or sent), its submission recorded and
   * the job queued. A submission that was refused is worked again from where it stood; one whose
   * submit answer was lost, or that was retracted, starts afresh only with `resubmit`.
   */
  async request(actor: Principal, id: number, opts: { resubmit?: boolean } = {}): Promise<void> {
    requirePermission(actor, 'reports.submit');
    const cfg = this.config();
    const r = await getReport(this.store.db, id);
    if (r.status !== 'finished') throw new AllianceError('REPORT_INVALID', `report ${r.uid} is a draft: finish it before submitting it to the CyberTipline`);
    this.xmlOf(r);
    await this.store.db.transaction().execute(async (tx) => {
      const { row, created } = await ensureCybertiplineSubmission(tx, id, cfg.environment, actor.actor);
      if (!created && row.environment !== cfg.environment) {
        // A report sent to the test environment is sent afresh to production (and back), unless one is under way there.
        if (row.status === 'open' || row.status === 'submitting')
          throw new AllianceError(
            'CYBERTIPLINE_STATE',
            `report ${r.uid} has an unfinished CyberTipline report in the ${row.environment} environment: finish or retract it with that configuration first`,
          );
        await updateCybertiplineSubmission(tx, id, {
          status: 'pending',
          environment: cfg.environment,
          ct_report_id: null,
          files: '[]',
          response_code: null,
          last_error: null,
          finished_at: null,
        });
      } else if (!created) {
        if (row.status === 'finished') return;
        if (row.status === 'retracted' || row.status === 'uncertain') {
          if (!opts.resubmit)
            throw new AllianceError(
              'CYBERTIPLINE_STATE',
              row.status === 'retracted'
                ? `report ${r.uid} was retracted from the CyberTipline (report ${row.ct_report_id}); a finish after a retract is refused — submit it as a new report with --resubmit`
                : `the CyberTipline may have opened a report for ${r.uid} already (${row.last_error ?? 'the answer to the submit was lost'}); check there, then submit again with --resubmit`,
            );
          await updateCybertiplineSubmission(tx, id, {
            status: 'pending',
            ct_report_id: null,
            files: '[]',
            response_code: null,
            last_error: null,
            finished_at: null,
          });
        } else if (row.status === 'rejected') {
          await updateCybertiplineSubmission(tx, id, { status: row.ct_report_id ? 'open' : 'pending', response_code: null, last_error: null });
        }
      }
      await enqueueJob(tx, CYBERTIPLINE_JOB, { report_id: id });
      await setCybertiplineDelivery(tx, id, 'pending', null);
      await this.audit.record(tx, actor, 'report.cybertipline_request', r.uid, { environment: cfg.environment, resubmit: Boolean(opts.resubmit) });
    });
  }

  /** A report's id by its id or uid. */
  reportId(ref: string): Promise<number> {
    return findReportId(this.store.db, ref);
  }

  /**
   * Asks for the submission and works it now (the CLI): the state it reached, or the error that
   * stopped it (a retryable one leaves the job queued for `alliance serve`).
   */
  async submitNow(actor: Principal, id: number, opts: { resubmit?: boolean } = {}): Promise<CyberTiplineView> {
    await this.request(actor, id, opts);
    return (await this.run(id))!;
  }

  /** Where a report's submission stands (null: never asked for). */
  async state(id: number): Promise<CyberTiplineView | null> {
    const row = await getCybertiplineSubmission(this.store.db, id);
    return row ? cybertiplineView(row) : null;
  }

  /** Works one lease on a submission: throws CYBERTIPLINE_UNAVAILABLE while another process holds it. */
  private async leased<T>(id: number, work: () => Promise<T>): Promise<T> {
    const cfg = this.config();
    // The lease names this process; within it, one piece of work per report at a time (the job and a retract).
    if (this.working.has(id)) throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `report ${id}'s CyberTipline submission is being worked; tried again later`);
    this.working.add(id);
    try {
      return await this.leasedHere(id, cfg, work);
    } finally {
      this.working.delete(id);
    }
  }

  private async leasedHere<T>(id: number, cfg: Readonly<CyberTiplineConfig>, work: () => Promise<T>): Promise<T> {
    const until = now() + this.leaseMs(cfg);
    if (!(await leaseCybertiplineSubmission(this.store.db, id, this.holder, until))) {
      // A process killed while it held the lease: taken over at once (its stored state says where it stopped).
      const other = (await getCybertiplineSubmission(this.store.db, id))?.lease_holder;
      if (!other || !holderGone(other) || !(await takeOverCybertiplineLease(this.store.db, id, other, this.holder, until)))
        throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `another process is working report ${id}'s CyberTipline submission; tried again later`);
    }
    try {
      return await work();
    } finally {
      await releaseCybertiplineSubmission(this.store.db, id, this.holder);
    }
  }

  private leaseMs = (cfg: Readonly<CyberTiplineConfig>) => cfg.timeoutMs * 2 + 30_000;

  /** The job: the submission from where it stands to finished (throws what is to be retried). */
  async run(id: number): Promise<CyberTiplineView | null> {
    if (!this.settings) {
      // Queued while the node was configured, and the configuration removed since: said on the report, not retried.
      const routed = await setCybertiplineDelivery(this.store.db, id, 'failed', notConfiguredForRouted());
      const message = routed ? notConfiguredForRouted() : offError().message;
      if (await getCybertiplineSubmission(this.store.db, id)) await updateCybertiplineSubmission(this.store.db, id, { last_error: message });
      throw new AllianceError('CYBERTIPLINE_OFF', message);
    }
    try {
      return await this.work(id, this.settings);
    } finally {
      await this.syncDelivery(id);
    }
  }

  /** Moves a CyberTipline delivery (if the report has one) to where its submission stands. */
  private async syncDelivery(id: number): Promise<void> {
    const row = await getCybertiplineSubmission(this.store.db, id);
    if (!row) return;
    const state =
      row.status === 'finished' ? 'delivered' : ['rejected', 'uncertain', 'retracted'].includes(row.status) || row.last_error ? 'failed' : 'pending';
    const error = state === 'failed' ? (row.last_error ?? `the CyberTipline submission is ${row.status}`) : null;
    await setCybertiplineDelivery(
      this.store.db,
      id,
      state,
      row.status === 'retracted' ? `retracted from the CyberTipline (report ${row.ct_report_id})` : error,
    );
  }

  private work(id: number, cfg: Readonly<CyberTiplineConfig>): Promise<CyberTiplineView | null> {
    return this.leased(id, async () => {
      const row = await getCybertiplineSubmission(this.store.db, id);
      if (!row) return null;
      if (['finished', 'retracted', 'rejected', 'uncertain'].includes(row.status)) return cybertiplineView(row);
      try {
        await this.steps(row, cfg);
      } catch (err) {
        if (!(err instanceof Refused)) {
          // An HTTP 4xx other than 401/403 is the service refusing the request: kept, not retried.
          const refused = err instanceof AllianceError && err.code === 'CYBERTIPLINE_REJECTED';
          await this.set(id, { last_error: (err as Error).message, ...(refused ? { status: 'rejected' } : {}) });
          throw err;
        }
      }
      return cybertiplineView((await getCybertiplineSubmission(this.store.db, id))!);
    });
  }

  private async set(id: number, fields: Parameters<typeof updateCybertiplineSubmission>[2]): Promise<void> {
    if (!(await updateCybertiplineSubmission(this.store.db, id, fields, this.holder)))
      throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `report ${id}'s CyberTipline submission was taken over by another process`);
  }

  /** Stores a refusal (non-zero responseCode) and stops. */
  private async refuse(row: CybertiplineSubmission, step: string, a: EspAnswer): Promise<never> {
    await this.set(row.report_id, {
      status: 'rejected',
      response_code: a.responseCode,
      last_error: `${step}: ${a.responseDescription || 'no description'} (responseCode ${a.responseCode})`,
    });
    await this.record(row.report_id, 'report.cybertipline_rejected', { step, response_code: a.responseCode, description: a.responseDescription });
    throw new Refused();
  }

  private async record(id: number, action: string, detail: Record<string, unknown>): Promise<void> {
    const r = await getReport(this.store.db, id);
    const actor = await this.operator();
    await this.store.db.transaction().execute((tx) => this.audit.record(tx, actor, action, r.uid, detail));
  }

  private async steps(start: CybertiplineSubmission, cfg: Readonly<CyberTiplineConfig>): Promise<void> {
    const id = start.report_id;
    const client = new EspClient(cfg);
    const r = await getReport(this.store.db, id);
    let xml: string;
    let body: ReportBody;
    try {
      ({ xml, body } = this.xmlOf(r));
    } catch (err) {
      // The report was checked when asked for; the reporter's settings may have changed since.
      await this.set(id, { status: 'rejected', response_code: null, last_error: (err as Error).message });
      throw new Refused();
    }
    let row = start;
    if (row.environment !== cfg.environment)
      throw new AllianceError(
        'CYBERTIPLINE_STATE',
        `report ${r.uid}'s CyberTipline submission was begun in the ${row.environment} environment; this node is configured for ${cfg.environment}`,
      );
    if (row.status === 'submitting') {
      // A crash after the submit was sent and before its answer was stored.
      await this.set(id, {
        status: 'uncertain',
        last_error:
          'the submit was sent but its answer was never stored (the process stopped): the CyberTipline may hold a report; check there, then submit again with --resubmit',
      });
      throw new Refused();
    }
    if (!row.ct_report_id) {
      await this.set(id, { status: 'submitting', attempts: row.attempts + 1 });
      let a: EspAnswer;
      try {
        a = await client.submit(xml);
      } catch (err) {
        if (err instanceof AnswerLost) {
          await this.set(id, {
            status: 'uncertain',
            last_error: `${err.message}: the CyberTipline may have opened a report; check there, then submit again with --resubmit`,
          });
          throw new Refused();
        }
        // Refused before a report was opened (credentials, unreachable, 5xx): nothing was created.
        await this.set(id, { status: 'pending', last_error: (err as Error).message });
        throw err;
      }
      if (a.responseCode !== 0 || !a.reportId) {
        await this.refuse(row, 'submit', a.responseCode !== 0 ? a : { ...a, responseCode: -1, responseDescription: 'the answer holds no reportId' });
      }
      await this.set(id, { status: 'open', ct_report_id: a.reportId!, response_code: 0, last_error: null });
      await this.record(id, 'report.cybertipline_opened', { ct_report_id: a.reportId, environment: cfg.environment });
      row = (await getCybertiplineSubmission(this.store.db, id))!;
    }
    const ctId = row.ct_report_id!;
    const files = body.files ?? [];
    const stored = parseJson<FileState[]>(row.files, []);
    const states: FileState[] = files.map((_, index) => stored.find((s) => s.index === index) ?? { index, file_id: null, uploaded: false, detailed: false });
    const save = () => this.set(id, { files: JSON.stringify(states) });
    for (const [index, file] of files.entries()) {
      const s = states[index];
      await leaseCybertiplineSubmission(this.store.db, id, this.holder, now() + this.leaseMs(cfg));
      // The review's media is the report's one file; it is kept only briefly, and sent only where the node allows it.
      if (cfg.uploadFiles && !s.uploaded && r.review_id !== null && files.length === 1) {
        const media = await this.vault.get(r.review_id).catch(() => null);
        if (media) {
          const a = await client.upload(ctId, file.file_name ?? `file-${index + 1}`, media);
          if (a.responseCode !== 0 || !a.fileId) await this.refuse(row, `upload of file ${index + 1}`, a);
          Object.assign(s, { uploaded: true, file_id: a.fileId });
          await save();
        }
      }
      if (!s.detailed) {
        const a = await client.fileInfo(fileDetailsXml(ctId, s.file_id, file));
        if (a.responseCode !== 0) await this.refuse(row, `file details of file ${index + 1}`, a);
        s.detailed = true;
        await save();
      }
    }
    await leaseCybertiplineSubmission(this.store.db, id, this.holder, now() + this.leaseMs(cfg));
    const a = await client.finish(ctId);
    if (a.responseCode === ALREADY_RETRACTED) {
      await this.set(id, { status: 'retracted', response_code: a.responseCode, last_error: a.responseDescription });
      return;
    }
    // Finished already: the answer to an earlier finish was lost.
    if (a.responseCode !== 0 && a.responseCode !== ALREADY_FINISHED) await this.refuse(row, 'finish', a);
    await this.set(id, { status: 'finished', finished_at: now(), response_code: a.responseCode, last_error: null });
    await this.record(id, 'report.cybertipline_finished', { ct_report_id: ctId, files: files.length });
  }

  /** Abandons an opened, unfinished CyberTipline report (`POST /retract`); a finished one stays. */
  async retract(actor: Principal, id: number): Promise<CyberTiplineView> {
    requirePermission(actor, 'reports.submit');
    const cfg = this.config();
    const r = await getReport(this.store.db, id);
    return this.leased(id, async () => {
      const row = await getCybertiplineSubmission(this.store.db, id);
      if (!row?.ct_report_id) throw new AllianceError('CYBERTIPLINE_STATE', `report ${r.uid} has no open CyberTipline report to retract`);
      if (row.status === 'finished')
        throw new AllianceError('CYBERTIPLINE_STATE', `report ${r.uid} is finished at the CyberTipline (${row.ct_report_id}): it cannot be retracted`);
      if (row.status === 'retracted') return cybertiplineView(row);
      const a = await new EspClient(cfg).retract(row.ct_report_id);
      if (a.responseCode === ALREADY_FINISHED) {
        await this.set(id, { status: 'finished', finished_at: now(), response_code: a.responseCode, last_error: null });
        throw new AllianceError('CYBERTIPLINE_STATE', `the CyberTipline says report ${row.ct_report_id} is finished: it cannot be retracted`);
      }
      if (a.responseCode !== 0 && a.responseCode !== ALREADY_RETRACTED)
        throw new AllianceError('CYBERTIPLINE_REJECTED', `retract: ${a.responseDescription || 'no description'} (responseCode ${a.responseCode})`);
      await this.set(id, { status: 'retracted', response_code: a.responseCode, last_error: null });
      await this.store.db.transaction().execute((tx) => this.audit.record(tx, actor, 'report.cybertipline_retract', r.uid, { ct_report_id: row.ct_report_id }));
      await this.syncDelivery(id);
      return cybertiplineView((await getCybertiplineSubmission(this.store.db, id))!);
    });
  }
}

const offError = () =>
  new AllianceError(
    'CYBERTIPLINE_OFF',
    'CyberTipline submission is not configured on this node: set ALLIANCE_CYBERTIPLINE_USER and ALLIANCE_CYBERTIPLINE_PASSWORD (or _PASSWORD_FILE)',
  );

/** Why a report routed to the CyberTipline is not sent. */
const notConfiguredForRouted = () =>
  `${offError().message}; the report's country has the CyberTipline as its receiving authority: once configured, send it with \`alliance report deliver <id>\` (POST /api/v1/reports/<id>/deliver)`;

/** What a CyberTipline delivery is called in report_deliveries.peer. */
export const CYBERTIPLINE_DESTINATION_NAME = 'CyberTipline (NCMEC)';

const upsertDeliveryFor = (tx: Executor, id: number) => upsertDelivery(tx, id, CYBERTIPLINE_DESTINATION_NAME, 'cybertipline');

export function cybertiplineView(row: {
  status: string;
  environment: string;
  ct_report_id: string | null;
  response_code: number | null;
  last_error: string | null;
  finished_at: number | null;
}): CyberTiplineView {
  return {
    status: row.status,
    environment: row.environment,
    report_id: row.ct_report_id,
    response_code: row.response_code === null ? null : Number(row.response_code),
    error: row.last_error,
    finished_at: row.finished_at === null ? null : new Date(Number(row.finished_at)).toISOString(),
  };
}
