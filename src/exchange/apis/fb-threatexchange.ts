/**
 * Meta ThreatExchange (the Graph API that Tech Coalition's Lantern runs on), as HMA's
 * "fb_threatexchange" exchange: one privacy group's `/threat_updates` stream, paged by the
 * absolute `next` URLs the Graph API gives (followed whole, and only on the configured origin),
 * ordered by update time. Each update is one indicator: its identity is the indicator's id in the
 * privacy group (`fbte/<group>/<id>`, stable across refetches); its signal comes from the
 * indicator by its ThreatExchange type (the wire-format table below; types Alliance has no
 * signal for are counted unmatchable); its descriptors' tags become the content's tags and their
 * owners, statuses and reactions go into its metadata. A descriptor status MALICIOUS makes the
 * indicator positive; a tombstone (`should_delete`), an indicator with no visible descriptors
 * and one whose descriptors all say NON_MALICIOUS are deletions.
 *
 * The checkpoint `{update_time, last_fetch_time}` (seconds) resumes at the last update time seen
 * (`start_time` is inclusive: the indicators of that second come again and update in place).
 * ThreatExchange keeps deletions 90 days, so a checkpoint whose last fetch is older than 85 days
 * is stale: the fetch starts over from the beginning. Verdicts go back as reactions on the
 * indicator's descriptors owned by other apps: confirmed → SAW_THIS_TOO, false_positive →
 * NOT_HELPFUL, disputed → DISAGREE_WITH_TAGS.
 */
import { Type } from 'typebox';
import { AllianceError } from '../../errors/catalogue.js';
import { getSignalType, SIGNAL_TYPES } from '../../signals/index.js';
import type { DeleteEntry, Entry, UpsertEntry } from '../page.js';
import type { ExchangeApi, ExchangeContext, ExchangeOpinion, OpinionTarget } from './exchange-api.js';
import { cleanRemoteText, type RemoteAnswer, type RemoteRequest } from './remote-http.js';

export const FB_THREATEXCHANGE_API = 'fb_threatexchange';
export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com/v21.0';
/** ThreatExchange keeps deletion records 90 days; a checkpoint older than this misses some. */
export const STALE_AFTER_SECONDS = 85 * 24 * 3600;
const PAGE_SIZE = 100;
/** One page of 100 indicators with their descriptors is well under this. */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;
const ORIGIN = 'ThreatExchange';

export const THREAT_UPDATE_FIELDS = 'id,indicator,type,last_updated,should_delete,descriptors{reactions,my_reactions,owner{id},tags,status,added_on}';

/**
 * Wire format: ThreatExchange indicator types → Alliance signal types. ThreatExchange's MD5 and
 * SHA-256 of videos are file digests like any other; the types missing here (HASH_TMK,
 * HASH_PDQ_OCR, URI, DOMAIN, TEXT_STRING, …) have no Alliance signal and are counted unmatchable.
 */
export const INDICATOR_SIGNAL_TYPES: Readonly<Record<string, string>> = {
  HASH_PDQ: 'pdq',
  HASH_MD5: 'md5',
  HASH_VIDEO_MD5: 'md5',
  HASH_SHA1: 'sha1',
  HASH_SHA256: 'sha256',
  HASH_VIDEO_SHA256: 'sha256',
};

/** Alliance's verdicts as ThreatExchange reactions. */
export const OPINION_REACTIONS: Readonly<Record<ExchangeOpinion, string>> = {
  confirmed: 'SAW_THIS_TOO',
  false_positive: 'NOT_HELPFUL',
  disputed: 'DISAGREE_WITH_TAGS',
};

export type FbThreatExchangeConfig = {
  privacy_group: number | string;
  base_url: string;
};

export type FbThreatExchangeCredentials = {
  api_token: string;
};

export type FbThreatExchangeCheckpoint = {
  /** The latest `last_updated` applied (seconds): the next fetch's `start_time`. */
  update_time: number;
  /** When a fetch last reached the remote (seconds): past 85 days the checkpoint is stale. */
  last_fetch_time: number;
};

/** What the content's metadata keeps of one descriptor (its opinion of the indicator). */
export interface DescriptorRecord {
  id: string;
  owner_id: string;
  status: string | null;
  tags: string[];
  added_on: string | null;
  my_reactions: string[];
}

