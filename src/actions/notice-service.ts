/**
 * Takedown notices, as Project Arachnid sends them: one per URL with the evidence (hashes of what
 * the URL served) and the legal basis, sent to the hosting provider's abuse endpoint and re-sent
 * on schedule (24 h by default) until the host answers that it removed the content or a re-check
 * of the URL shows it gone (the URL no longer answers, or serves something that does not match
 * the evidence). Re-checks go through the SSRF-safe fetcher: no private or loopback address
 * unless allowed, sizes and time capped. Each notice keeps its history; each host its response times.
 */
import { isoOrNull } from '../time/iso-time.js';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditLog } from '../audit/audit-log.js';
import { classificationLabel } from '../banks/classification.js';
import { AllianceError } from '../errors/catalogue.js';
import { isCountryCode } from '../geo/countries.js';
import { hashFile } from '../hasher/hash-file.js';
import { FetchFailed, fetchToFile, postJson, type FetchOptions } from '../media/fetch-url.js';
import type { ComputeService } from '../compute/compute-service.js';
import type { BackgroundTask } from '../jobs/background.js';
import { requirePermission, type Principal } from '../members/principal.js';
import { getSignalType } from '../signals/index.js';
import {
  addNoticeEvent,
  claimDueNotices,
  deleteProvider,
  getNotice,
  getProvider,
  type HostingProvider,
  insertNotice,
  insertProvider,
  listNotices,
  listProviders,
  type Notice,
  noticeEvents,
  noticeOfReview,
  now,
  parseJson,
  providerForHost,
  providerName,
  sentNotices,
  type Store,
  updateNotice,
} from '../store/index.js';
import { hostingCountry } from './routing.js';
import type { ActionMatch } from './rules.js';
import type { Mailer } from './mailer.js';

export interface NoticeOptions {
  resendMs: number;
  fetch: FetchOptions;
  maxImagePixels: number;
  /** Re-checks hash and compare what the URL serves on the compute threads (servers), within their limits. */
  compute?: { service: ComputeService; vpdqMaxFrames: number };
}

export interface NoticeInput {
  url: string;
  evidence: Record<string, string>;
  legal_basis: string;
  review_id?: number;
  submission_id?: number;
}

const HOUR = 3_600_000;

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * The legal basis a notice states for content an analyst confirmed: the most serious match (the
 * first with a classification, else the first) — its bank, its class and the law it falls under —
 * and who confirmed it.
 */
export function confirmedMatchBasis(reasons: readonly ActionMatch[], member: string): string {
  const worst = reasons.find((m) => m.classification) ?? reasons[0];
  return `Matches known child sexual abuse material (${worst?.bank ?? 'a bank'}${worst?.classification ? `, ${classificationLabel(worst.classification)}, ${worst.classification.legal}` : ''}), confirmed by an analyst of ${member}.`;
}

