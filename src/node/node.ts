/**
 * The composition root: one node's services over one store. The CLI and the API server both
 * open a node; nothing else holds state (no module globals).
 */
import { join } from 'node:path';
import {
  confirmedMatchBasis,
  CYBERTIPLINE_JOB,
  CyberTiplineService,
  MediaVault,
  NoticeService,
  OPINION_JOB,
  REPORT_DELIVERY_JOB,
  ReportService,
  RetroMatcher,
  REVIEW_FOLLOWUP_JOB,
  ReviewService,
  RuleService,
  smtpMailer,
  SubmissionService,
  WebhookDispatcher,
} from '../actions/index.js';
import type { BackgroundTask } from '../jobs/background.js';
import { AuditLog } from '../audit/audit-log.js';
import { ComputeService } from '../compute/compute-service.js';
import type { Checkpoint } from '../audit/checkpoints.js';
import { AuditWitnesses } from '../audit/witnesses.js';
import { RefusalLog } from '../audit/refusals.js';
import { type ChainReport, ensureDataDir, findMemberByName, getSubmission, openStore, SecretBox, type Store } from '../store/index.js';
import { DeconflictionService } from '../cases/deconfliction.js';
import { SeriesFeed } from '../cases/series-feed.js';
import { SeriesService } from '../cases/series-service.js';
import { TriageService } from '../cases/triage-service.js';
import { ReportingService } from '../reporting/reporting-service.js';
import { CountryReports } from '../reporting/country-report.js';
import { HelpDirectory } from '../awareness/help-directory.js';
import { MessageService } from '../awareness/messages.js';
import { MessageCounter } from '../awareness/message-counter.js';
import { CheckService } from '../awareness/check-service.js';
import { HelpFeed } from '../awareness/help-feed.js';
import { BankService, SIGNALS_CHANNEL } from '../banks/bank-service.js';
import type { Config } from '../config/config.js';
import { ExchangeService, FederationService, loadIdentity } from '../exchange/index.js';
import { importJobHandler, IMPORT_JOB, sweepImportFiles } from '../jobs/import-job.js';
import { JobRunner } from '../jobs/job-runner.js';
import { LookupService } from '../match/lookup-service.js';
import { LEAD_PACKAGE_JOB, LEAD_UPDATE_JOB, LeadService, OperationService, PictureService } from '../operations/index.js';
import { Matcher } from '../match/matcher.js';
import { MemberService } from '../members/member-service.js';
import { cliPrincipal, type Principal } from '../members/principal.js';
import { registerServerPath } from '../errors/redact.js';
import { resolveSelf, storeSelf } from './self.js';

export interface AllianceNode {
  readonly config: Readonly<Config>;
  readonly store: Store;
  readonly audit: AuditLog;
  readonly members: MemberService;
  readonly banks: BankService;
  readonly matcher: Matcher;
  readonly lookup: LookupService;
  /** The admin token created on the very first start (to print once), if this was it. */
  readonly firstAdminToken?: string;
  /** What of the configured identity was ignored because the node's identity is stored (to print). */
  readonly identityWarning?: string;
  /** Background jobs (started by servers). */
  readonly jobs: JobRunner;
  /** Peers, publications, subscriptions, opinions. */
  readonly federation: FederationService;
  /** External exchanges (NCMEC, ThreatExchange, HMA's sample, …): their banks, fetches, credentials and opinions. */
  readonly exchanges: ExchangeService;
  /** Acting on matches: rules, submissions, the review queue, webhook deliveries. */
  readonly rules: RuleService;
  readonly submissions: SubmissionService;
  readonly reviews: ReviewService;
  readonly webhooks: WebhookDispatcher;
  readonly reports: ReportService;
  /** Finished reports submitted to the CyberTipline (off unless configured), exactly once, resumed after a crash. */
  readonly cybertipline: CyberTiplineService;
  readonly notices: NoticeService;
  /** Series, victims (pseudonymous), support services and referrals. */
  readonly series: SeriesService;
  /** Cases and their targets as keyed hashes; overlap alerts. */
  readonly deconfliction: DeconflictionService;
  /** Joint operations: targets imported, attributed to countries, matched (src/operations/). */
  readonly operations: OperationService;
  /** Lead packages of operations, sent to each country's authority, and those received (src/operations/leads.ts). */
  readonly leads: LeadService;
  /** An operation's picture per country (referrals, outcomes, times), its CSV and signed PDF (src/operations/picture.ts). */
  readonly pictures: PictureService;
  /** Indicators of the four policy targets, manual entries, campaigns, the MNR self-assessment. */
  readonly reporting: ReportingService;
  /** Country reports: built, signed and submitted here; received here when this node is the secretariat. */
  readonly countryReports: CountryReports;
  /** Awareness: where to turn for help, per country. */
  readonly help: HelpDirectory;
  /** Awareness messages per context, audience and language (versioned, reviewed). */
  readonly messages: MessageService;
  /** The help directory shared with peers (signed feed, pulled from a stored position). */
  readonly helpFeed: HelpFeed;
  /** The check API: listed search text or upload hash → message and help. */
  readonly check: CheckService;
  /** Seized-media triage runs and their results. */
  readonly triage: TriageService;
  /** Series status shared with peers (published and pulled). */
  readonly seriesFeed: SeriesFeed;
  /** Matches content submitted earlier against signals banks gain later. */
  readonly retro: RetroMatcher;
  /** Witness peers of the audit chain's checkpoints (and this node as a witness of others'). */
  readonly auditWitnesses: AuditWitnesses;
  /** Refused federation requests, audited with repeats coalesced (audit/refusals.ts). */
  readonly refusals: RefusalLog;
  /** Signs a checkpoint of the audit chain now (unless the head has one) and sends it to the witnesses. */
  checkpointAudit(): Promise<AuditCheckpointReport>;
  /**
   * What a serving node repeats on timers, for this configuration: each service's own tasks
   * (backgroundTasks()), collected here, run by `alliance serve` (cli/commands/serve.ts).
   */
  backgroundTasks(): BackgroundTask[];
  /** Verifies the audit chain against its checkpoints and what the witnesses kept. */
  verifyAudit(): Promise<
    ChainReport & { unreachable_witnesses: Array<{ witness: string; error: string }>; witness_errors: Array<{ witness: string; error: string }> }
  >;
  /** Heavy work (hashing uploads, comparing long videos) on threads of its own, within limits. */
  readonly compute: ComputeService;
  /** The node operator, for CLI commands. */
  operator(): Promise<Principal>;
  close(): Promise<void>;
}