const configSchema = Type.Object(
  {
    // Graph ids can pass 2^53: a longer one must be given as a string, or JSON would round it.
    privacy_group: Type.Union([Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), Type.String({ pattern: '^[1-9][0-9]{0,19}$' })], {
      description: 'ThreatPrivacyGroup ID of the collaboration (a string for ids over 2^53)',
    }),
    base_url: Type.String({ default: DEFAULT_GRAPH_URL, pattern: '^https?://', maxLength: 500, description: 'Graph API base URL' }),
  },
  { additionalProperties: false },
);

const credentialSchema = Type.Object(
  {
    api_token: Type.String({
      pattern: '^[0-9]{1,20}\\|[A-Za-z0-9_-]{8,200}$',
      description: 'The ThreatExchange app access token, "appid|secret"',
    }),
  },
  { additionalProperties: false },
);

// ---- reading the Graph API's answers -------------------------------------------------------------

const invalid = (message: string) => new AllianceError('EXCHANGE_INVALID', `ThreatExchange: ${message}`);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const short = (x: unknown) => cleanRemoteText(JSON.stringify(x) ?? String(x)).slice(0, 80);

/** A Graph id: digits, as a number or a string. */
function graphId(x: unknown, what: string): string {
  const s = typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? String(x) : x;
  if (typeof s !== 'string' || !/^[0-9]{1,25}$/.test(s)) throw invalid(`${what} is not a Graph id (${short(x)})`);
  return s;
}

/** `last_updated`: unix seconds (number or digits) or an ISO time; returned in seconds. */
function updateTime(x: unknown, where: string): number {
  if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return x;
  if (typeof x === 'string' && /^[0-9]{1,12}$/.test(x)) return Number(x);
  const ms = typeof x === 'string' ? Date.parse(x) : NaN;
  if (Number.isNaN(ms) || ms < 0) throw invalid(`${where}: last_updated is not a time (${short(x)})`);
  return Math.floor(ms / 1000);
}

