/**
 * The NCMEC hash-sharing API v2 (REFERENCE.md §9) as an exchange: HTTP Basic, `GET /v2/entries`
 * in time windows [from, to] that end 5 s before now, each window followed page by page through
 * `<paging><next>` exactly as given until it is absent. NCMEC does not order entries by time inside
 * a window, so the only position that can be trusted is "window done": the checkpoint is the
 * next window's `from`, plus — while a window is being paged — the URL of its next page (so a
 * restart resumes at that page: never a page applied twice, never one skipped). NCMEC asks that
 * paging URLs not be kept long; one older than 12 h is dropped and its window fetched again
 * (upserts and deletes by identity: the bank converges).
 *
 * A window's first page that shows it holds far more than a cursor should (estimated from the
 * page's maxTimestamp, as python-threatexchange does) makes it shrink before anything of it is
 * applied; windows grow again while they stay small.
 *
 * Pages are parsed by the NCMEC format (src/exchange/formats/ncmec.ts): MD5/SHA-1/PDQ become
 * signals, every other fingerprint is kept in the metadata, entries without a matchable
 * fingerprint are counted. Opinions go back as NCMEC feedback: one PUT per fingerprint type.
 * The next page is requested while the current one is being applied.
 */
import { Type } from 'typebox';
import { AllianceError } from '../../errors/catalogue.js';
import { feedbackTypeOf, NcmecError, parseNcmecPage, readNcmecXml } from '../formats/ncmec.js';
import type { ExchangeApi, ExchangeContext, ExchangeOpinion, ExchangePage, OpinionTarget } from './exchange-api.js';
import type { RemoteRequest } from './remote-http.js';

export const NCMEC_ENVIRONMENTS = ['industry', 'ngo', 'exploitative', 'law_enforcement', 'genai'] as const;
type Environment = (typeof NCMEC_ENVIRONMENTS)[number];

/** Each environment's base, production and test (python-threatexchange's NCMECEnvironment). */
const HOSTS: Record<Environment, { live: string; test: string }> = {
  industry: { live: 'https://report.cybertip.org/hashsharing', test: 'https://exttest.cybertip.org/hashsharing' },
  // The industry side of the exploitative database (NGOs reach theirs through base_url).
  exploitative: { live: 'https://report.cybertip.org/exploitative-hashsharing', test: 'https://exttest.cybertip.org/exploitative-hashsharing' },
  ngo: { live: 'https://hashsharing.ncmec.org/npo', test: 'https://hashsharing-test.ncmec.org/npo' },
  law_enforcement: { live: 'https://lesp.ncmec.org/csam-hashsharing', test: 'https://betalesp.ncmec.org/csam-hashsharing' },
  genai: { live: 'https://hashsharing.ncmec.org/generative-ai-csam', test: 'https://hashsharing-test.ncmec.org/generative-ai-csam' },
};

export type NcmecConfig = {
  environment: Environment;
  test: boolean;
  base_url?: string;
  start_time?: string;
};

export type NcmecCredentials = {
  user: string;
  password: string;
};

export type NcmecCheckpoint = {
  /** The next window's start (ms, whole seconds); while `paging` is set, the start of the window being paged. */
  from: number;
  /** The window being paged: its end, the URL of its next page as NCMEC gave it, and when it was given. */
  paging?: { to: number; next: string; at: number };
};

/** NCMEC's advice: paging URLs are not for long; older ones restart their window. */
const PAGING_TTL_MS = 12 * 3600_000;
/** Windows end this long before now: entries still being written at "now" come in the next window. */
const WINDOW_LAG_MS = 5_000;
/** A window estimated to hold more entries than this is shrunk before any of it is applied. */
const WINDOW_TARGET_ENTRIES = 100_000;
const NAMESPACE = 'https://hashsharing.ncmec.org/hashsharing/v2';
const XML_TYPES = ['application/xml', 'text/xml'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const configSchema = Type.Object(
  {
    environment: Type.Union(
      NCMEC_ENVIRONMENTS.map((e) => Type.Literal(e)),
      { default: 'industry', description: 'which NCMEC database to read' },
    ),
    test: Type.Boolean({ default: false, description: "use the environment's test host" }),
    base_url: Type.Optional(
      Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 500, description: "overrides the environment's host (https, or http on loopback)" }),
    ),
    start_time: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?)?$',
        description: 'the start of the first window (ISO date); by default the beginning of time, as python-threatexchange starts',
      }),
    ),
  },
  { additionalProperties: false },
);

