/**
 * Node configuration: command-line values over environment over defaults, validated once and
 * frozen. Never executable code (the HMA lesson: configuration as a Python file).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { CyberTiplineConfig } from '../actions/index.js';
import { AllianceError } from '../errors/catalogue.js';
import { DEFAULT_LIMITS } from '../media/limits.js';
import { parseAllowedHosts } from '../media/fetch-url.js';
import { MEMBER_KINDS, type MemberKind } from '../members/roles.js';

export type NodeRole = 'all' | 'matcher';

export interface Config {
  dataDir: string;
  /** postgres://… to use PostgreSQL; absent = SQLite under dataDir. */
  databaseUrl?: string;
  host: string;
  port: number;
  /** 'all' serves everything; 'matcher' serves lookups from a shared PostgreSQL database. */
  role: NodeRole;
  /** HTTP worker processes `serve` runs on one port (each holds the index; the first also runs the background work). */
  workers: number;
  /**
   * The node's own member, chosen at its first start (flags or ALLIANCE_MEMBER_*) and stored: later
   * starts use the stored identity (node/self.ts). `memberGiven` says which of the three were given.
   */
  memberName: string;
  memberKind: MemberKind;
  memberCountry: string | null;
  memberGiven: { name: boolean; kind: boolean; country: boolean };
  /** Largest request body, in bytes (uploads included). */
  bodyLimit: number;
  /** Largest JSON body, in bytes (parsed on the HTTP thread, so smaller than uploads). */
  jsonBodyLimit: number;
  maxImagePixels: number;
  /** host:port pairs that fetches (URL hashing, notices, webhooks) may reach although private; all others: public addresses only. */
  fetchAllowedHosts: string[];
  fetchMaxBytes: number;
  /** Index snapshot interval, ms (0 = only on shutdown). */
  snapshotIntervalMs: number;
  /** How often the index polls the change log for other processes' writes, ms. */
  pollIntervalMs: number;
  /** Threads that probe the PDQ index for the server's lookups (0 = on the main thread). */
  lookupThreads: number;
  /** How often `serve` syncs every subscription, ms (0 = only on demand). */
  syncIntervalMs: number;
  /** How long a peer may take to answer a federation request, ms. */
  syncTimeoutMs: number;
  /** External exchanges (NCMEC, ThreatExchange, …): the first retry back-off, ms (doubled each retry, 4 attempts). */
  exchangeBackoffMs: number;
  /** How long one fetch of an external exchange may run before it yields (the next round goes on), ms. */
  exchangeFetchBudgetMs: number;
  /** How long media kept for a pending review may stay, days (deleted at once after the verdict). */
  reviewRetentionDays: number;
  /** Webhook retries: first delay, ms (doubling each attempt), and attempts before the dead-letter list. */
  webhookRetryBaseMs: number;
  webhookMaxAttempts: number;
  /** The peer that receives reports no country's authority takes (secretariat / INTERPOL contact). */
  reportFallbackPeer: string | null;
  /** The secretariat's peer: where country reports are submitted (ALLIANCE_SECRETARIAT_PEER). */
  secretariatPeer: string | null;
  /** Takedown notices: re-sent this often until removal, ms (default 24 h, as Project Arachnid). */
  noticeResendMs: number;
  /** Web origins allowed to call the check API from a browser (CORS; the SDK on a platform's own site), e.g. https://www.example. */
  checkOrigins: string[];
  /** The alliance-wide deconfliction key (hex or base64, 32 bytes or more); unset: deconfliction is off. */
  deconflictionKey: string | null;
  /** SMTP server for e-mail notices (smtp:// or smtps:// URL), and the sender address. */
  smtpUrl: string | null;
  smtpFrom: string;
  /** Threads for heavy work off the HTTP thread (hashing uploads, comparing long videos). */
  computeThreads: number;
  /** Heavy tasks that may wait for a thread; more are refused with 503 (Retry-After). */
  computeQueue: number;
  /** Pixels of uploaded images decoded at once, at most (memory: about 3 bytes a pixel). */
  decodeBudgetPixels: number;
  /** Frames of one vPDQ value a lookup or comparison may hold. */
  vpdqMaxFrames: number;
  /**
   * HTTP: time to receive a request's headers, the whole request, an idle keep-alive connection, a
   * socket without traffic (0 = none: a long comparison sends nothing while it runs), in ms; and
   * connections at once.
   */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
  /** How often `serve` signs a checkpoint of the audit chain's head, ms (0 = on demand and at shutdown only). */
  auditCheckpointMs: number;
  /** Peers that keep this node's latest audit checkpoint (witnesses). */
  auditWitnesses: string[];
  /** How often `serve` delivers due webhooks and sweeps expired review media, ms. */
  actionsTickMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /**
   * Compare every JSON answer serialised by its route's response schema with the plain answer and
   * fail the request when they differ (ALLIANCE_CHECK_RESPONSES=1; the test suite sets it): a field
   * the schema forgot would otherwise be dropped in silence. Costs a second serialisation.
   */
  checkResponses: boolean;
  /**
   * CyberTipline submission (ESP web services, REFERENCE.md §9), off unless a user is set: the
   * service's base URL (default: the environment's host), its HTTP Basic user and password (or a
   * file holding it), test or production, whether files are uploaded (default false: file details
   * with hashes only), the reporting person named in every report, and one request's timeout.
   */
  cybertipline: CyberTiplineConfig | null;
}

