/**
 * Project VIC VICS 2.0 JSON (OData), REFERENCE.md §5: a Media list (`#Media`) or a case export
 * (`#Cases`, each case with its Media[]), read as a stream and written as a stream.
 *
 * What Alliance models: MediaID (the item's identity, so a re-import updates instead of
 * duplicating), MD5 and SHA1 (signals; SHA256 and PDQ too, as Alliance's extension fields), Category (a classification, through an explicit map per
 * data model), Tags, Comments (the note), the six flags (booleans), DateUpdated, MediaSize. Every
 * other field (PhotoDNA, Series, Exifs, MediaFiles, MimeType, …) is kept verbatim in the content's
 * metadata and written back on export. Real exporters' quirks are accepted: UK/US/Default/CUSTOM
 * model names and the v1.3 `odata.metadata`, CRLF and tabs, MediaID as a bare 64-bit integer,
 * Category omitted when 0, flags as "true" strings or omitted when false, DateUpdated with an
 * offset and a trailing Z, a CaseID in braces.
 */
import { parseClassification, type Classification } from '../../banks/classification.js';
import type { UpsertEntry } from '../page.js';

export type VicsModel = 'US' | 'UK' | 'Default' | 'CUSTOM' | '1.3';
export const VICS_MODELS: readonly VicsModel[] = ['US', 'UK', 'Default', 'CUSTOM', '1.3'];
export type VicsForm = 'Media' | 'Cases';

export interface VicsHeader {
  model: VicsModel | null;
  form: VicsForm | null;
}

/** Category number → classification label ("vics:1", "uk:A", …). */
export type CategoryMap = ReadonlyMap<number, string>;

/** The US categories of VICS 2.0 (the Default model uses them too). Other models need a map given by the user. */
export const US_CATEGORIES: CategoryMap = new Map([0, 1, 2, 3, 4].map((n) => [n, `vics:${n}`]));

export const FLAGS = ['IsPrecategorized', 'VictimIdentified', 'OffenderIdentified', 'IsDistributed', 'IsSuspected', 'SelfGenerated'] as const;
/**
 * Alliance's extension fields (VICS has no place for them; other readers ignore unknown fields):
 * SHA256, and PDQ (one hash, or a list for a content with several).
 */
export const EXTENSION_HASHES = ['SHA256', 'PDQ'] as const;
const MODELLED = new Set<string>(['MediaID', 'MD5', 'SHA1', ...EXTENSION_HASHES, 'Category', 'Tags', 'Comments', 'DateUpdated', 'MediaSize', ...FLAGS]);

export const VICS_CONTEXT_BASE = 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml';

export class VicsError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    message: string,
  ) {
    super(`line ${line}, ${field}: ${message}`);
  }
}

/** Reads the data model and form from an `@odata.context` / `odata.metadata` URL. */
export function parseContext(url: string): VicsHeader {
  const m = /DataModels\/(\d+\.\d+)\.xml(?:\/([A-Za-z]+))?(?:\/?\$metadata)?#(\w+)/.exec(url);
  if (!m) return { model: null, form: null };
  const form = m[3] === 'Media' || m[3] === 'Cases' ? m[3] : null;
  if (m[1] === '1.3') return { model: '1.3', form };
  const named = VICS_MODELS.find((x) => x.toLowerCase() === (m[2] ?? '').toLowerCase()) ?? null;
  return { model: named, form };
}

/** Finds the context member in the document text before the value array. */
export function headerFromText(head: string): VicsHeader & { context: string | null } {
  const m = /"@?odata\.(?:context|metadata)"\s*:\s*"([^"]*)"/.exec(head);
  return m ? { ...parseContext(m[1]), context: m[1] } : { model: null, form: null, context: null };
}