const credentialSchema = Type.Object(
  { user: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

type Ctx = ExchangeContext<NcmecConfig, NcmecCredentials>;

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

/** The base URL (no trailing slash), checked: credentials go over https only, except to this machine. */
function baseOf(config: NcmecConfig): string {
  const base = (config.base_url ?? HOSTS[config.environment ?? 'industry'][config.test ? 'test' : 'live']).replace(/\/+$/, '');
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new AllianceError('EXCHANGE_CONFIG_INVALID', `ncmec base_url is not a URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback))
    throw new AllianceError('EXCHANGE_CONFIG_INVALID', 'ncmec base_url must be https (http only to this machine): the credentials travel with every request');
  if (u.search || u.hash || u.username) throw new AllianceError('EXCHANGE_CONFIG_INVALID', 'ncmec base_url takes no query, fragment or credentials');
  return base;
}

function authHeader(ctx: Ctx): Record<string, string> {
  const c = ctx.credentials;
  if (!c || !c.user || !c.password)
    throw new AllianceError('EXCHANGE_AUTH', 'no NCMEC credentials are set on this node: set them (user, password) with `alliance exchange credentials ncmec`');
  return { authorization: `Basic ${Buffer.from(`${c.user}:${c.password}`, 'utf8').toString('base64')}` };
}

/** A paging link as NCMEC gives it (a path under the base, "/v2/entries?…"), made absolute; never another host. */
function pageUrl(base: string, next: string): string {
  if (next.startsWith('/')) return `${base}${next}`;
  let u: URL;
  try {
    u = new URL(next);
  } catch {
    throw new AllianceError('EXCHANGE_INVALID', `NCMEC gave a paging link that is not a URL: ${JSON.stringify(next.slice(0, 100))}`);
  }
  if (`${u.origin}${u.pathname}`.startsWith(base)) return u.toString();
  throw new AllianceError(
    'EXCHANGE_INVALID',
    `NCMEC gave a paging link to another place (${u.origin}): refused, the credentials go only to ${new URL(base).origin}`,
  );
}

async function get(ctx: Ctx, url: string, what: string, extra: Partial<RemoteRequest> = {}): Promise<string> {
  const answer = await ctx.http.request({ method: 'GET', url, headers: { ...authHeader(ctx), accept: 'application/xml' }, accept: XML_TYPES, ...extra });
  if (!answer.text.trim()) throw new AllianceError('EXCHANGE_INVALID', `NCMEC answered ${what} with an empty body`);
  return answer.text;
}

/** A small NCMEC document (status, reasons) read with the same refusals as the entries: no DOCTYPE, no entities, well-formed. */
function parseSmall(text: string, what: string): Record<string, unknown> {
  try {
    return readNcmecXml(text);
  } catch (err) {
    if (!(err instanceof NcmecError)) throw err;
    throw new AllianceError('EXCHANGE_INVALID', `NCMEC's ${what} refused: ${err.message}`);
  }
}

const textOf = (v: unknown): string | null =>
  typeof v === 'string'
    ? v.trim()
    : v && typeof v === 'object' && typeof (v as Record<string, unknown>)['#text'] === 'string'
      ? (v as Record<string, string>)['#text'].trim()
      : null;

/** The largest maxTimestamp of a page's image and video lists (ms), or null. */
function maxTimestampOf(text: string): number | null {
  let max: number | null = null;
  for (const m of text.matchAll(/<(?:\w+:)?(?:images|videos)\b[^>]*\bmaxTimestamp="([^"]+)"/g)) {
    const t = Date.parse(m[1]);
    if (!Number.isNaN(t)) max = Math.max(max ?? t, t);
  }
  return max;
}

function readPage(text: string, ctx: Ctx, url: string) {
  try {
    return parseNcmecPage(text, { member: ctx.self });
  } catch (err) {
    const shown = url.replace(/\?.*$/, '');
    if (err instanceof NcmecError) throw new AllianceError('EXCHANGE_INVALID', `NCMEC page ${shown} refused: ${err.message}; nothing of it was applied`);
    throw new AllianceError('EXCHANGE_INVALID', `NCMEC page ${shown} cannot be read: ${(err as Error).message}; nothing of it was applied`);
  }
}

async function* fetchEntries(ctx: Ctx, checkpoint: NcmecCheckpoint | null): AsyncIterable<ExchangePage<NcmecCheckpoint>> {
  const base = baseOf(ctx.config);
  authHeader(ctx);
  const end = wholeSeconds(ctx.now() - WINDOW_LAG_MS);
  const start = ctx.config.start_time ? Date.parse(ctx.config.start_time) : 0;
  if (Number.isNaN(start)) throw new AllianceError('EXCHANGE_CONFIG_INVALID', `ncmec start_time is not a date: ${ctx.config.start_time}`);
  let from = wholeSeconds(checkpoint?.from ?? start);
  // A paging URL is only good for the window it was given for (and one ending after now is not one of ours).
  let resume = checkpoint?.paging && checkpoint.paging.to <= end ? checkpoint.paging : undefined;
  let span = end - from;
  let quiet = 0;
  while (from < end || resume) {
    let to: number;
    let url: string;
    const probing = !resume;
    const seen = new Set<string>();
    if (resume) {
      to = resume.to;
      url = pageUrl(base, resume.next);
      seen.add(resume.next);
      resume = undefined;
    } else {
      span = Math.max(1000, span);
      to = Math.min(end, from + span);
      url = `${base}/v2/entries?from=${encodeURIComponent(isoSeconds(from))}&to=${encodeURIComponent(isoSeconds(to))}`;
    }
    let first = true;
    let entries = 0;
    let shrunk = false;
    let ahead: Promise<string> | undefined;
    for (;;) {
      const text = await (ahead ?? get(ctx, url, 'an entries request'));
      ahead = undefined;
      const page = readPage(text, ctx, url);
      if (probing && first && page.next && to - from > 1000) {
        // How many entries the window may hold, from how much of it the first page covered.
        const max = maxTimestampOf(text);
        const covered = max === null ? null : max - from;
        const estimate = covered && covered > 0 ? ((page.entries.length + page.unmatchable) * (to - from)) / covered : 0;
        if (estimate > WINDOW_TARGET_ENTRIES) {
          span = Math.max(1000, wholeSeconds(Math.min((to - from) / 4, ((to - from) * WINDOW_TARGET_ENTRIES) / estimate / 2)));
          quiet = 0;
          shrunk = true;
          break;
        }
      }
      first = false;
      entries += page.entries.length + page.unmatchable;
      const cp: NcmecCheckpoint = page.next ? { from, paging: { to, next: page.next, at: ctx.now() } } : { from: to };
      if (page.next) {
        // A remote that sends a window's pages round in a circle is not followed round it.
        if (seen.has(page.next))
          throw new AllianceError(
            'EXCHANGE_INVALID',
            `NCMEC sent the paging link ${page.next.slice(0, 200)} twice in one window: refused (it would never end)`,
          );
        seen.add(page.next);
        // The next page is asked for while this one is applied (NCMEC's answer time and ours
        // overlap). Nothing of it counts until it is awaited after this page's commit; if the
        // fetch stops here instead, the answer is dropped (and the request ends with the fetch's signal).
        url = pageUrl(base, page.next);
        ahead = get(ctx, url, 'an entries request');
        ahead.catch(() => undefined);
      }
      yield { deltas: page.entries, checkpoint: cp, unmatchable: page.unmatchable, rejected: page.rejected.map((r) => `line ${r.line}: ${r.message}`) };
      if (!page.next) break;
    }
    if (shrunk) continue;
    from = to;
    // Grow slowly after a few small windows (python-threatexchange grows ×2 after four).
    if (entries < 2000 && ++quiet >= 4) {
      span *= 2;
      quiet = 0;
    }
  }
}

function readCheckpoint(stored: unknown, now: number): NcmecCheckpoint | null {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return null;
  const s = stored as Record<string, unknown>;
  if (typeof s.from !== 'number' || !Number.isFinite(s.from)) return null;
  const p = s.paging as Record<string, unknown> | undefined;
  if (p === undefined || p === null) return { from: s.from };
  if (typeof p !== 'object' || typeof p.to !== 'number' || typeof p.next !== 'string' || typeof p.at !== 'number' || !p.next) return null;
  // Too old to be followed: that window starts again (its entries are upserted or deleted again, by identity).
  if (now - p.at > PAGING_TTL_MS) return { from: s.from };
  return { from: s.from, paging: { to: p.to, next: p.next, at: p.at } };
}

interface Reason {
  guid: string;
  name: string;
}

async function reasonsOf(ctx: Ctx, base: string, type: string): Promise<Reason[]> {
  const doc = parseSmall(await get(ctx, `${base}/v2/feedback/${encodeURIComponent(type)}/reasons`, `the ${type} feedback reasons`), `${type} feedback reasons`);
  const root = doc.availableFeedbackReasons as Record<string, unknown> | undefined;
  const list = root && typeof root === 'object' ? ((root.reason as Array<Record<string, unknown>> | undefined) ?? []) : [];
  return list.map((r) => ({ guid: String(r['@guid'] ?? ''), name: String(r['@name'] ?? '') })).filter((r) => GUID.test(r.guid));
}

async function sendOpinion(ctx: Ctx, target: OpinionTarget, opinion: ExchangeOpinion, reason: string | null): Promise<Record<string, unknown>> {
  const base = baseOf(ctx.config);
  const meta = (target.metadata?.ncmec ?? null) as { member?: { id?: unknown }; kind?: unknown; id?: unknown } | null;
  const memberId = meta?.member?.id;
  if (!meta || typeof memberId !== 'string' || typeof meta.id !== 'string' || typeof meta.kind !== 'string')
    throw new AllianceError('OPINION_INVALID', `content ${target.uid} has no NCMEC entry (member, kind, id) in its metadata`);
  const types = [...new Set(target.signals.map((s) => feedbackTypeOf(s.type)).filter((t): t is string => t !== null))];
  if (!types.length) throw new AllianceError('OPINION_INVALID', `content ${target.uid} has no fingerprint NCMEC takes feedback on`);
  const affirmative = opinion === 'confirmed';
  const sent: Array<{ type: string; reason_guid: string | null; http_status: number }> = [];
  for (const type of types) {
    let guid: string | null = null;
    if (!affirmative) {
      if (reason && GUID.test(reason.trim())) guid = reason.trim().toLowerCase();
      else {
        const reasons = await reasonsOf(ctx, base, type);
        if (!reasons.length) throw new AllianceError('EXCHANGE_REFUSED', `NCMEC offers no negative feedback reason for ${type}`);
        const wanted = reason?.trim().toLowerCase();
        guid = (reasons.find((r) => wanted && r.name.trim().toLowerCase() === wanted) ?? reasons[0]).guid;
      }
    }
    const body = affirmative
      ? `<feedbackSubmission xmlns="${NAMESPACE}"><affirmative/></feedbackSubmission>`
      : `<feedbackSubmission xmlns="${NAMESPACE}"><negative><reasonIds><guid>${guid}</guid></reasonIds></negative></feedbackSubmission>`;
    const answer = await ctx.http.request({
      method: 'PUT',
      url: `${base}/v2/entries/${encodeURIComponent(memberId)}/${encodeURIComponent(meta.id)}/${encodeURIComponent(type)}/feedback`,
      headers: { ...authHeader(ctx), 'content-type': 'application/xml; charset=utf-8', accept: 'application/xml' },
      body,
      // A feedback PUT sets the feedback (it does not add to it): sending it again after a 5xx or a
      // timeout cannot count twice, so it is retried like a GET is, if fewer times.
      attempts: 3,
      maxBytes: 1024 * 1024,
    });
    sent.push({ type, reason_guid: guid, http_status: answer.status });
  }
  return {
    status: 'sent',
    feedback: affirmative ? 'affirmative' : 'negative',
    entry: { member_id: memberId, kind: meta.kind, id: meta.id },
    types: sent.map((s) => s.type),
    reason_guid: affirmative ? null : (sent[0]?.reason_guid ?? null),
    sent,
  };
}

async function status(ctx: Ctx): Promise<Record<string, unknown>> {
  const base = baseOf(ctx.config);
  const doc = parseSmall(await get(ctx, `${base}/v2/status`, 'the status request'), 'status');
  const s = doc.status as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object') throw new AllianceError('EXCHANGE_INVALID', 'NCMEC answered the status request with no <status>');
  const member = (Array.isArray(s.member) ? s.member[0] : s.member) as Record<string, unknown> | string | undefined;
  return {
    api: 'ncmec',
    base_url: base,
    ip_address: textOf(s.ipAddress),
    username: textOf(s.username),
    member: { id: member && typeof member === 'object' ? String(member['@id'] ?? '') || null : null, name: textOf(member) },
  };
}

export const ncmecApi: ExchangeApi<NcmecConfig, NcmecCredentials, NcmecCheckpoint> = {
  name: 'ncmec',
  description: "NCMEC's hash-sharing API v2: images and videos with MD5, SHA-1 and PDQ (other fingerprints kept as metadata), feedback sent back",
  configSchema,
  credentialSchema,
  readCheckpoint,
  checkpointTime: (c) => c.from,
  fetch: fetchEntries,
  sendOpinion,
  status,
};