export interface AuditCheckpointReport {
  checkpoint: Checkpoint | null;
  written: boolean;
  witness_failures: Array<{ witness: string; error: string }>;
}

export interface OpenOptions {
  /** Load the match index now (servers); CLI commands that only write skip it. */
  loadIndex?: boolean;
  /** Follow other processes' writes through LISTEN/NOTIFY (PostgreSQL). */
  follow?: boolean;
  /** Probe the PDQ index on this many threads (servers: config.lookupThreads). */
  queryThreads?: number;
  /** Whether single queries go to those threads, or only batches (servers of several workers). */
  singleQueriesOnThreads?: boolean;
  /** A server: costly indexes (vPDQ) answer on a thread of their own, within the configured limits. */
  serving?: boolean;
}

export async function openNode(given: Readonly<Config>, options: OpenOptions = {}): Promise<AllianceNode> {
  registerServerPath(given.dataDir);
  ensureDataDir(given.dataDir);
  const store = await openStore({ dataDir: given.dataDir, databaseUrl: given.databaseUrl, backgroundCheckpoint: options.serving });
  let resolved: Awaited<ReturnType<typeof resolveSelf>>;
  try {
    resolved = await resolveSelf(store, given);
  } catch (err) {
    await store.close();
    throw err;
  }
  // One object for every service: a change of the node's kind or country reaches them all.
  const self = resolved.self;
  const config: Readonly<Config> = Object.freeze({ ...given, memberName: self.name, memberKind: self.kind, memberCountry: self.country });
  const identity = loadIdentity(config.dataDir);
  const audit = new AuditLog(store, { dataDir: config.dataDir, identity, member: config.memberName });
  try {
    await audit.prepare();
  } catch (err) {
    await store.close();
    throw err;
  }
  const matcher = new Matcher(
    store,
    join(config.dataDir, 'index'),
    options.queryThreads ?? 0,
    options.serving ? { maxQueued: Math.max(1, Math.min(config.computeQueue, 16)), maxUnits: config.vpdqMaxFrames } : undefined,
    options.singleQueriesOnThreads ?? true,
  );
  const compute = new ComputeService({ threads: config.computeThreads, maxQueued: config.computeQueue, decodePixelBudget: config.decodeBudgetPixels });
  const indexLoaded = options.loadIndex ?? false;
  const members = new MemberService(store, audit, (m) => {
    if (m.name === self.name) Object.assign(self, { kind: m.kind, country: m.country });
  });
  const banks = new BankService(store, audit, () => (indexLoaded ? matcher.catchUp() : Promise.resolve()));
  const lookup = new LookupService(store, matcher, self);
  const federation = new FederationService(store, audit, identity, self, () => (indexLoaded ? matcher.catchUp() : Promise.resolve()), config.syncTimeoutMs);
  const auditWitnesses = new AuditWitnesses(store, federation, config.auditWitnesses);
  const refusals = new RefusalLog(store, audit);
  let checkpointing: Promise<unknown> = Promise.resolve();
  const vault = new MediaVault(config.dataDir);
  const secrets = new SecretBox(config.dataDir);
  const rules = new RuleService(store, audit, secrets, { allowedHosts: config.fetchAllowedHosts });
  const exchanges = new ExchangeService(store, audit, secrets, self, () => (indexLoaded ? matcher.catchUp() : Promise.resolve()), {
    backoffMs: config.exchangeBackoffMs,
    timeoutMs: config.syncTimeoutMs,
    fetchBudgetMs: config.exchangeFetchBudgetMs,
  });
  // A verdict on content an external exchange delivered goes back through that exchange.
  federation.routeOpinions(exchanges);
  // Only the serving node (role all) keeps review media: its data directory is where reviews read it.
  const submissions = new SubmissionService(store, audit, lookup, rules, vault, config.role === 'all');
  const reviews = new ReviewService(store, audit, vault);
  const webhooks = new WebhookDispatcher(store, audit, secrets, {
    retryBaseMs: config.webhookRetryBaseMs,
    maxAttempts: config.webhookMaxAttempts,
    allowedHosts: config.fetchAllowedHosts,
  });
  const retro = new RetroMatcher(store, submissions);
  const series = new SeriesService(store, audit, self);
  const seriesFeed = new SeriesFeed(store, audit, federation);
  const triage = new TriageService(store, audit, lookup);
  const reporting = new ReportingService(store, audit, self);
  const countryReports = new CountryReports(store, audit, reporting, federation, config.secretariatPeer);
  const help = new HelpDirectory(store, audit, self);
  const messages = new MessageService(store, audit);
  const helpFeed = new HelpFeed(store, federation, help);
  const messageCounter = new MessageCounter(reporting);
  const check = new CheckService(lookup, messages, help, messageCounter);
  const deconfliction = new DeconflictionService(store, audit, self, config.deconflictionKey, federation);
  const operations = new OperationService(store, audit, self, lookup, deconfliction);
  const operator = async () => cliPrincipal((await findMemberByName(store.db, config.memberName))?.id ?? null, config.memberName);
  const cybertipline = new CyberTiplineService(store, audit, vault, config.cybertipline, operator);
  const reports = new ReportService(store, audit, federation, config.reportFallbackPeer, cybertipline);
  const leads = new LeadService(store, audit, federation, config.reportFallbackPeer);
  const pictures = new PictureService(store, federation);
  const notices = new NoticeService(
    store,
    audit,
    federation.self,
    {
      resendMs: config.noticeResendMs,
      fetch: { allowedHosts: config.fetchAllowedHosts, maxBytes: config.fetchMaxBytes, timeoutMs: 30_000 },
      maxImagePixels: config.maxImagePixels,
      compute: { service: compute, vpdqMaxFrames: config.vpdqMaxFrames },
    },
    smtpMailer(config.smtpUrl, config.smtpFrom, 30_000),
  );
  const jobs = new JobRunner(
    store,
    {
      [IMPORT_JOB]: importJobHandler(banks),
      // A verdict on received content goes back to its origin; retried while the peer is unreachable.
      [OPINION_JOB]: async (data) => {
        const d = data as { content_id: number; opinion: string; reason: string | null };
        return federation.sendOpinion(await operator(), d.content_id, d.opinion, d.reason);
      },
      [REPORT_DELIVERY_JOB]: async (data) => reports.deliver((data as { report_id: number }).report_id),
      // Lead packages and their status updates go the same way: durable jobs, retried while the peer is unreachable.
      [LEAD_PACKAGE_JOB]: async (data) => leads.deliver((data as { package_id: number }).package_id),
      [LEAD_UPDATE_JOB]: async (data) => leads.deliverUpdate((data as { update_id: number }).update_id),
      [CYBERTIPLINE_JOB]: async (data) => cybertipline.run((data as { report_id: number }).report_id),
      [REVIEW_FOLLOWUP_JOB]: async (data) => {
        const id = (data as { review_id: number }).review_id;
        const actor = await operator();
        const item = await reviews.item(actor, id);
        const out: Record<string, unknown> = {};
        if (item.next_actions.includes('report')) out.report = (await reports.fromReview(actor, id)).uid;
        if (item.next_actions.includes('notice')) {
          const s = await getSubmission(store.db, item.submission_id);
          out.notice = (await notices.fromReview(actor, id, s, confirmedMatchBasis(item.reasons, config.memberName)))?.id ?? null;
        }
        return out;
      },
    },
    500,
    {
      // A peer may be down for days: keep trying (hourly, after the first doublings) for about a week.
      [REPORT_DELIVERY_JOB]: 180,
      [LEAD_PACKAGE_JOB]: 180,
      [LEAD_UPDATE_JOB]: 180,
      // The CyberTipline may be down for a while; a refusal or wrong credentials end the job at once.
      [CYBERTIPLINE_JOB]: 180,
      [OPINION_JOB]: 180,
    },
    [() => sweepImportFiles(store.db, config.dataDir)],
  );
  const firstAdminToken = config.role === 'all' ? await members.bootstrap(config.memberName, config.memberKind, config.memberCountry) : undefined;
  if (!resolved.stored && config.role === 'all') await storeSelf(store, self);
  if (config.role === 'all') await rules.sealStoredWebhooks();
  try {
    if (indexLoaded) await matcher.load();
    if (indexLoaded && options.follow) await store.listen(SIGNALS_CHANNEL, () => void matcher.catchUp());
  } catch (err) {
    // Nothing of a node that could not open keeps the process alive (query threads, connections).
    await matcher.close().catch(() => undefined);
    await compute.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  const node: AllianceNode = {
    config,
    store,
    audit,
    members,
    banks,
    matcher,
    lookup,
    jobs,
    federation,
    exchanges,
    rules,
    submissions,
    reviews,
    webhooks,
    reports,
    cybertipline,
    notices,
    retro,
    series,
    seriesFeed,
    triage,
    reporting,
    countryReports,
    help,
    messages,
    helpFeed,
    check,
    deconfliction,
    operations,
    leads,
    pictures,
    firstAdminToken,
    ...(resolved.warning ? { identityWarning: resolved.warning } : {}),
    auditWitnesses,
    refusals,
    compute,
    backgroundTasks() {
      const tasks: BackgroundTask[] = [{ name: 'index catch-up', intervalMs: config.pollIntervalMs, everyProcess: true, run: () => matcher.catchUp() }];
      // Syncs, deliveries, notices and checkpoints are the serving node's (role all); other roles only keep their index.
      if (config.role === 'all') {
        if (config.syncIntervalMs > 0) {
          tasks.push(
            ...federation.backgroundTasks(config.syncIntervalMs),
            ...exchanges.backgroundTasks(config.syncIntervalMs),
            ...seriesFeed.backgroundTasks(config.syncIntervalMs),
            ...helpFeed.backgroundTasks(config.syncIntervalMs),
            ...deconfliction.backgroundTasks(config.syncIntervalMs, Boolean(config.deconflictionKey)),
          );
        }
        tasks.push(
          ...webhooks.backgroundTasks(config.actionsTickMs),
          ...notices.backgroundTasks(config.actionsTickMs),
          ...retro.backgroundTasks(config.actionsTickMs),
          ...reviews.backgroundTasks(config.reviewRetentionDays, config.actionsTickMs),
        );
        // One process signs the audit chain's checkpoints (and sends them to the witnesses).
        if (config.auditCheckpointMs > 0) {
          tasks.push({
            name: 'audit checkpoint',
            intervalMs: config.auditCheckpointMs,
            run: async (log) => {
              const r = await node.checkpointAudit();
              for (const f of r.witness_failures) log.error({ witness: f.witness, error: f.error }, 'an audit witness did not take the checkpoint');
            },
          });
        }
      }
      // One process writes the index snapshots (they are the same in every worker).
      if (config.snapshotIntervalMs > 0) tasks.push({ name: 'snapshot', intervalMs: config.snapshotIntervalMs, run: () => matcher.snapshot() });
      return tasks;
    },
    checkpointAudit() {
      // One at a time in this process: checkpoints reach the file and the witnesses in the order signed.
      const run = checkpointing.then(async () => {
        const made = await audit.checkpoint();
        const witness_failures = made ? await auditWitnesses.publish(made.envelope) : [];
        // A witness that holds another hash for an entry is the alarm that this chain was rewritten.
        const refused = witness_failures.filter((f) => /CHECKPOINT_CONFLICT|contradicts/.test(f.error));
        if (refused.length)
          await store.db
            .transaction()
            .execute(async (tx) =>
              audit.record(tx, await operator(), 'audit.checkpoint_contradicted', String(made?.checkpoint.entry ?? ''), { witnesses: refused }),
            );
        return { checkpoint: made?.checkpoint ?? null, written: made?.written ?? false, witness_failures };
      });
      checkpointing = run.catch(() => undefined);
      return run;
    },
    async verifyAudit() {
      const { envelopes, unreachable } = await auditWitnesses.collect();
      return { ...(await audit.verify(envelopes)), unreachable_witnesses: unreachable };
    },
    operator,
    async close() {
      exchanges.stop();
      await jobs.stop();
      await messageCounter.flush();
      await refusals.flush();
      await audit.flush();
      await matcher.close();
      await compute.close();
      await store.close();
    },
  };
  return node;
}
