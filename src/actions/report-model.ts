/**
 * The incident report, modelled on NCMEC's CyberTipline report (REFERENCE.md §6): an incident
 * summary (type, priority escalation, annotations, time), internet details, the reported user
 * with IP capture events, location hints, the files with their hashes and classification, and
 * free text. Names follow the CyberTipline fields in snake_case; the XML export uses its
 * element names in camelCase.
 */
import { parseClassification } from '../banks/classification.js';
import { failWith } from '../errors/catalogue.js';
import { getSignalType, SIGNAL_TYPES } from '../signals/index.js';
import { isIP } from 'node:net';
import { isCountryCode } from '../geo/countries.js';
import { parseIsoTime } from '../time/iso-time.js';

export const INCIDENT_TYPES = [
  'child_pornography', // possession, manufacture and distribution
  'child_sex_trafficking',
  'child_sex_tourism',
  'child_sexual_molestation',
  'misleading_domain_name',
  'misleading_words_or_digital_images',
  'online_enticement',
  'unsolicited_obscene_material_to_child',
] as const;
export const INCIDENT_ANNOTATIONS = ['sextortion', 'csam_solicitation', 'minor_to_minor_interaction', 'spam', 'sadistic_online_exploitation'] as const;
export const FILE_ANNOTATIONS = ['generative_ai', 'possible_self_production', 'viral', 'live_streaming', 'animated', 'physical_harm'] as const;
export const INTERNET_DETAIL_TYPES = [
  'web_page',
  'email',
  'chat_im',
  'online_gaming',
  'peer_to_peer',
  'social_media',
  'cell_phone',
  'newsgroup',
  'non_internet',
] as const;
export const CAPTURE_EVENTS = ['upload', 'login', 'registration', 'purchase', 'other'] as const;

export interface ReportFile {
  file_name?: string;
  /** signal type → value; at least one. */
  hashes: Record<string, string>;
  classification?: string;
  location_url?: string;
  publicly_available?: boolean;
  viewed_by_reporter?: boolean;
  annotations?: string[];
}

export interface ReportBody {
  incident_type: string;
  escalate_to_high_priority?: boolean;
  annotations?: string[];
  incident_at?: string;
  internet_details?: Array<{ type: string; value: string }>;
  reported_user?: {
    id?: string;
    name?: string;
    email?: string;
    screen_name?: string;
    country?: string;
    ip_capture_events?: Array<{ ip: string; event: string; at?: string }>;
  };
  location_hints?: Array<{ source: string; country?: string; detail?: string }>;
  files?: ReportFile[];
  additional_info?: string;
}

const bad = failWith('REPORT_INVALID');
const oneOf = (name: string, v: unknown, list: readonly string[]) => {
  if (typeof v !== 'string' || !list.includes(v)) throw bad(`${name}: one of ${list.join(', ')}`);
};
const text = (name: string, v: unknown, max = 2000) => {
  if (v !== undefined && (typeof v !== 'string' || v.length > max)) throw bad(`${name}: a string of at most ${max} characters`);
};
const time = (name: string, v: unknown) => {
  if (v !== undefined && (typeof v !== 'string' || parseIsoTime(v) === undefined)) throw bad(`${name}: an ISO 8601 time`);
};
const country = (name: string, v: unknown) => {
  if (v !== undefined && (typeof v !== 'string' || !isCountryCode(v)))
    throw bad(`${name}: "${String(v).slice(0, 10)}" is not an ISO 3166-1 alpha-2 country code (in capitals)`);
};
function list(name: string, v: unknown, max = 100): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > max) throw bad(`${name}: a list of at most ${max}`);
  return v;
}
function only(name: string, o: unknown, keys: string[]): Record<string, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad(`${name}: an object`);
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length) throw bad(`${name}: unknown field(s) ${extra.join(', ')}`);
  return o as Record<string, unknown>;
}

/**
 * Checks a report's shape; `complete` also requires what a finished report must hold (a type and
 * at least one file with a hash, or an internet detail). Hash values come back canonical.
 */