/** Parses "0=vics:0,1=uk:A,2=uk:B" into a category map (each label checked). */
export function parseCategoryMap(text: string): CategoryMap {
  const map = new Map<number, string>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{1,3})\s*=\s*(\S+)$/.exec(part);
    if (!m) throw new Error(`"${part}" is not of the form NUMBER=CLASSIFICATION (e.g. 1=uk:A)`);
    parseClassification(m[2]);
    map.set(Number(m[1]), m[2]);
  }
  if (map.size === 0) throw new Error('the category map is empty');
  return map;
}

/** The map a model's categories follow, or null when only the user can say. */
export function defaultCategoryMap(model: VicsModel | null): CategoryMap | null {
  return model === 'US' || model === 'Default' ? US_CATEGORIES : null;
}

/** Quotes a MediaID written as a bare integer, so that 64-bit ids survive JSON.parse. */
export function quoteBareIds(text: string): string {
  return text.replace(/("MediaID"\s*:\s*)(-?\d+)(?=\s*[,}\r\n])/g, '$1"$2"');
}

export interface MediaOptions {
  line: number;
  /** e.g. "Media[3]" or "Cases[0].Media[3]". */
  where: string;
  categories: CategoryMap | null;
  model: VicsModel | null;
  member: string;
  importedAt: string;
  /** Case fields to keep with each of its Media. */
  caseInfo?: Record<string, unknown>;
  /** Occurrences of each MD5 without a MediaID so far (their identity is MD5 + occurrence). */
  anonymous: Map<string, number>;
}

const HEX = (n: number) => new RegExp(`^[0-9a-fA-F]{${n}}$`);
const MD5 = HEX(32);
const SHA1 = HEX(40);
const SHA256 = HEX(64);

function flag(v: unknown, fail: (m: string) => never): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return fail(`expected true or false, got ${JSON.stringify(v)}`);
}

/** VICS dates; accepts the offset-plus-Z quirk (2021-03-04T05:06:07.000+01:00Z). Returns ISO UTC. */
export function vicsDate(v: string): string | null {
  // Exports stamp many items with the same time: remember the last answer.
  if (v === lastDate.in) return lastDate.out;
  const t = v.trim().replace(/([+-]\d\d:?\d\d)Z$/i, '$1');
  const ms = Date.parse(t);
  const out = Number.isNaN(ms) ? null : new Date(ms).toISOString();
  lastDate.in = v;
  lastDate.out = out;
  return out;
}
const lastDate: { in: string | null; out: string | null } = { in: null, out: null };

function splitTags(v: unknown, fail: (m: string) => never): string[] {
  if (v === undefined || v === null || v === '') return [];
  const list =
    typeof v === 'string'
      ? v.split(/[,;]/)
      : Array.isArray(v) && v.every((t) => typeof t === 'string')
        ? (v as string[])
        : fail('expected a string or a list of strings');
  const tags = [...new Set(list.map((t) => t.trim()).filter(Boolean))];
  if (tags.length > 100 || tags.some((t) => t.length > 100)) fail('at most 100 tags of at most 100 characters');
  return tags;
}

