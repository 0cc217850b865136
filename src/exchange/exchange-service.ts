/**
 * External exchanges (src/exchange/apis/): created with an API, a configuration and a bank of
 * their own; fetched page by page — each page applied in one transaction together with its
 * checkpoint (compare-and-set; pages already arrived meanwhile join that transaction, with the
 * last one's checkpoint), so a crash mid-window loses nothing and applies nothing twice;
 * a stale checkpoint starts the fetch over (the bank converges: upserts by identity, and what the
 * remote no longer has is deleted only when the remote says so). Credentials are validated
 * against the API's schema, sealed with the node's secrets key, never returned, printed or audited.
 * Opinions on an exchange's content go back through its adapter and are recorded with the answer.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { SIGNALS_CHANNEL } from '../banks/bank-service.js';
import { checkBankName } from '../banks/names.js';
import { AllianceError, toAllianceError } from '../errors/catalogue.js';
import type { BackgroundTask } from '../jobs/background.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  advanceExchangeCheckpoint,
  clearFullFetch,
  contentsNotUpdatedSince,
  deleteContent,
  deleteBank,
  deleteBankContents,
  deleteExchange,
  exchangeCredentialsUpdatedAt,
  exchangeOpinionsOf,
  type ExchangeRow,
  findBankByName,
  findExchange,
  findExchangeById,
  findExchangeOfBank,
  getContent,
  getExchangeCredentials,
  insertBank,
  insertExchange,
  listExchanges,
  logFeed,
  markExchangeFetchEnd,
  markExchangeFetchStart,
  notify,
  parseJson,
  recordExchangeOpinion,
  resetExchangeCheckpoint,
  type SecretBox,
  setExchangeCredentials,
  signalsOfContent,
  type Store,
  type Tx,
  updateExchange,
  listSubscriptions,
} from '../store/index.js';
import { type ApplyResult, applyDeltas } from './apply-feed.js';
import type { ExchangeApi, ExchangeContext, ExchangeOpinion, ExchangePage } from './apis/exchange-api.js';
import { exchangeApis, getExchangeApi } from './apis/registry.js';
import { remoteHttp } from './apis/remote-http.js';
import { checkAgainst } from './apis/schema-check.js';

export interface ExchangeOptions {
  /** The first retry back-off of remote requests (doubled each retry). */
  backoffMs?: number;
  /** One remote request's deadline. */
  timeoutMs?: number;
  /** A fetch stops after this long (the next one goes on; up_to_date stays false), as HMA's fetcher does. */
  fetchBudgetMs?: number;
}

export interface ExchangeView {
  name: string;
  api: string;
  bank: string;
  enabled: boolean;
  config: Record<string, unknown>;
  created_at: string;
}

export interface ExchangeStatus {
  name: string;
  api: string;
  enabled: boolean;
  /** The checkpoint's position as a time, when the API gives one. */
  checkpoint_ts: string | null;
  running_fetch_started_at: string | null;
  last_fetch_completed_at: string | null;
  last_fetch_succeeded: boolean | null;
  up_to_date: boolean;
  fetched_items: number;
  unmatchable_items: number;
  /** Values dropped because they cannot become a signal (an NCMEC PDQ that is not 64 hex digits); their entries were applied without them. */
  rejected_values: number;
  /** Why, for the first few of the latest page that had any. */
  rejected_reasons: string[];
  /** Pages that carried something (a remote's empty window moves the checkpoint but is no page). */
  pages: number;
  last_error: string | null;
  last_error_code: string | null;
}

export interface FetchReport {
  exchange: string;
  pages: number;
  added: number;
  updated: number;
  deleted: number;
  unmatchable: number;
  /** Values dropped because they cannot become a signal (see ExchangeStatus.rejected_values). */
  rejected: number;
  up_to_date: boolean;
  /** The checkpoint was stale (or a full refetch was asked for): this fetch started from the beginning. */
  restarted: boolean;
  error?: string;
  error_code?: string;
}