/** Graph times such as "2020-07-01T18:58:54+0000" (Date.parse wants the offset with a colon). */
function graphTime(x: unknown): number | null {
  if (typeof x !== 'string' || x.length > 40) return null;
  const ms = Date.parse(x.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(ms) ? null : ms;
}

/** Tags as the threat_updates edge gives them: a list of texts, or `{data: [{text}]}`. */
function tagsOf(x: unknown, where: string): string[] {
  if (x === undefined || x === null) return [];
  const list = isObject(x) ? x.data : x;
  if (!Array.isArray(list)) throw invalid(`${where}: tags are neither a list nor {data: [...]}`);
  return list.map((t) => {
    const text = isObject(t) ? t.text : t;
    if (typeof text !== 'string') throw invalid(`${where}: a tag is not text (${short(t)})`);
    return text;
  });
}

/** A tag as Alliance keeps it: no control characters, 1 to 100 characters. */
const cleanTag = (t: string) => cleanRemoteText(t).slice(0, 100);

function descriptorsOf(raw: unknown, where: string): DescriptorRecord[] {
  if (raw === undefined || raw === null) return [];
  const list = isObject(raw) ? raw.data : raw;
  if (!Array.isArray(list)) throw invalid(`${where}: descriptors are neither a list nor {data: [...]}`);
  if (list.length > 10_000) throw invalid(`${where}: ${list.length} descriptors on one indicator`);
  const out: DescriptorRecord[] = [];
  for (const d of list) {
    if (!isObject(d)) throw invalid(`${where}: a descriptor is not an object`);
    // The Graph API sometimes shows a descriptor without its owner (python-threatexchange drops those too).
    if (!isObject(d.owner) || d.owner.id === undefined) continue;
    const id = graphId(d.id, `${where}: descriptor id`);
    const status = d.status === undefined || d.status === null ? null : d.status;
    if (status !== null && typeof status !== 'string') throw invalid(`${where}: descriptor ${id} status is not text`);
    const mine = Array.isArray(d.my_reactions) ? d.my_reactions.filter((r): r is string => typeof r === 'string').map(cleanTag) : [];
    out.push({
      id,
      owner_id: graphId(d.owner.id, `${where}: descriptor ${id} owner`),
      status: status === null ? null : cleanTag(status).toUpperCase(),
      tags: tagsOf(d.tags, `${where}: descriptor ${id}`),
      added_on: graphTime(d.added_on) === null ? null : new Date(graphTime(d.added_on)!).toISOString(),
      my_reactions: [...new Set(mine)].sort(),
    });
  }
  return out.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}

interface ReadUpdate {
  entry: Entry | null;
  unmatchable: boolean;
  time: number;
}

/** One threat update as an Entry (null: nothing to apply, e.g. the deletion of an unmatchable type). */
export function readUpdate(raw: unknown, group: string, self: string, index: number): ReadUpdate {
  if (!isObject(raw)) throw invalid(`update ${index + 1} is not an object`);
  const id = graphId(raw.id, `update ${index + 1}: id`);
  const where = `indicator ${id}`;
  const time = updateTime(raw.last_updated, where);
  if (typeof raw.type !== 'string' || !/^[A-Z0-9_]{1,60}$/.test(raw.type))
    throw invalid(`${where}: type is missing or not a ThreatExchange type (${short(raw.type)})`);
  if (raw.should_delete !== undefined && typeof raw.should_delete !== 'boolean') throw invalid(`${where}: should_delete is not true or false`);
  const uid = uidOf(group, id);
  const del: DeleteEntry = { seq: 0, op: 'delete', uid };
  // A tombstone needs no indicator: removing what is not in the bank changes nothing.
  if (raw.should_delete === true) return { entry: del, unmatchable: false, time };
  if (typeof raw.indicator !== 'string' || raw.indicator.length > 100_000) throw invalid(`${where}: indicator is missing or not text`);
  const typeName = INDICATOR_SIGNAL_TYPES[raw.type];
  let value: string | null = null;
  if (typeName && SIGNAL_TYPES.has(typeName)) {
    try {
      value = getSignalType(typeName).normalize(raw.indicator);
    } catch {
      value = null;
    }
  }
  // An indicator whose descriptors are not shown is a deletion too (python-threatexchange reads it so).
  if (raw.descriptors === undefined) return { entry: del, unmatchable: false, time };
  const descriptors = descriptorsOf(raw.descriptors, where);
  const statuses = new Set(descriptors.map((d) => d.status));
  const malicious = statuses.has('MALICIOUS');
  const onlyBenign = descriptors.length > 0 && descriptors.every((d) => d.status === 'NON_MALICIOUS');
  if (descriptors.length === 0 || onlyBenign) return { entry: del, unmatchable: false, time };
  if (value === null) return { entry: null, unmatchable: true, time };
  const opinion = malicious ? (statuses.has('NON_MALICIOUS') ? 'disputed' : 'positive') : 'investigation_seed';
  const added = descriptors.map((d) => (d.added_on ? Date.parse(d.added_on) : Infinity));
  const firstSeen = Math.min(time * 1000, ...added);
  const tags = [...new Set(descriptors.flatMap((d) => d.tags.map(cleanTag)).filter((t) => t.length > 0))].sort().slice(0, 100);
  const entry: UpsertEntry = {
    seq: 0,
    op: 'upsert',
    uid,
    signals: [{ type: typeName!, value }],
    classification: null,
    tags,
    first_seen: new Date(firstSeen).toISOString(),
    disabled: false,
    origin: { member: ORIGIN, bank: `privacy_group:${group}` },
    chain: [ORIGIN, self],
    note: null,
    metadata: {
      threatexchange: {
        privacy_group: group,
        indicator_id: id,
        type: raw.type,
        last_updated: new Date(time * 1000).toISOString(),
        opinion,
        owners: [...new Set(descriptors.map((d) => d.owner_id))],
        descriptors,
      },
    },
  };
  return { entry, unmatchable: false, time };
}

export const uidOf = (group: string, indicatorId: string) => `fbte/${group}/${indicatorId}`;

/** The Graph API's error object in a refused answer's text, if it is one. */
function graphError(message: string): { message: string; type: string; code: number } | null {
  const m = /\{\s*"error"\s*:\s*(\{.*)$/.exec(message);
  if (!m) return null;
  const type = /"type"\s*:\s*"([^"]*)"/.exec(m[1])?.[1] ?? '';
  const code = Number(/"code"\s*:\s*(\d+)/.exec(m[1])?.[1] ?? NaN);
  const msg = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(m[1])?.[1] ?? '';
  return { message: msg, type, code };
}

/**
 * Graph API answers a bad, expired or revoked token with HTTP 400 (OAuthException, code 190 or
 * 102) rather than 401: those are authentication errors to people, like 401/403.
 */
async function graphRequest(ctx: ExchangeContext<FbThreatExchangeConfig, FbThreatExchangeCredentials>, req: RemoteRequest): Promise<RemoteAnswer> {
  try {
    return await ctx.http.request({ accept: ['application/json', 'text/javascript'], maxBytes: MAX_PAGE_BYTES, ...req });
  } catch (err) {
    if (!(err instanceof AllianceError) || err.code !== 'EXCHANGE_REFUSED') throw err;
    const g = graphError(err.message);
    if (g && (g.code === 190 || g.code === 102 || (g.type === 'OAuthException' && g.code !== 100)))
      throw new AllianceError(
        'EXCHANGE_AUTH',
        `ThreatExchange refused the access token (Graph error ${g.code}${g.message ? `: ${g.message}` : ''}); set it again with \`alliance exchange credentials ${FB_THREATEXCHANGE_API}\``,
        { details: { remote_status: err.details?.remote_status ?? 400, graph_code: g.code } },
      );
    throw err;
  }
}

function parseJson(text: string, where: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw invalid(`${where} is not JSON (${cleanRemoteText((err as Error).message).slice(0, 120)})`);
  }
  if (!isObject(body)) throw invalid(`${where} is not a JSON object`);
  return body;
}