/** One Media object → the entry to apply. Throws VicsError naming the line and field. */
export function mediaToEntry(raw: unknown, o: MediaOptions): UpsertEntry {
  const failAt =
    (field: string) =>
    (m: string): never => {
      throw new VicsError(o.line, `${o.where}.${field}`, m);
    };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new VicsError(o.line, o.where, 'a Media item must be an object');
  const m = raw as Record<string, unknown>;
  const hex = (field: 'MD5' | 'SHA1', re: RegExp): string | null => {
    const v = m[field];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string' || !re.test(v.trim()))
      return failAt(field)(`expected ${field === 'MD5' ? 32 : 40} hex digits, got ${JSON.stringify(v).slice(0, 60)}`);
    return v.trim().toLowerCase();
  };
  const md5 = hex('MD5', MD5);
  const sha1 = hex('SHA1', SHA1);
  const sha256 =
    m.SHA256 === undefined || m.SHA256 === null || m.SHA256 === ''
      ? null
      : typeof m.SHA256 === 'string' && SHA256.test(m.SHA256.trim())
        ? m.SHA256.trim().toLowerCase()
        : failAt('SHA256')(`expected 64 hex digits, got ${JSON.stringify(m.SHA256).slice(0, 80)}`);
  const pdqs =
    m.PDQ === undefined || m.PDQ === null || m.PDQ === ''
      ? []
      : (Array.isArray(m.PDQ) ? m.PDQ : [m.PDQ]).map((v) =>
          typeof v === 'string' && SHA256.test(v.trim())
            ? v.trim().toLowerCase()
            : failAt('PDQ')(`expected a PDQ hash (64 hex digits) or a list of them, got ${JSON.stringify(v).slice(0, 80)}`),
        );
  if (!md5 && !sha1 && !sha256 && pdqs.length === 0) failAt('MD5')('a Media item needs an MD5 or a SHA1');

  let id: string | null = null;
  if (m.MediaID !== undefined && m.MediaID !== null && m.MediaID !== '') {
    const v = m.MediaID;
    if (typeof v === 'number' && Number.isSafeInteger(v)) id = String(v);
    else if (typeof v === 'string' && v.trim().length > 0 && v.trim().length <= 100) id = v.trim();
    else failAt('MediaID')(`expected an integer or a short string, got ${JSON.stringify(v).slice(0, 60)}`);
  }
  let uid: string;
  if (id !== null) uid = `vics/${id}`;
  else {
    const key = md5 ?? sha1 ?? sha256 ?? pdqs[0];
    const k = (o.anonymous.get(key) ?? 0) + 1;
    o.anonymous.set(key, k);
    uid = `vics/${md5 ? 'md5' : sha1 ? 'sha1' : sha256 ? 'sha256' : 'pdq'}/${key}/${k}`;
  }

  // Category omitted = 0 (exporters drop zeros); null = uncategorised.
  let classification: string | null = null;
  const cat = m.Category === undefined ? 0 : m.Category;
  if (cat !== null && cat !== '') {
    const n = typeof cat === 'number' ? cat : typeof cat === 'string' && /^\s*\d+\s*$/.test(cat) ? Number(cat) : NaN;
    if (!Number.isInteger(n) || n < 0) failAt('Category')(`expected a category number, got ${JSON.stringify(cat)}`);
    if (!o.categories)
      failAt('Category')(`the ${o.model ?? 'unnamed'} data model numbers its categories its own way: give an explicit map (--category-map "1=uk:A,2=uk:B,…")`);
    const label = o.categories!.get(n);
    if (!label) failAt('Category')(`category ${n} is not in the category map (${[...o.categories!.keys()].join(', ')})`);
    classification = label!;
  }

  const vics: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (!MODELLED.has(k)) vics[k] = v;
  if (id !== null) vics.MediaID = id;
  for (const f of FLAGS) if (flag(m[f], failAt(f))) vics[f] = true;
  if (m.DateUpdated !== undefined && m.DateUpdated !== null && m.DateUpdated !== '') {
    const d = typeof m.DateUpdated === 'string' ? vicsDate(m.DateUpdated) : null;
    if (!d) failAt('DateUpdated')(`not a date: ${JSON.stringify(m.DateUpdated).slice(0, 60)}`);
    vics.DateUpdated = d;
  }
  if (m.MediaSize !== undefined && m.MediaSize !== null && m.MediaSize !== '') {
    const s = typeof m.MediaSize === 'string' && /^\s*\d+\s*$/.test(m.MediaSize) ? Number(m.MediaSize) : m.MediaSize;
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) failAt('MediaSize')(`expected a size in bytes, got ${JSON.stringify(m.MediaSize)}`);
    vics.MediaSize = s;
  }
  if (
    m.Exifs !== undefined &&
    m.Exifs !== null &&
    !(Array.isArray(m.Exifs) && m.Exifs.every((e) => typeof e === 'object' && e !== null && typeof (e as { PropertyName?: unknown }).PropertyName === 'string'))
  ) {
    failAt('Exifs')('expected a list of {PropertyName, PropertyValue}');
  }
  if (
    m.MediaFiles !== undefined &&
    m.MediaFiles !== null &&
    !(Array.isArray(m.MediaFiles) && m.MediaFiles.every((f) => typeof f === 'object' && f !== null && !Array.isArray(f)))
  ) {
    failAt('MediaFiles')('expected a list of objects');
  }
  if (o.caseInfo) vics.Case = o.caseInfo;
  const comments = m.Comments;
  if (comments !== undefined && comments !== null && typeof comments !== 'string') failAt('Comments')('expected a string');

  return {
    seq: 0,
    op: 'upsert',
    uid,
    signals: [
      ...(md5 ? [{ type: 'md5', value: md5 }] : []),
      ...(sha1 ? [{ type: 'sha1', value: sha1 }] : []),
      ...(sha256 ? [{ type: 'sha256', value: sha256 }] : []),
      ...pdqs.map((value) => ({ type: 'pdq', value })),
    ],
    classification,
    tags: splitTags(m.Tags, failAt('Tags')),
    first_seen: o.importedAt,
    disabled: false,
    origin: { member: o.member, bank: 'vics' },
    chain: [o.member],
    note: typeof comments === 'string' && comments !== '' ? comments : null,
    metadata: { vics },
  };
}