export function checkReport(input: unknown, complete: boolean): ReportBody {
  const b = only('report', input, [
    'incident_type',
    'escalate_to_high_priority',
    'annotations',
    'incident_at',
    'internet_details',
    'reported_user',
    'location_hints',
    'files',
    'additional_info',
  ]);
  if (complete || b.incident_type !== undefined) oneOf('incident_type', b.incident_type, INCIDENT_TYPES);
  if (b.escalate_to_high_priority !== undefined && typeof b.escalate_to_high_priority !== 'boolean') throw bad('escalate_to_high_priority: true or false');
  list('annotations', b.annotations, 10).forEach((a, i) => oneOf(`annotations[${i}]`, a, INCIDENT_ANNOTATIONS));
  time('incident_at', b.incident_at);
  list('internet_details', b.internet_details).forEach((d, i) => {
    const x = only(`internet_details[${i}]`, d, ['type', 'value']);
    oneOf(`internet_details[${i}].type`, x.type, INTERNET_DETAIL_TYPES);
    text(`internet_details[${i}].value`, x.value, 4096);
  });
  if (b.reported_user !== undefined) {
    const u = only('reported_user', b.reported_user, ['id', 'name', 'email', 'screen_name', 'country', 'ip_capture_events']);
    for (const k of ['id', 'name', 'email', 'screen_name']) text(`reported_user.${k}`, u[k], 256);
    country('reported_user.country', u.country);
    list('reported_user.ip_capture_events', u.ip_capture_events).forEach((e, i) => {
      const x = only(`reported_user.ip_capture_events[${i}]`, e, ['ip', 'event', 'at']);
      if (typeof x.ip !== 'string' || !isIP(x.ip)) throw bad(`reported_user.ip_capture_events[${i}].ip: an IPv4 or IPv6 address`);
      oneOf(`reported_user.ip_capture_events[${i}].event`, x.event, CAPTURE_EVENTS);
      time(`reported_user.ip_capture_events[${i}].at`, x.at);
    });
  }
  list('location_hints', b.location_hints).forEach((h, i) => {
    const x = only(`location_hints[${i}]`, h, ['source', 'country', 'detail']);
    oneOf(`location_hints[${i}].source`, x.source, ['ip', 'url', 'account', 'other']);
    country(`location_hints[${i}].country`, x.country);
    text(`location_hints[${i}].detail`, x.detail, 500);
  });
  const files = list('files', b.files, 1000).map((f, i) => {
    const x = only(`files[${i}]`, f, ['file_name', 'hashes', 'classification', 'location_url', 'publicly_available', 'viewed_by_reporter', 'annotations']);
    text(`files[${i}].file_name`, x.file_name, 500);
    text(`files[${i}].location_url`, x.location_url, 4096);
    // A file's hashes: any type computed from files (not keywords, which are text).
    const hashes = only(
      `files[${i}].hashes`,
      x.hashes ?? {},
      [...SIGNAL_TYPES.values()].filter((t) => t.media !== 'text').map((t) => t.name),
    );
    if (Object.keys(hashes).length === 0) throw bad(`files[${i}].hashes: at least one hash`);
    const canonical: Record<string, string> = {};
    for (const [t, v] of Object.entries(hashes)) {
      if (typeof v !== 'string') throw bad(`files[${i}].hashes.${t}: a string`);
      canonical[t] = getSignalType(t).normalize(v);
    }
    if (x.classification !== undefined) parseClassification(String(x.classification));
    list(`files[${i}].annotations`, x.annotations, 10).forEach((a, j) => oneOf(`files[${i}].annotations[${j}]`, a, FILE_ANNOTATIONS));
    for (const k of ['publicly_available', 'viewed_by_reporter'])
      if (x[k] !== undefined && typeof x[k] !== 'boolean') throw bad(`files[${i}].${k}: true or false`);
    return { ...(x as unknown as ReportFile), hashes: canonical };
  });
  text('additional_info', b.additional_info, 20_000);
  if (complete && files.length === 0 && list('internet_details', b.internet_details).length === 0)
    throw bad('a finished report names at least one file (with a hash) or one internet detail');
  return { ...(b as unknown as ReportBody), ...(b.files !== undefined ? { files } : {}) };
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const esc = (s: string) =>
  s
    .replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
    // eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these control characters: they are removed
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

function xmlOf(name: string, v: unknown, indent: string): string {
  if (v === undefined || v === null) return '';
  const tag = camel(name);
  if (Array.isArray(v)) return v.map((x) => xmlOf(name.replace(/s$/, ''), x, indent)).join('');
  if (typeof v === 'object') {
    const inner = Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => xmlOf(k, x, `${indent}  `))
      .join('');
    return `${indent}<${tag}>\n${inner}${indent}</${tag}>\n`;
  }
  return `${indent}<${tag}>${esc(String(v))}</${tag}>\n`;
}

/** The report as XML (UTF-8, CyberTipline-style element names). */
export function reportXml(meta: Record<string, unknown>, body: ReportBody): string {
  const { files, ...summary } = body;
  const hashList = (files ?? []).map((f) => ({ ...f, hashes: undefined, hash: Object.entries(f.hashes).map(([type, value]) => ({ type, value })) }));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<report>\n${xmlOf('meta', meta, '  ')}${xmlOf('incident', summary, '  ')}${hashList.map((f) => xmlOf('file', f, '  ')).join('')}</report>\n`;
}