/**
 * One source this node fetches signals from, whatever its kind: an Alliance peer's bank (a
 * subscription, kind "alliance") or an external exchange (kind = its API: "ncmec", …).
 */
export interface SourceView {
  kind: string;
  /** The exchange's name, or "<peer>/<remote bank>" for a subscription. */
  name: string;
  bank: string;
  enabled: boolean;
  /** disabled; fetching (now); failing (the last attempt failed); never_fetched; ok. */
  state: 'disabled' | 'fetching' | 'failing' | 'never_fetched' | 'ok';
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_code: string | null;
  /** Items received so far. */
  items: number;
  /** Feed items the source had that are not applied yet, as of the last fetch (null: the source does not say). */
  lag_items: number | null;
  /** Caught up with the source at the last fetch (null: not known yet). */
  up_to_date: boolean | null;
  /** The subscription's id (kind alliance: `alliance sync`, POST /api/v1/subscriptions/:id/sync), else null. */
  subscription: number | null;
}

export interface ApiView {
  name: string;
  description: string;
  supports_credentials: boolean;
  has_credentials: boolean;
}

/** Pages applied in one transaction at most: this many entries, or this long holding the writer. */
const GROUP_MAX_ENTRIES = 20_000;
const GROUP_MAX_MS = 250;
const NOT_YET = Symbol('not yet');

/** An answer with nothing in it (a remote's empty window): it moves the checkpoint, and is no page. */
const isEmptyPage = (p: ExchangePage<unknown>) => p.deltas.length === 0 && !p.unmatchable && !p.rejected?.length;