export class NoticeService {
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly self: { name: string; country: string | null; kind: string },
    private readonly options: NoticeOptions,
    private readonly mailer?: Mailer,
  ) {}

  // ---- hosting providers ---------------------------------------------------------------------

  async addProvider(actor: Principal, p: { name: string; domains: string[]; abuse_url?: string | null; abuse_email?: string | null; country?: string | null }) {
    requirePermission(actor, 'reports');
    const domains = [...new Set((p.domains ?? []).map((d) => String(d).trim().toLowerCase()).filter(Boolean))];
    const httpUrl = (u: string) => {
      try {
        return ['http:', 'https:'].includes(new URL(u).protocol);
      } catch {
        return false;
      }
    };
    if (
      !/^[\w .&-]{1,100}$/.test(p.name ?? '') ||
      domains.length === 0 ||
      domains.some((d) => !/^[a-z0-9.-]+$/.test(d)) ||
      (!p.abuse_url && !p.abuse_email) ||
      (p.abuse_url && !httpUrl(p.abuse_url)) ||
      (p.abuse_email && !/^[^@\s]+@[^@\s]+$/.test(p.abuse_email))
    ) {
      throw new AllianceError('PROVIDER_INVALID', 'a hosting provider needs a name, its domains (host names), and an http(s) abuse_url or an abuse_email');
    }
    const country = p.country ? p.country.toUpperCase() : null;
    if (country !== null && !isCountryCode(country))
      throw new AllianceError('PROVIDER_INVALID', `country: an ISO 3166-1 alpha-2 code, not "${String(p.country).slice(0, 10)}"`);
    return this.store.db.transaction().execute(async (tx) => {
      const row = await insertProvider(tx, { name: p.name, domains, abuse_url: p.abuse_url ?? null, abuse_email: p.abuse_email ?? null, country });
      await this.audit.record(tx, actor, 'provider.create', p.name, { domains, abuse_url: row.abuse_url, abuse_email: row.abuse_email, country });
      return { name: row.name, domains, abuse_url: row.abuse_url, abuse_email: row.abuse_email, country };
    });
  }

  async removeProvider(actor: Principal, name: string): Promise<void> {
    requirePermission(actor, 'reports');
    await this.store.db.transaction().execute(async (tx) => {
      await deleteProvider(tx, name);
      await this.audit.record(tx, actor, 'provider.delete', name, {});
    });
  }

  /** Providers with their response-time statistics (hours from the first notice to removal). */
  async providers(actor: Principal) {
    requirePermission(actor, 'reports');
    const sent = await sentNotices(this.store.db);
    return (await listProviders(this.store.db)).map((p) => {
      const mine = sent.filter((n) => n.provider === p.name);
      // Down either way: the host confirmed (removed) or a re-check found it gone.
      const closed = mine
        .filter((n) => n.status !== 'open' && n.closed_at !== null)
        .map((n) => (n.closed_at! - n.first_sent_at!) / HOUR)
        .sort((a, b) => a - b);
      return {
        name: p.name,
        domains: parseJson<string[]>(p.domains, []),
        abuse_url: p.abuse_url,
        abuse_email: p.abuse_email,
        country: p.country,
        stats: {
          notices: mine.length,
          removed: mine.filter((n) => n.status === 'removed').length,
          gone: mine.filter((n) => n.status === 'gone').length,
          open: mine.length - closed.length,
          median_hours_to_removal: quantile(closed, 0.5),
          p90_hours_to_removal: quantile(closed, 0.9),
          removed_within_24h: mine.length ? closed.filter((h) => h <= 24).length / mine.length : null,
          removed_within_72h: mine.length ? closed.filter((h) => h <= 72).length / mine.length : null,
          notices_sent: mine.reduce((s, n) => s + n.sends, 0),
        },
      };
    });
  }

  // ---- notices ------------------------------------------------------------------------------

  async create(actor: Principal, input: NoticeInput): Promise<ReturnType<NoticeService['view']>> {
    requirePermission(actor, 'reports');
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new AllianceError('NOTICE_INVALID', `"${String(input.url).slice(0, 100)}" is not a URL`);
    }
    if (!['http:', 'https:'].includes(url.protocol) || input.url.length > 4096)
      throw new AllianceError('NOTICE_INVALID', 'the URL must be http(s), at most 4096 characters');
    const evidence: Record<string, string> = {};
    for (const [t, v] of Object.entries(input.evidence ?? {})) evidence[getSignalType(t).name] = getSignalType(t).normalize(String(v));
    if (Object.keys(evidence).length === 0) throw new AllianceError('NOTICE_INVALID', 'evidence: at least one hash of the content at the URL');
    if (typeof input.legal_basis !== 'string' || input.legal_basis.trim().length === 0 || input.legal_basis.length > 1000)
      throw new AllianceError('NOTICE_INVALID', 'legal_basis: the law or policy the content breaks (at most 1000 characters)');
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    // The hosting country (for the indicators per country): the provider's, else where the host's address is.
    const known = await providerForHost(this.store.db, host);
    const hosting = known?.country ?? (await hostingCountry(url.toString()));
    return this.store.db.transaction().execute(async (tx) => {
      const provider = await providerForHost(tx, host);
      const t = now();
      const n = await insertNotice(tx, {
        url: url.toString(),
        host,
        hosting_country: provider?.country ?? hosting,
        provider_id: provider?.id ?? null,
        evidence: JSON.stringify(evidence),
        legal_basis: input.legal_basis.trim(),
        review_id: input.review_id ?? null,
        submission_id: input.submission_id ?? null,
        status: 'open',
        sends: 0,
        created_at: t,
        first_sent_at: null,
        last_sent_at: null,
        next_action_at: t,
        closed_at: null,
        closed_by: null,
      });
      await addNoticeEvent(tx, n.id, 'created', provider ? `host ${host}: provider ${provider.name}` : `host ${host}: no registered provider yet`, t);
      await this.audit.record(tx, actor, 'notice.create', String(n.id), { url: n.url, provider: provider?.name ?? null });
      return this.view({ ...n, provider: provider?.name ?? null });
    });
  }

  private view(n: Notice & { provider: string | null }) {
    return {
      id: n.id,
      url: n.url,
      host: n.host,
      provider: n.provider,
      evidence: parseJson<Record<string, string>>(n.evidence, {}),
      legal_basis: n.legal_basis,
      review_id: n.review_id,
      status: n.status,
      sends: n.sends,
      created_at: isoOrNull(n.created_at)!,
      first_sent_at: isoOrNull(n.first_sent_at),
      last_sent_at: isoOrNull(n.last_sent_at),
      next_action_at: n.status === 'open' ? isoOrNull(n.next_action_at) : null,
      closed_at: isoOrNull(n.closed_at),
      closed_by: n.closed_by,
      hours_to_removal: n.closed_at !== null && n.first_sent_at !== null ? (n.closed_at - n.first_sent_at) / HOUR : null,
    };
  }

  async list(actor: Principal, status?: string, limit = 50, offset = 0) {
    requirePermission(actor, 'reports');
    return (await listNotices(this.store.db, status, Math.min(limit, 500), offset)).map((n) => this.view(n));
  }

  /** A notice with its status timeline. */
  async get(actor: Principal, id: number) {
    requirePermission(actor, 'reports');
    const n = await getNotice(this.store.db, id);
    const provider = n.provider_id === null ? null : await providerName(this.store.db, n.provider_id);
    const events = await noticeEvents(this.store.db, id);
    return { ...this.view({ ...n, provider }), events: events.map((e) => ({ at: isoOrNull(e.at)!, kind: e.kind, detail: e.detail })) };
  }

  /** The notice a confirmed review asks for: the submission's URL, with its hashes as evidence (once). */
  async fromReview(actor: Principal, reviewId: number, submission: { id: number; url: string | null; signals: string }, basis: string) {
    if (!submission.url) return undefined;
    const existing = await noticeOfReview(this.store.db, reviewId);
    if (existing) return this.get(actor, existing.id);
    return this.create(actor, {
      url: submission.url,
      evidence: parseJson(submission.signals, {}),
      legal_basis: basis,
      review_id: reviewId,
      submission_id: submission.id,
    });
  }

  /** Due notices worked on every tick of the actions timer. */
  backgroundTasks(tickMs: number): BackgroundTask[] {
    return [{ name: 'takedown notices', intervalMs: tickMs, run: () => this.tick() }];
  }

  /**
   * Works every due notice once: re-check, then send or close. Returns how many were worked.
   * Overlapping calls share one run, and notices are claimed one at a time (a lease each), so a
   * slow host cannot make the lease of a notice waiting behind it run out.
   */
  tick(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<number> {
    let worked = 0;
    const started = now(); // each notice at most once per run, however short the re-send interval
    for (;;) {
      const [n] = await claimDueNotices(this.store.db, 1, 10 * 60_000, started);
      if (!n) return worked;
      worked++;
      await this.work(n).catch(async (err: unknown) => {
        await addNoticeEvent(this.store.db, n.id, 'error', (err as Error).message);
        await updateNotice(this.store.db, n.id, { next_action_at: now() + this.options.resendMs });
      });
    }
  }

  private async close(n: Notice, status: 'removed' | 'gone', by: string, detail: string): Promise<void> {
    const t = now();
    await this.store.db.transaction().execute(async (tx) => {
      await updateNotice(tx, n.id, { status, closed_at: t, closed_by: by });
      await addNoticeEvent(tx, n.id, status, detail, t);
    });
  }

  private async work(n: Notice): Promise<void> {
    if (n.sends > 0) {
      const check = await this.recheck(n);
      await addNoticeEvent(this.store.db, n.id, `recheck_${check.result}`, check.detail);
      if (check.result === 'gone') return this.close(n, 'gone', 'recheck', check.detail);
    }
    const provider = n.provider_id === null ? undefined : await getProvider(this.store.db, n.provider_id);
    const fresh = provider ?? (await providerForHost(this.store.db, n.host)); // registered since?
    const t = now();
    const sent = fresh ? await this.send(n, fresh, t) : { ok: false, removed: false, kind: 'not_sent', detail: `no hosting provider registered for ${n.host}` };
    await updateNotice(this.store.db, n.id, {
      provider_id: fresh?.id ?? null,
      sends: n.sends + (sent.ok ? 1 : 0),
      first_sent_at: sent.ok ? (n.first_sent_at ?? t) : n.first_sent_at,
      last_sent_at: sent.ok ? t : n.last_sent_at,
      next_action_at: now() + this.options.resendMs,
    });
    await addNoticeEvent(this.store.db, n.id, sent.kind, sent.detail, t);
    if (sent.removed) await this.close({ ...n, first_sent_at: n.first_sent_at ?? t }, 'removed', 'host', `${fresh!.name} answered that the content is removed`);
  }

  /** Sends the notice to the provider's abuse endpoint (HTTP JSON) or abuse address (e-mail). */
  private async send(n: Notice, p: HostingProvider, t: number): Promise<{ ok: boolean; removed: boolean; kind: string; detail: string }> {
    const body = {
      notice_id: `${this.self.name}/notice/${n.id}`,
      url: n.url,
      evidence: parseJson(n.evidence, {}),
      legal_basis: n.legal_basis,
      sender: this.self,
      first_sent_at: isoOrNull(n.first_sent_at ?? t),
      sends: n.sends + 1,
    };
    if (p.abuse_url) {
      try {
        // Through the SSRF-safe client: whoever may register a provider must not reach the node's own network.
        const res = await postJson(
          p.abuse_url,
          { ...body, reply: 'answer {"status": "removed"} once the content is taken down' },
          { ...this.options.fetch, maxBytes: 64 * 1024 },
        );
        const ok = res.status >= 200 && res.status < 300;
        let status: unknown;
        try {
          status = ok ? (JSON.parse(res.text || '{}') as { status?: unknown }).status : undefined;
        } catch {
          status = undefined; // an answer that is not JSON still means the notice arrived
        }
        return { ok, removed: status === 'removed', kind: ok ? 'sent' : 'send_failed', detail: `to ${p.name}: HTTP ${res.status}` };
      } catch (err) {
        const e = err as AllianceError;
        return {
          ok: false,
          removed: false,
          kind: 'send_failed',
          detail: `to ${p.name}: ${/timeout|aborted/i.test(e.message) ? 'no answer in time' : `${e.code ? `${e.code}: ` : ''}${e.message}`}`,
        };
      }
    }
    if (p.abuse_email && this.mailer) {
      try {
        const response = await this.mailer.send({
          to: p.abuse_email,
          subject: `Takedown notice ${body.notice_id}: ${n.url}`,
          text: [
            `The content at ${n.url} matches known child sexual abuse material.`,
            `Legal basis: ${n.legal_basis}`,
            `Evidence (hashes of the content): ${Object.entries(body.evidence as Record<string, string>)
              .map(([k, v]) => `${k} ${v}`)
              .join('; ')}`,
            `This notice is re-sent until the content is removed (notice ${n.sends + 1}). Sent by ${this.self.name}${this.self.country ? ` (${this.self.country})` : ''}.`,
          ].join('\n\n'),
          json: body,
        });
        return { ok: true, removed: false, kind: 'sent', detail: `e-mail to ${p.abuse_email}: ${response.slice(0, 200)}` };
      } catch (err) {
        return { ok: false, removed: false, kind: 'send_failed', detail: `e-mail to ${p.abuse_email}: ${(err as Error).message}` };
      }
    }
    return {
      ok: false,
      removed: false,
      kind: 'not_sent',
      detail: `provider ${p.name} has ${p.abuse_email ? 'only an e-mail address and this node has no SMTP server (ALLIANCE_SMTP_URL)' : 'no abuse contact'}`,
    };
  }

  /** Records that the host confirmed removal by other means (an e-mail reply, a call). */
  async confirmRemoved(actor: Principal, id: number, note: string | null) {
    requirePermission(actor, 'reports');
    const n = await getNotice(this.store.db, id);
    if (n.status !== 'open') throw new AllianceError('NOTICE_INVALID', `notice ${id} is ${n.status} already`);
    await this.close(n, 'removed', 'host', `confirmed by ${actor.actor}${note ? `: ${note.slice(0, 500)}` : ''}`);
    await this.store.db.transaction().execute((tx) => this.audit.record(tx, actor, 'notice.removed', String(id), { note }));
    return this.get(actor, id);
  }

  /** Fetches the URL again and compares what it serves with the evidence. */
  private async recheck(n: Notice): Promise<{ result: 'present' | 'gone' | 'failed'; detail: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'alliance-recheck-'));
    try {
      const path = join(dir, 'content');
      try {
        await fetchToFile(n.url, path, this.options.fetch);
      } catch (err) {
        const e = err as AllianceError;
        if (err instanceof FetchFailed && (err.httpStatus === 404 || err.httpStatus === 410))
          return { result: 'gone', detail: `the URL answers HTTP ${err.httpStatus}` };
        return { result: 'failed', detail: `${e.code ?? 'ERROR'}: ${e.message}` };
      }
      const evidence = parseJson<Record<string, string>>(n.evidence, {});
      const { size } = await stat(path);
      const request = {
        types: Object.keys(evidence),
        maxImagePixels: this.options.maxImagePixels,
        maxInMemoryBytes: 64 << 20,
        autoOrient: false,
        secondsPerHash: 1,
        dihedral: false,
      };
      const compute = this.options.compute;
      const r = compute ? await compute.service.hash({ path, size }, request) : await hashFile({ path, size }, request);
      for (const [t, v] of Object.entries(evidence)) {
        const got = r.signals[t]?.value;
        if (!got) continue;
        const type = getSignalType(t);
        const same = compute ? await compute.service.compare(type, v, got, type.defaultThreshold, compute.vpdqMaxFrames) : type.compare(v, got);
        if (same.match) return { result: 'present', detail: `the URL still serves the content (${t} matches)` };
      }
      // Different bytes prove nothing when only exact hashes are known (a re-encoded copy differs too).
      const perceptual = Object.keys(evidence).some((t) => getSignalType(t).comparison !== 'exact' && r.signals[t]);
      if (!perceptual) return { result: 'failed', detail: 'the URL serves other bytes; with exact hashes only, removal cannot be confirmed' };
      return { result: 'gone', detail: 'the URL now serves something that does not match the evidence' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