function token(ctx: ExchangeContext<FbThreatExchangeConfig, FbThreatExchangeCredentials>): string {
  const t = ctx.credentials?.api_token;
  if (typeof t !== 'string' || !t)
    throw new AllianceError('EXCHANGE_AUTH', `ThreatExchange: no access token is set; set one with \`alliance exchange credentials ${FB_THREATEXCHANGE_API}\``);
  return t;
}

function baseOf(config: FbThreatExchangeConfig): URL {
  let base: URL;
  try {
    base = new URL(config.base_url || DEFAULT_GRAPH_URL);
  } catch {
    throw new AllianceError('EXCHANGE_CONFIG_INVALID', `ThreatExchange: base_url ${short(config.base_url)} is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new AllianceError('EXCHANGE_CONFIG_INVALID', 'ThreatExchange: base_url must be http(s)');
  return base;
}

/** The base as a prefix for paths: origin and path without a trailing slash. */
const pathOf = (base: URL) => base.pathname.replace(/\/+$/, '');
const rootOf = (base: URL) => `${base.origin}${pathOf(base)}`;

/** A `next` URL is followed only on the configured origin and under its path. */
function checkNext(next: unknown, base: URL): string {
  if (typeof next !== 'string' || next.length > 8000) throw invalid('paging.next is not a URL');
  let u: URL;
  try {
    u = new URL(next);
  } catch {
    throw invalid(`paging.next is not a URL (${short(next)})`);
  }
  if (u.origin !== base.origin || !u.pathname.startsWith(`${pathOf(base)}/`))
    throw invalid(`paging.next points to ${cleanRemoteText(u.origin + u.pathname).slice(0, 120)}, outside ${rootOf(base)}: refused`);
  return u.toString();
}

// ---- the adapter -----------------------------------------------------------------------------

const groupOf = (config: FbThreatExchangeConfig) => String(config.privacy_group);
const nowSeconds = (ms: number) => Math.floor(ms / 1000);

export const fbThreatExchangeApi: ExchangeApi<FbThreatExchangeConfig, FbThreatExchangeCredentials, FbThreatExchangeCheckpoint> = {
  name: FB_THREATEXCHANGE_API,
  description: "Meta ThreatExchange (Graph API): one privacy group's threat updates, as Lantern shares them; verdicts go back as reactions",
  configSchema,
  credentialSchema,

  readCheckpoint(stored, now) {
    if (!isObject(stored)) return null;
    const { update_time, last_fetch_time } = stored;
    if (!Number.isSafeInteger(update_time) || (update_time as number) < 0) return null;
    if (!Number.isSafeInteger(last_fetch_time) || (last_fetch_time as number) < 0) return null;
    if (nowSeconds(now) - (last_fetch_time as number) > STALE_AFTER_SECONDS) return null;
    return { update_time: update_time as number, last_fetch_time: last_fetch_time as number };
  },

  checkpointTime: (c) => c.update_time * 1000,

  async *fetch(ctx, checkpoint) {
    const base = baseOf(ctx.config);
    const group = groupOf(ctx.config);
    const accessToken = token(ctx);
    const fetchedAt = nowSeconds(ctx.now());
    const first = new URL(`${rootOf(base)}/${group}/threat_updates/`);
    first.searchParams.set('access_token', accessToken);
    if (checkpoint) first.searchParams.set('start_time', String(checkpoint.update_time));
    first.searchParams.set('limit', String(PAGE_SIZE));
    first.searchParams.set('fields', THREAT_UPDATE_FIELDS);
    let url: string | null = first.toString();
    let highest = checkpoint?.update_time ?? 0;
    const seen = new Set<string>();
    let empties = 0;
    for (let page = 1; url !== null; page++) {
      seen.add(url);
      const where = `threat_updates page ${page}`;
      const answer = await graphRequest(ctx, { url });
      const body = parseJson(answer.text, where);
      if (!Array.isArray(body.data)) throw invalid(`${where} has no data list`);
      const deltas: Entry[] = [];
      let unmatchable = 0;
      body.data.forEach((raw, i) => {
        const r = readUpdate(raw, group, ctx.self, i);
        highest = Math.max(highest, r.time);
        if (r.entry) deltas.push(r.entry);
        if (r.unmatchable) unmatchable++;
      });
      const paging = body.paging;
      if (paging !== undefined && !isObject(paging)) throw invalid(`${where}: paging is not an object`);
      const next: string | null = paging?.next === undefined || paging.next === null ? null : checkNext(paging.next, base);
      if (next !== null && seen.has(next)) throw invalid(`${where}: paging.next repeats an earlier page (the fetch would never end)`);
      empties = body.data.length === 0 ? empties + 1 : 0;
      if (next !== null && empties >= 3) throw invalid(`${where}: three empty pages in a row that still say more follows`);
      yield { deltas, checkpoint: { update_time: highest, last_fetch_time: fetchedAt }, unmatchable };
      url = next;
    }
  },

  async sendOpinion(ctx, target: OpinionTarget, opinion: ExchangeOpinion) {
    const reaction = OPINION_REACTIONS[opinion];
    if (!reaction) throw new AllianceError('OPINION_INVALID', `ThreatExchange takes no opinion "${String(opinion)}"`);
    const meta = isObject(target.metadata) && isObject(target.metadata.threatexchange) ? target.metadata.threatexchange : null;
    const descriptors = meta && Array.isArray(meta.descriptors) ? (meta.descriptors as DescriptorRecord[]) : [];
    const accessToken = token(ctx);
    const appId = accessToken.split('|')[0];
    const theirs = descriptors.filter((d) => isObject(d) && typeof d.id === 'string' && /^[0-9]{1,25}$/.test(d.id) && d.owner_id !== appId);
    if (theirs.length === 0)
      throw new AllianceError(
        'OPINION_INVALID',
        descriptors.length
          ? `${target.uid}: every descriptor of this indicator is this app's own`
          : `${target.uid}: no ThreatExchange descriptor is recorded for this content`,
      );
    const base = baseOf(ctx.config);
    const answers: Array<{ descriptor_id: string; owner_id: string; answer: unknown }> = [];
    for (const d of theirs) {
      const url = new URL(`${rootOf(base)}/${d.id}/`);
      url.searchParams.set('access_token', accessToken);
      url.searchParams.set('reactions', reaction);
      const answer = await graphRequest(ctx, { method: 'POST', url: url.toString(), maxBytes: 64 * 1024 });
      answers.push({ descriptor_id: d.id, owner_id: d.owner_id, answer: parseJson(answer.text, `the reaction on descriptor ${d.id}`) });
    }
    return { reaction, descriptors: answers };
  },

  async status(ctx) {
    const accessToken = token(ctx);
    const appId = accessToken.split('|')[0];
    const url = new URL(`${rootOf(baseOf(ctx.config))}/${appId}/threat_privacy_groups_member`);
    url.searchParams.set('access_token', accessToken);
    url.searchParams.set('fields', 'id,name,description,members_can_see,members_can_use,threat_updates_enabled');
    const body = parseJson((await graphRequest(ctx, { url: url.toString(), maxBytes: 1024 * 1024 })).text, 'threat_privacy_groups_member');
    if (!Array.isArray(body.data)) throw invalid('threat_privacy_groups_member has no data list');
    const groups = body.data.filter(isObject).map((g) => ({
      id: String(g.id ?? ''),
      name: typeof g.name === 'string' ? cleanRemoteText(g.name) : null,
      threat_updates_enabled: g.threat_updates_enabled === true,
    }));
    const group = groupOf(ctx.config);
    return {
      api: FB_THREATEXCHANGE_API,
      app_id: appId,
      privacy_group: group,
      member_of_privacy_group: groups.some((g) => g.id === group),
      privacy_groups: groups,
    };
  },
};