/** The next page if it is (all but) here already — a short moment for its parse — else NOT_YET; its failure as a value. */
function readyNow<T>(next: Promise<IteratorResult<T>>): Promise<{ result: IteratorResult<T> } | { error: unknown } | typeof NOT_YET> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof NOT_YET>((resolve) => (timer = setTimeout(() => resolve(NOT_YET), 2)));
  return Promise.race([
    next.then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const credentialPurpose = (api: string) => `exchange.credentials:${api}`;

export class ExchangeService {
  private readonly fetching = new Map<string, Promise<FetchReport>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly secrets: SecretBox,
    private readonly self: { name: string },
    private readonly onSignalsChanged: () => Promise<unknown>,
    private readonly options: ExchangeOptions = {},
  ) {}

  // ---- APIs and credentials ------------------------------------------------------------------

  async apis(actor: Principal): Promise<ApiView[]> {
    requirePermission(actor, 'banks.read');
    const out: ApiView[] = [];
    for (const api of exchangeApis())
      out.push({
        name: api.name,
        description: api.description,
        supports_credentials: api.credentialSchema !== null,
        has_credentials: (await getExchangeCredentials(this.store.db, api.name)) !== undefined,
      });
    return out;
  }

  api(actor: Principal, name: string): ExchangeApi {
    requirePermission(actor, 'banks.read');
    return getExchangeApi(name);
  }

  /** Sets (or with null clears) an API's credentials, validated against its schema; only that they changed is audited. */
  async setCredentials(actor: Principal, apiName: string, credentials: Record<string, unknown> | null): Promise<void> {
    requirePermission(actor, 'federation.manage');
    const api = getExchangeApi(apiName);
    if (credentials !== null && api.credentialSchema === null) throw new AllianceError('EXCHANGE_CONFIG_INVALID', `the ${api.name} API takes no credentials`);
    const sealed =
      credentials === null
        ? null
        : this.secrets.seal(JSON.stringify(checkAgainst(api.credentialSchema!, credentials, `${api.name} credentials`)), credentialPurpose(api.name));
    await this.store.db.transaction().execute(async (tx) => {
      await setExchangeCredentials(tx, api.name, sealed);
      await this.audit.record(tx, actor, credentials === null ? 'exchange.credentials.clear' : 'exchange.credentials.set', api.name, {});
    });
  }

  private async credentials(api: ExchangeApi): Promise<Record<string, unknown> | null> {
    const stored = await getExchangeCredentials(this.store.db, api.name);
    return stored === undefined ? null : (JSON.parse(this.secrets.open(stored, credentialPurpose(api.name))) as Record<string, unknown>);
  }

  // ---- exchanges -----------------------------------------------------------------------------

  /** Creates an exchange and its bank (named like it, as HMA does). */
  async create(actor: Principal, e: { name: string; api: string; config?: Record<string, unknown>; enabled?: boolean }): Promise<ExchangeView> {
    requirePermission(actor, 'federation.manage');
    const name = checkBankName(e.name);
    const api = getExchangeApi(e.api);
    const config = checkAgainst<Record<string, unknown>>(api.configSchema, e.config ?? {}, `${api.name} configuration`);
    if (actor.memberId === null) throw new AllianceError('VALIDATION', 'the creating member is unknown');
    await this.store.db.transaction().execute(async (tx) => {
      if (await findExchange(tx, name)) throw new AllianceError('EXCHANGE_EXISTS', `an exchange named ${name} exists already`);
      if (await findBankByName(tx, name))
        throw new AllianceError('EXCHANGE_EXISTS', `a bank named ${name} exists already; an exchange fills a bank of its own`);
      const bank = await insertBank(tx, {
        name,
        owner_member_id: actor.memberId!,
        kind: 'positive',
        description: `Fetched from the ${api.name} exchange ${name}`,
        matching_enabled: true,
        enabled_ratio: 1,
      });
      await insertExchange(tx, { name, api: api.name, bank_id: bank.id, config: JSON.stringify(config), enabled: e.enabled ?? true });
      await this.audit.record(tx, actor, 'exchange.create', name, { api: api.name, config });
    });
    return this.get(actor, name);
  }

  async list(actor: Principal): Promise<ExchangeView[]> {
    requirePermission(actor, 'banks.read');
    return (await listExchanges(this.store.db)).map(view);
  }

  async get(actor: Principal, name: string): Promise<ExchangeView> {
    requirePermission(actor, 'banks.read');
    return view(await this.row(name));
  }

  private async row(name: string): Promise<ExchangeRow> {
    const row = await findExchange(this.store.db, name);
    if (!row) throw new AllianceError('EXCHANGE_NOT_FOUND', `Exchange '${String(name).slice(0, 100)}' not found`);
    return row;
  }

  async update(actor: Principal, name: string, u: { enabled?: boolean; config?: Record<string, unknown> }): Promise<ExchangeView> {
    requirePermission(actor, 'federation.manage');
    const row = await this.row(name);
    const api = getExchangeApi(row.api);
    if (u.enabled !== undefined && typeof u.enabled !== 'boolean') throw new AllianceError('VALIDATION', 'enabled must be true or false');
    const config = u.config === undefined ? undefined : checkAgainst<Record<string, unknown>>(api.configSchema, u.config, `${api.name} configuration`);
    await this.store.db.transaction().execute(async (tx) => {
      await updateExchange(tx, row.id, { enabled: u.enabled, config: config === undefined ? undefined : JSON.stringify(config) });
      await this.audit.record(tx, actor, 'exchange.update', name, {
        ...(u.enabled !== undefined ? { enabled: u.enabled } : {}),
        ...(config ? { config } : {}),
      });
    });
    return this.get(actor, name);
  }

  /** Deletes an exchange and the bank it filled (what was fetched goes with it; a refetch brings it back). */
  async remove(actor: Principal, name: string): Promise<void> {
    requirePermission(actor, 'federation.manage');
    const row = await this.row(name);
    await this.fetching.get(name)?.catch(() => undefined);
    await this.store.db.transaction().execute(async (tx) => {
      await deleteExchange(tx, row.id);
      await deleteBankContents(tx, row.bank_id);
      await deleteBank(tx, row.bank_id);
      await notify(tx, this.store.dialect, SIGNALS_CHANNEL, '');
      await this.audit.record(tx, actor, 'exchange.delete', name, { api: row.api, bank: row.bank });
    });
    await this.onSignalsChanged();
  }

  async status(actor: Principal, name: string): Promise<ExchangeStatus> {
    requirePermission(actor, 'banks.read');
    const r = await this.row(name);
    return {
      name: r.name,
      api: r.api,
      enabled: r.enabled === 1,
      checkpoint_ts: iso(r.checkpoint_ts),
      running_fetch_started_at: iso(r.fetch_started_at),
      last_fetch_completed_at: iso(r.fetch_completed_at),
      last_fetch_succeeded: r.fetch_succeeded === null ? null : r.fetch_succeeded === 1,
      up_to_date: r.up_to_date === 1,
      fetched_items: r.items_fetched,
      unmatchable_items: r.unmatchable,
      rejected_values: r.rejected,
      rejected_reasons: parseJson<string[]>(r.rejected_reasons, []),
      pages: r.pages,
      last_error: r.last_error,
      last_error_code: r.last_error_code,
    };
  }

  /** Every source of signals — subscriptions to peers' banks and external exchanges — with its health, failing ones first. */
  async sources(actor: Principal): Promise<SourceView[]> {
    requirePermission(actor, 'banks.read');
    const state = (s: { enabled: boolean; running: boolean; error: string | null; attempted: number | null; succeeded: number | null }): SourceView['state'] =>
      !s.enabled ? 'disabled' : s.running ? 'fetching' : s.error !== null ? 'failing' : s.succeeded === null && s.attempted === null ? 'never_fetched' : 'ok';
    const out: SourceView[] = [];
    for (const s of await listSubscriptions(this.store.db)) {
      const checkpoint = Number(s.checkpoint);
      const attempted = s.last_attempt_at === null ? null : Number(s.last_attempt_at);
      const succeeded = s.last_success_at === null ? null : Number(s.last_success_at);
      out.push({
        kind: 'alliance',
        name: `${s.peer}/${s.remote_bank}`,
        bank: s.bank,
        enabled: s.paused !== 1,
        state: state({ enabled: s.paused !== 1, running: false, error: s.last_error, attempted, succeeded }),
        last_attempt_at: iso(attempted),
        last_success_at: iso(succeeded),
        last_error: s.last_error,
        last_error_code: s.last_error_code,
        items: Number(s.items_received),
        lag_items: s.latest === null ? null : Math.max(0, Number(s.latest) - checkpoint),
        up_to_date: s.latest === null ? null : checkpoint >= Number(s.latest),
        subscription: s.id,
      });
    }
    for (const e of await listExchanges(this.store.db)) {
      const enabled = e.enabled === 1;
      out.push({
        kind: e.api,
        name: e.name,
        bank: e.bank,
        enabled,
        state: state({ enabled, running: e.fetch_started_at !== null, error: e.last_error, attempted: e.fetch_completed_at, succeeded: e.last_success_at }),
        last_attempt_at: iso(e.fetch_started_at ?? e.fetch_completed_at),
        last_success_at: iso(e.last_success_at),
        last_error: e.last_error,
        last_error_code: e.last_error_code,
        items: e.items_fetched,
        lag_items: null,
        up_to_date: e.fetch_completed_at === null ? null : e.up_to_date === 1,
        subscription: null,
      });
    }
    const order = ['failing', 'never_fetched', 'fetching', 'ok', 'disabled'];
    return out.sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }

  /** What the remote says about this node's access (its status endpoint), for people checking credentials. */
  async remoteStatus(actor: Principal, name: string): Promise<Record<string, unknown>> {
    requirePermission(actor, 'federation.manage');
    const row = await this.row(name);
    const api = getExchangeApi(row.api);
    if (!api.status) return { api: api.name, status: 'this API has no status call' };
    return api.status(await this.context(api, row, this.stopping.signal));
  }

  private async context(api: ExchangeApi, row: ExchangeRow, signal: AbortSignal): Promise<ExchangeContext<Record<string, unknown>, Record<string, unknown>>> {
    return {
      name: row.name,
      config: parseJson<Record<string, unknown>>(row.config, {}),
      credentials: await this.credentials(api),
      http: remoteHttp({ remote: `${api.name} exchange ${row.name}`, backoffMs: this.options.backoffMs, timeoutMs: this.options.timeoutMs, signal }),
      self: this.self.name,
      now: () => Date.now(),
      signal,
    };
  }

  // ---- fetching ------------------------------------------------------------------------------

  /** Fetches one exchange up to date (or until its time budget); one fetch of an exchange at a time in this process. */
  fetch(name: string, opts: { full?: boolean } = {}): Promise<FetchReport> {
    const running = this.fetching.get(name);
    if (running) return running;
    const run = this.fetchOnce(name, opts).finally(() => this.fetching.delete(name));
    this.fetching.set(name, run);
    return run;
  }

  private async fetchOnce(name: string, opts: { full?: boolean }): Promise<FetchReport> {
    const row = await this.row(name);
    const api = getExchangeApi(row.api);
    const report: FetchReport = {
      exchange: name,
      pages: 0,
      added: 0,
      updated: 0,
      deleted: 0,
      unmatchable: 0,
      rejected: 0,
      up_to_date: false,
      restarted: false,
    };
    const budget = AbortSignal.timeout(this.options.fetchBudgetMs ?? 240_000);
    const signal = AbortSignal.any([budget, this.stopping.signal]);
    await markExchangeFetchStart(this.store.db, row.id);
    let stored = row.checkpoint;
    try {
      let checkpoint = opts.full ? null : api.readCheckpoint(parseJson<unknown>(stored, null), Date.now());
      if (checkpoint === null && stored !== null) {
        // Stale (or a full refetch asked for): start over from the beginning; when it completes,
        // what it did not deliver again is gone at the remote (its deletions may have expired there).
        await resetExchangeCheckpoint(this.store.db, row.id, Date.now());
        stored = null;
        report.restarted = true;
      }
      const ctx = await this.context(api, row, signal);
      let stoppedByBudget = false;
      const pages = api.fetch(ctx, checkpoint)[Symbol.asyncIterator]();
      try {
        let upcoming: Promise<IteratorResult<ExchangePage<unknown>>> | null = pages.next();
        while (upcoming) {
          const first = await upcoming;
          upcoming = null;
          if (first.done) break;
          let failure: { error: unknown } | null = null;
          const started = Date.now();
          const group = await this.store.db.transaction().execute(async (tx) => {
            // Pages already here when one is applied join its transaction (one commit, one wait
            // for the disk, for several pages), with the last one's checkpoint: still all or
            // nothing, never one twice. A page not yet here is not waited for inside it.
            const applied: Array<{ page: ExchangePage<unknown>; r: ApplyResult; empty: boolean }> = [];
            let page: ExchangePage<unknown> = first.value;
            let entries = 0;
            for (;;) {
              const empty = isEmptyPage(page);
              const r = empty ? { added: 0, updated: 0, deleted: 0 } : await applyDeltas(tx, this.store.dialect, row.bank_id, null, page.deltas);
              applied.push({ page, r, empty });
              entries += page.deltas.length;
              if (signal.aborted) break;
              const next = pages.next();
              next.catch(() => undefined); // awaited later (then it throws), or dropped by the return below
              upcoming = next;
              if (entries >= GROUP_MAX_ENTRIES || Date.now() - started >= GROUP_MAX_MS) break;
              const ready = await readyNow(next);
              if (ready === NOT_YET) break;
              if ('error' in ready) {
                // The next page failed: what is applied here is kept, the error is the fetch's after the commit.
                failure = ready;
                upcoming = null;
                break;
              }
              if (ready.result.done) {
                upcoming = next;
                break;
              }
              page = ready.result.value;
            }
            const last = applied[applied.length - 1].page;
            const counted = applied.filter((a) => !a.empty).length;
            await advanceExchangeCheckpoint(tx, row.id, stored, {
              checkpoint: JSON.stringify(last.checkpoint),
              checkpointTs: api.checkpointTime?.(last.checkpoint) ?? null,
              items: applied.reduce((n, a) => n + a.page.deltas.length, 0),
              unmatchable: applied.reduce((n, a) => n + (a.page.unmatchable ?? 0), 0),
              // pages that arrived together are one transaction; the status keeps the latest page's reasons
              rejected: {
                count: applied.reduce((n, a) => n + (a.page.rejected?.length ?? 0), 0),
                reasons: applied.findLast((a) => a.page.rejected?.length)?.page.rejected ?? [],
              },
              pages: counted,
            });
            if (counted) await notify(tx, this.store.dialect, SIGNALS_CHANNEL, '');
            return applied;
          });
          const last = group[group.length - 1].page;
          stored = JSON.stringify(last.checkpoint);
          checkpoint = last.checkpoint;
          for (const { page, r, empty } of group) {
            // An empty answer (a remote's window with nothing in it) only moves the checkpoint: it is no page, and changes no signal.
            if (!empty) report.pages++;
            report.added += r.added;
            report.updated += r.updated;
            report.deleted += r.deleted;
            report.unmatchable += page.unmatchable ?? 0;
            report.rejected += page.rejected?.length ?? 0;
          }
          if (group.some((g) => !g.empty)) await this.onSignalsChanged();
          if (failure) throw (failure as { error: unknown }).error;
          if (signal.aborted) {
            stoppedByBudget = true;
            break;
          }
        }
      } finally {
        // Stopped early (the budget, an error): the adapter's own clean-up runs.
        void pages.return?.(undefined)?.catch(() => undefined);
      }
      report.up_to_date = !stoppedByBudget;
      if (report.up_to_date) report.deleted += await this.removeLeftovers(row.id, row.bank_id);
      await markExchangeFetchEnd(this.store.db, row.id, { succeeded: true, upToDate: report.up_to_date });
    } catch (err) {
      const e = toAllianceError(err);
      report.error = e.message;
      report.error_code = e.code;
      await markExchangeFetchEnd(this.store.db, row.id, { succeeded: false, upToDate: false, error: { message: e.message, code: e.code } });
    }
    return report;
  }

  /**
   * After a fetch from the beginning completed: deletes the bank's contents it did not deliver
   * again (written before it began), in batches, each logged for the index and the bank's feed.
   */
  private async removeLeftovers(exchangeId: number, bankId: number): Promise<number> {
    const since = (await findExchangeById(this.store.db, exchangeId))?.full_fetch_started_at ?? null;
    if (since === null) return 0;
    let removed = 0;
    for (;;) {
      const batch = await contentsNotUpdatedSince(this.store.db, bankId, since, 1000);
      if (batch.length === 0) break;
      await this.store.db.transaction().execute(async (tx) => {
        for (const c of batch) await deleteContent(tx, c.id);
        await logFeed(
          tx,
          bankId,
          batch.map((c) => c.id),
          'delete',
          new Map(batch.map((c) => [c.id, c.uid ?? ''])),
        );
        await notify(tx, this.store.dialect, SIGNALS_CHANNEL, '');
      });
      removed += batch.length;
    }
    await clearFullFetch(this.store.db, exchangeId);
    if (removed) await this.onSignalsChanged();
    return removed;
  }

  /**
   * Fetches every enabled exchange, one after the other. The scheduled round skips an exchange
   * whose credentials were refused (EXCHANGE_AUTH) until they are set again: a wrong password is
   * a status to fix, not a loop of refused logins.
   */
  async fetchAll(opts: { scheduled?: boolean } = {}): Promise<FetchReport[]> {
    const reports: FetchReport[] = [];
    for (const row of await listExchanges(this.store.db)) {
      if (row.enabled !== 1) continue;
      if (opts.scheduled && row.last_error_code === 'EXCHANGE_AUTH' && !(await this.credentialsChangedSince(row.api, row.last_error_at ?? 0))) continue;
      reports.push(await this.fetch(row.name));
    }
    return reports;
  }

  private async credentialsChangedSince(api: string, at: number): Promise<boolean> {
    const updated = await exchangeCredentialsUpdatedAt(this.store.db, api);
    return updated !== undefined && updated > at;
  }

  backgroundTasks(intervalMs: number): BackgroundTask[] {
    return [{ name: 'exchange fetch', intervalMs, run: () => this.fetchAll({ scheduled: true }) }];
  }

  /** Stops running fetches (the node is closing): what they applied stays. */
  stop(): void {
    this.stopping.abort();
  }

  // ---- opinions ------------------------------------------------------------------------------

  /** The exchange a content's bank is filled by, if any. */
  async exchangeOfContent(contentId: number): Promise<ExchangeRow | undefined> {
    const content = await getContent(this.store.db, contentId);
    return findExchangeOfBank(this.store.db, content.bank_id);
  }

  /**
   * Sends a verdict on an exchange's content back through its adapter; the remote's answer (or its
   * error) is recorded with the opinion. Throws when the remote refused or could not be reached
   * (a queued opinion job is then retried).
   */
  async sendOpinion(
    actor: Principal,
    contentId: number,
    opinion: ExchangeOpinion,
    reason: string | null,
  ): Promise<{ sent_to: string; uid: string; answer: Record<string, unknown> }> {
    requirePermission(actor, 'opinions.send');
    const content = await getContent(this.store.db, contentId);
    const row = await findExchangeOfBank(this.store.db, content.bank_id);
    if (!row || !content.uid) throw new AllianceError('OPINION_INVALID', `content ${contentId} was not fetched from an exchange`);
    const api = getExchangeApi(row.api);
    if (!api.sendOpinion) throw new AllianceError('OPINION_INVALID', `the ${api.name} API takes no opinions`);
    const signals = (await signalsOfContent(this.store.db, [content.id])).map((s) => ({ type: s.signal_type, value: s.value }));
    const target = { uid: content.uid, metadata: parseJson<Record<string, unknown> | null>(content.metadata, null), signals };
    const record = (tx: Tx, outcome: { status: 'sent' | 'failed'; answer: string | null; error: string | null }) =>
      recordExchangeOpinion(tx, { exchange_id: row.id, content_id: content.id, uid: content.uid!, opinion, reason, ...outcome });
    let answer: Record<string, unknown>;
    try {
      answer = await api.sendOpinion(await this.context(api, row, this.stopping.signal), target, opinion, reason);
    } catch (err) {
      const e = toAllianceError(err);
      await this.store.db.transaction().execute((tx) => record(tx, { status: 'failed', answer: null, error: e.message }));
      throw e;
    }
    await this.store.db.transaction().execute(async (tx) => {
      await record(tx, { status: 'sent', answer: JSON.stringify(answer), error: null });
      await this.audit.record(tx, actor, 'opinion.send', content.uid!, { to: row.name, opinion, reason });
    });
    return { sent_to: row.name, uid: content.uid, answer };
  }

  /** The opinions sent on a content, with each remote's answer. */
  async opinionsOf(actor: Principal, contentId: number) {
    requirePermission(actor, 'banks.read');
    return (await exchangeOpinionsOf(this.store.db, contentId)).map((o) => ({
      opinion: o.opinion,
      reason: o.reason,
      status: o.status,
      answer: parseJson<unknown>(o.answer, null),
      error: o.error,
      sent_at: new Date(o.sent_at).toISOString(),
    }));
  }
}

function view(r: ExchangeRow): ExchangeView {
  return {
    name: r.name,
    api: r.api,
    bank: r.bank,
    enabled: r.enabled === 1,
    config: parseJson<Record<string, unknown>>(r.config, {}),
    created_at: new Date(r.created_at).toISOString(),
  };
}