/** The ESP web services' base per environment (the public clients' hosts). */
export const CYBERTIPLINE_HOSTS = { test: 'https://exttest.cybertip.org/ispws', production: 'https://report.cybertip.org/ispws' } as const;

type Flags = Partial<Record<keyof Config | `cybertipline${string}`, string | undefined>>;

function cybertiplineConfig(pick: (flag: keyof Flags, envName: string) => string | undefined): CyberTiplineConfig | null {
  const user = pick('cybertiplineUser', 'ALLIANCE_CYBERTIPLINE_USER');
  if (!user) return null;
  const environment = pick('cybertiplineEnvironment', 'ALLIANCE_CYBERTIPLINE_ENVIRONMENT') || 'test';
  if (environment !== 'test' && environment !== 'production')
    throw new AllianceError('USAGE', `ALLIANCE_CYBERTIPLINE_ENVIRONMENT must be test or production, got "${environment.slice(0, 20)}"`);
  const url = pick('cybertiplineUrl', 'ALLIANCE_CYBERTIPLINE_URL') || CYBERTIPLINE_HOSTS[environment];
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new AllianceError('USAGE', 'ALLIANCE_CYBERTIPLINE_URL must be an http(s) URL');
  let password = pick('cybertiplinePassword', 'ALLIANCE_CYBERTIPLINE_PASSWORD');
  const file = pick('cybertiplinePasswordFile', 'ALLIANCE_CYBERTIPLINE_PASSWORD_FILE');
  if (!password && file) {
    try {
      password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new AllianceError('USAGE', `ALLIANCE_CYBERTIPLINE_PASSWORD_FILE cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (!password)
    throw new AllianceError('USAGE', 'ALLIANCE_CYBERTIPLINE_USER is set: set ALLIANCE_CYBERTIPLINE_PASSWORD or ALLIANCE_CYBERTIPLINE_PASSWORD_FILE too');
  const upload = (pick('cybertiplineUploadFiles', 'ALLIANCE_CYBERTIPLINE_UPLOAD_FILES') || 'false').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(upload)) throw new AllianceError('USAGE', 'ALLIANCE_CYBERTIPLINE_UPLOAD_FILES must be true or false');
  return {
    url: url.replace(/\/+$/, ''),
    user,
    password,
    environment,
    uploadFiles: upload === 'true' || upload === '1',
    reporterEmail: pick('cybertiplineReporterEmail', 'ALLIANCE_CYBERTIPLINE_REPORTER_EMAIL') || null,
    reporterFirstName: pick('cybertiplineReporterFirstName', 'ALLIANCE_CYBERTIPLINE_REPORTER_FIRST_NAME') || null,
    reporterLastName: pick('cybertiplineReporterLastName', 'ALLIANCE_CYBERTIPLINE_REPORTER_LAST_NAME') || null,
    timeoutMs: int('ALLIANCE_CYBERTIPLINE_TIMEOUT_MS', pick('cybertiplineTimeoutMs', 'ALLIANCE_CYBERTIPLINE_TIMEOUT_MS'), 60_000, 100),
  };
}

function int(name: string, text: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new AllianceError('USAGE', `${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

/**
 * @example loadConfig({ port: '5100' }) // env ALLIANCE_* fill the rest
 */
export function loadConfig(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const pick = (flag: keyof Flags, envName: string) => flags[flag] ?? env[envName];
  const databaseUrl = pick('databaseUrl', 'ALLIANCE_DATABASE_URL') || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new AllianceError('USAGE', 'ALLIANCE_DATABASE_URL must start with postgres://');
  const role = (pick('role', 'ALLIANCE_ROLE') ?? 'all') as NodeRole;
  if (role !== 'all' && role !== 'matcher') throw new AllianceError('USAGE', `--role must be all or matcher, got "${role}"`);
  if (role === 'matcher' && !databaseUrl) throw new AllianceError('USAGE', '--role matcher shares a PostgreSQL database: set ALLIANCE_DATABASE_URL');
  const checkOrigins = (pick('checkOrigins', 'ALLIANCE_CHECK_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const o of checkOrigins)
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new AllianceError('USAGE', `ALLIANCE_CHECK_ORIGINS: "${o}" is not an origin such as https://www.example`);
  const memberKind = (pick('memberKind', 'ALLIANCE_MEMBER_KIND') || 'platform') as MemberKind;
  if (!MEMBER_KINDS.includes(memberKind)) throw new AllianceError('USAGE', `ALLIANCE_MEMBER_KIND must be one of ${MEMBER_KINDS.join(', ')}`);
  const smtpUrl = pick('smtpUrl', 'ALLIANCE_SMTP_URL') || null;
  if (smtpUrl && !/^(smtps?:\/\/|file:\/\/\/)/.test(smtpUrl))
    throw new AllianceError('USAGE', 'ALLIANCE_SMTP_URL must start with smtp://, smtps:// or file:/// (a pickup directory)');
  const logLevel = (pick('logLevel', 'ALLIANCE_LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(logLevel))
    throw new AllianceError('USAGE', `ALLIANCE_LOG_LEVEL "${logLevel}" is not a level`);
  const fetchAllowedHosts = (pick('fetchAllowedHosts', 'ALLIANCE_FETCH_ALLOWED_HOSTS') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  parseAllowedHosts(fetchAllowedHosts); // host:port entries, or USAGE
  const config: Config = {
    dataDir: resolve(pick('dataDir', 'ALLIANCE_DATA_DIR') || './data'),
    databaseUrl,
    host: pick('host', 'ALLIANCE_HOST') || '127.0.0.1',
    port: int('--port', pick('port', 'ALLIANCE_PORT'), 5100, 0, 65535),
    role,
    workers: int('--workers', pick('workers', 'ALLIANCE_WORKERS'), 1, 1, 64),
    memberName: pick('memberName', 'ALLIANCE_MEMBER_NAME') || 'local',
    memberKind,
    memberCountry: (pick('memberCountry', 'ALLIANCE_MEMBER_COUNTRY') || '').toUpperCase() || null,
    memberGiven: {
      name: Boolean(pick('memberName', 'ALLIANCE_MEMBER_NAME')),
      kind: Boolean(pick('memberKind', 'ALLIANCE_MEMBER_KIND')),
      country: Boolean(pick('memberCountry', 'ALLIANCE_MEMBER_COUNTRY')),
    },
    bodyLimit: int('ALLIANCE_BODY_LIMIT', pick('bodyLimit', 'ALLIANCE_BODY_LIMIT'), 64 * 1024 * 1024, 1024),
    jsonBodyLimit: int('ALLIANCE_JSON_BODY_LIMIT', pick('jsonBodyLimit', 'ALLIANCE_JSON_BODY_LIMIT'), 16 * 1024 * 1024, 1024),
    maxImagePixels: int('ALLIANCE_MAX_IMAGE_PIXELS', pick('maxImagePixels', 'ALLIANCE_MAX_IMAGE_PIXELS'), DEFAULT_LIMITS.maxImagePixels, 1),
    fetchAllowedHosts,
    fetchMaxBytes: int('ALLIANCE_FETCH_MAX_BYTES', pick('fetchMaxBytes', 'ALLIANCE_FETCH_MAX_BYTES'), 100 * 1024 * 1024, 1),
    snapshotIntervalMs: int('ALLIANCE_SNAPSHOT_INTERVAL_MS', pick('snapshotIntervalMs', 'ALLIANCE_SNAPSHOT_INTERVAL_MS'), 10 * 60 * 1000),
    lookupThreads: int('ALLIANCE_LOOKUP_THREADS', pick('lookupThreads', 'ALLIANCE_LOOKUP_THREADS'), availableParallelism() > 1 ? 1 : 0, 0, 64),
    syncIntervalMs: int('ALLIANCE_SYNC_INTERVAL_MS', pick('syncIntervalMs', 'ALLIANCE_SYNC_INTERVAL_MS'), 60_000),
    syncTimeoutMs: int('ALLIANCE_SYNC_TIMEOUT_MS', pick('syncTimeoutMs', 'ALLIANCE_SYNC_TIMEOUT_MS'), 30_000, 100),
    exchangeBackoffMs: int('ALLIANCE_EXCHANGE_BACKOFF_MS', pick('exchangeBackoffMs', 'ALLIANCE_EXCHANGE_BACKOFF_MS'), 1000, 1),
    exchangeFetchBudgetMs: int('ALLIANCE_EXCHANGE_FETCH_BUDGET_MS', pick('exchangeFetchBudgetMs', 'ALLIANCE_EXCHANGE_FETCH_BUDGET_MS'), 240_000, 100),
    pollIntervalMs: int('ALLIANCE_POLL_INTERVAL_MS', pick('pollIntervalMs', 'ALLIANCE_POLL_INTERVAL_MS'), 1000, 10),
    reviewRetentionDays: int('ALLIANCE_REVIEW_RETENTION_DAYS', pick('reviewRetentionDays', 'ALLIANCE_REVIEW_RETENTION_DAYS'), 14, 0, 3650),
    webhookRetryBaseMs: int('ALLIANCE_WEBHOOK_RETRY_BASE_MS', pick('webhookRetryBaseMs', 'ALLIANCE_WEBHOOK_RETRY_BASE_MS'), 30_000, 1),
    webhookMaxAttempts: int('ALLIANCE_WEBHOOK_MAX_ATTEMPTS', pick('webhookMaxAttempts', 'ALLIANCE_WEBHOOK_MAX_ATTEMPTS'), 10, 1, 100),
    reportFallbackPeer: pick('reportFallbackPeer', 'ALLIANCE_REPORT_FALLBACK_PEER') || null,
    secretariatPeer: pick('secretariatPeer', 'ALLIANCE_SECRETARIAT_PEER') || null,
    noticeResendMs: int('ALLIANCE_NOTICE_RESEND_MS', pick('noticeResendMs', 'ALLIANCE_NOTICE_RESEND_MS'), 24 * 3_600_000, 10),
    smtpUrl,
    deconflictionKey: pick('deconflictionKey', 'ALLIANCE_DECONFLICTION_KEY') || null,
    checkOrigins,
    smtpFrom: pick('smtpFrom', 'ALLIANCE_SMTP_FROM') || 'alliance-node@localhost',
    computeThreads: int('ALLIANCE_COMPUTE_THREADS', pick('computeThreads', 'ALLIANCE_COMPUTE_THREADS'), Math.max(1, availableParallelism()), 1, 256),
    computeQueue: int('ALLIANCE_COMPUTE_QUEUE', pick('computeQueue', 'ALLIANCE_COMPUTE_QUEUE'), 64, 0, 100_000),
    decodeBudgetPixels: int('ALLIANCE_DECODE_BUDGET_MP', pick('decodeBudgetPixels', 'ALLIANCE_DECODE_BUDGET_MP'), 256, 1, 1_000_000) * 1_000_000,
    vpdqMaxFrames: int('ALLIANCE_VPDQ_MAX_FRAMES', pick('vpdqMaxFrames', 'ALLIANCE_VPDQ_MAX_FRAMES'), 50_000, 1, 10_000_000),
    headersTimeoutMs: int('ALLIANCE_HEADERS_TIMEOUT_MS', pick('headersTimeoutMs', 'ALLIANCE_HEADERS_TIMEOUT_MS'), 10_000, 100),
    requestTimeoutMs: int('ALLIANCE_REQUEST_TIMEOUT_MS', pick('requestTimeoutMs', 'ALLIANCE_REQUEST_TIMEOUT_MS'), 300_000, 100),
    keepAliveTimeoutMs: int('ALLIANCE_KEEPALIVE_TIMEOUT_MS', pick('keepAliveTimeoutMs', 'ALLIANCE_KEEPALIVE_TIMEOUT_MS'), 30_000, 100),
    idleTimeoutMs: int('ALLIANCE_IDLE_TIMEOUT_MS', pick('idleTimeoutMs', 'ALLIANCE_IDLE_TIMEOUT_MS'), 0, 0),
    maxConnections: int('ALLIANCE_MAX_CONNECTIONS', pick('maxConnections', 'ALLIANCE_MAX_CONNECTIONS'), 10_000, 1),
    auditCheckpointMs: int('ALLIANCE_AUDIT_CHECKPOINT_MS', pick('auditCheckpointMs', 'ALLIANCE_AUDIT_CHECKPOINT_MS'), 10 * 60_000),
    auditWitnesses: (pick('auditWitnesses', 'ALLIANCE_AUDIT_WITNESSES') ?? '')
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean),
    actionsTickMs: int('ALLIANCE_ACTIONS_TICK_MS', pick('actionsTickMs', 'ALLIANCE_ACTIONS_TICK_MS'), 1000, 10),
    logLevel,
    checkResponses: ['1', 'true'].includes(pick('checkResponses', 'ALLIANCE_CHECK_RESPONSES') ?? ''),
    cybertipline: cybertiplineConfig(pick),
  };
  if (config.headersTimeoutMs > config.requestTimeoutMs)
    throw new AllianceError('USAGE', 'ALLIANCE_HEADERS_TIMEOUT_MS must not be longer than ALLIANCE_REQUEST_TIMEOUT_MS');
  return Object.freeze(config);
}