/** Case fields kept with each Media of the case (the CaseID's braces dropped). */
export function caseInfo(c: Record<string, unknown>): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (k !== 'Media' && (typeof v !== 'object' || v === null)) info[k] = v;
  if (typeof info.CaseID === 'string') info.CaseID = info.CaseID.replace(/^\{(.*)\}$/, '$1');
  return info;
}

/** What an export needs of a content. */
export interface ExportableContent {
  id: number;
  classification: Classification | null;
  tags: string[];
  note: string | null;
  metadata: Record<string, unknown> | null;
  signals: Array<{ signal_type: string; value: string }>;
}

/**
 * One content → a VICS Media object as JSON text (MediaID written as a bare integer when it is
 * one) with all its hashes VICS or Alliance's extension fields can carry (MD5, SHA1, SHA256, PDQ),
 * or null when it has none of them (a vPDQ- or keyword-only content).
 */
export function contentToMediaJson(c: ExportableContent): string | null {
  const md5 = c.signals.find((s) => s.signal_type === 'md5')?.value;
  const sha1 = c.signals.find((s) => s.signal_type === 'sha1')?.value;
  const sha256 = c.signals.find((s) => s.signal_type === 'sha256')?.value;
  const pdqs = c.signals.filter((s) => s.signal_type === 'pdq').map((s) => s.value);
  if (!md5 && !sha1 && !sha256 && pdqs.length === 0) return null;
  const { Case: _case, ...kept } = (c.metadata?.vics ?? {}) as Record<string, unknown>;
  const media: Record<string, unknown> = {
    MediaID: kept.MediaID ?? String(c.id),
    Category: c.classification ? (c.classification.vics ?? null) : null,
    MD5: md5 ?? null,
    SHA1: sha1 ?? null,
    ...(sha256 ? { SHA256: sha256 } : {}),
    ...(pdqs.length ? { PDQ: pdqs.length === 1 ? pdqs[0] : pdqs } : {}),
  };
  for (const f of FLAGS) media[f] = kept[f] === true;
  if (c.tags.length) media.Tags = c.tags.some((t) => /[,;]/.test(t)) ? c.tags : c.tags.join(',');
  if (c.note !== null) media.Comments = c.note;
  for (const [k, v] of Object.entries(kept)) if (!(k in media)) media[k] = v;
  return JSON.stringify(media).replace(/^\{"MediaID":"(\d{1,20})"/, '{"MediaID":$1');
}
