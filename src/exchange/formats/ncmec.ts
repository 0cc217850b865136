/**
 * NCMEC hash-sharing API v2 entries (`queryResult` pages, REFERENCE.md §5): images, videos and
 * their deletions. An entry's identity is (member, kind, id) — the same key NCMEC's feedback URL
 * uses — so a later page's version of an entry updates it and a deletion removes it. MD5, SHA-1
 * and PDQ fingerprints become signals, the industry classification (A1…B2) becomes the
 * classification; the contributing member, the other fingerprints (PhotoDNA, NetClean, …) and
 * the feedback are kept in the content's metadata.
 *
 * Pages are read in one strict pass (strict-xml.ts): documents with a DOCTYPE or entity
 * declarations are refused (no external entities, no entity expansion), malformed XML is refused
 * with its line and column. An MD5, SHA-1 or PDQ value that is not one (a PDQ that is not 64 hex
 * digits) is dropped from its entry and reported in `rejected` with its line, rather than
 * refusing the page: one odd entry must not block an exchange for ever. The entry keeps its
 * other fingerprints (with none left it is counted unmatchable, like any entry without one).
 */
import type { Entry, UpsertEntry } from '../page.js';
import { parseStrictXml, XmlError } from './strict-xml.js';

export const NCMEC_ORIGIN = 'NCMEC';

export class NcmecError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

type Node = Record<string, unknown>;

const SIGNAL_FINGERPRINTS: Record<string, { type: string; re: RegExp }> = {
  md5: { type: 'md5', re: /^[0-9a-fA-F]{32}$/ },
  sha1: { type: 'sha1', re: /^[0-9a-fA-F]{40}$/ },
  pdq: { type: 'pdq', re: /^[0-9a-fA-F]{64}$/ },
};
const CLASSIFICATIONS = new Set(['A1', 'A2', 'B1', 'B2']);
const KINDS = [
  { list: 'images', item: 'image', deleted: 'deletedImage', kind: 'image' },
  { list: 'videos', item: 'video', deleted: 'deletedVideo', kind: 'video' },
] as const;

const ARRAYS = new Set(['image', 'video', 'deletedImage', 'deletedVideo', 'member', 'reason', 'affirmativeFeedback', 'negativeFeedback']);
const isArray = (name: string) => ARRAYS.has(name);

/**
 * An NCMEC document read strictly (strict-xml.ts), its problems as NcmecError with their line:
 * declarations (DOCTYPE, ENTITY) are named as such, anything else is malformed XML.
 */
export function readNcmecXml(text: string): Record<string, unknown> {
  try {
    return parseStrictXml(text, { isArray });
  } catch (err) {
    if (!(err instanceof XmlError)) throw err;
    if (err.reason.startsWith('<!')) throw new NcmecError(err.line, err.reason);
    throw new NcmecError(err.line, `malformed XML: ${err.reason} (column ${err.column})`);
  }
}

const lineAt = (text: string, index: number) => (index < 0 ? 1 : text.slice(0, index).split('\n').length);

const textOf = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim();
  if (v && typeof v === 'object' && typeof (v as Node)['#text'] === 'string') return ((v as Node)['#text'] as string).trim();
  return undefined;
};

export interface NcmecPage {
  entries: Entry[];
  /** Entries with no fingerprint Alliance can match (kept out, counted). */
  unmatchable: number;
  /** MD5, SHA-1 and PDQ values dropped from their entries because they are not valid ones: where and why. */
  rejected: Array<{ line: number; message: string }>;
  next: string | null;
}

/** Parses one queryResult page. Throws NcmecError with the line of the problem. */
export function parseNcmecPage(text: string, opts: { member: string }): NcmecPage {
  const doc = readNcmecXml(text);
  const root = doc.queryResult as Node | undefined;
  if (!root || typeof root !== 'object') throw new NcmecError(1, 'not an NCMEC queryResult document');
  const entries: Entry[] = [];
  let unmatchable = 0;
  const rejected: NcmecPage['rejected'] = [];
  /** The line of an entry, found by its id (the parser does not keep positions); counted on from the previous entry. */
  let searchFrom = 0;
  let lineOfSearch = 1;
  const locate = (id: string) => {
    const at = text.indexOf(`<id>${id}</id>`, searchFrom);
    if (at < 0) return lineOfSearch;
    for (let i = text.indexOf('\n', searchFrom); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) lineOfSearch++;
    searchFrom = at;
    return lineOfSearch;
  };
  for (const k of KINDS) {
    const list = root[k.list] as Node | string | undefined;
    if (list === undefined || list === '') continue;
    if (typeof list !== 'object') throw new NcmecError(lineAt(text, text.indexOf(`<${k.list}`)), `<${k.list}> must contain <${k.item}> elements`);
    for (const raw of (list[k.item] as Node[] | undefined) ?? []) {
      const e = entryOf(raw, k.kind, opts, locate, rejected);
      if (e) entries.push(e);
      else unmatchable++;
    }
    for (const raw of (list[k.deleted] as Node[] | undefined) ?? []) {
      const { memberId, id } = keyOf(raw, k.deleted, locate);
      entries.push({ seq: 0, op: 'delete', uid: uidOf(memberId, k.kind, id) });
    }
  }
  const paging = root.paging as Node | undefined;
  return { entries, unmatchable, rejected, next: (paging && textOf(paging.next)) || null };
}

/** NCMEC's feedback type (the `<TYPE>` of the feedback URL: MD5, SHA1, PDQ) of an Alliance signal type this format yields; null for others. */
export function feedbackTypeOf(signalType: string): string | null {
  for (const [element, f] of Object.entries(SIGNAL_FINGERPRINTS)) if (f.type === signalType) return element.toUpperCase().replace(/-/g, '_');
  return null;
}

export const uidOf = (memberId: string, kind: string, id: string) => `ncmec/${memberId}/${kind}/${id}`;

function keyOf(raw: Node, element: string, locate: (id: string) => number): { memberId: string; memberName: string; id: string; line: number } {
  const id = textOf(raw.id);
  if (!id) throw new NcmecError(locate('\u0000'), `a <${element}> without an <id>`);
  const line = locate(id);
  const member = (raw.member as Node[] | undefined)?.[0];
  const memberId = member ? String(member['@id'] ?? '').trim() : '';
  if (!memberId) throw new NcmecError(line, `<${element}> ${id}: <member id="…"> is missing`);
  return { memberId, memberName: textOf(member) ?? '', id, line };
}

function entryFailure(line: number, kind: string, id: string, m: string): never {
  throw new NcmecError(line, `${kind} ${id}: ${m}`);
}

function entryOf(raw: Node, kind: string, opts: { member: string }, locate: (id: string) => number, rejected: NcmecPage['rejected']): UpsertEntry | null {
  const { memberId, memberName, id, line } = keyOf(raw, kind, locate);
  const timestamp = textOf(raw.timestamp);
  const time = timestamp ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(time)) entryFailure(line, kind, id, `<timestamp> is missing or not a date (${JSON.stringify(timestamp ?? '')})`);
  const classification = textOf(raw.classification);
  if (classification && !CLASSIFICATIONS.has(classification.toUpperCase()))
    entryFailure(line, kind, id, `unknown classification ${JSON.stringify(classification)} (expected A1, A2, B1 or B2)`);
  const fingerprints = (raw.fingerprints ?? {}) as Node;
  if (typeof fingerprints !== 'object') entryFailure(line, kind, id, '<fingerprints> must contain fingerprint elements');
  const signals: UpsertEntry['signals'] = [];
  // No prototype: a fingerprint element may be named anything, __proto__ too.
  const others: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(fingerprints)) {
    const value = fingerprints[name];
    // An oversized fingerprint (TMK, Videntifier) arrives empty with a link to fetch it by: kept as the link.
    const href = value && typeof value === 'object' && (value as Node)['#text'] === undefined ? (value as Node)['@href'] : undefined;
    if (typeof href === 'string') {
      others[name] = `href:${href.trim()}`;
      continue;
    }
    const v = textOf(value);
    if (v === undefined) entryFailure(line, kind, id, `fingerprint <${name}> must be text`);
    const lower = name.toLowerCase();
    const known = Object.hasOwn(SIGNAL_FINGERPRINTS, lower) ? SIGNAL_FINGERPRINTS[lower] : undefined;
    if (!known) {
      others[name] = v!;
      continue;
    }
    if (!known.re.test(v!)) {
      rejected.push({ line, message: `${kind} ${id.slice(0, 100)}: fingerprint <${name}> is not a valid ${known.type} (${JSON.stringify(v!.slice(0, 70))})` });
      continue;
    }
    signals.push({ type: known.type, value: v!.toLowerCase() });
  }
  if (signals.length === 0) return null;
  const metadata: Record<string, unknown> = { member: { id: memberId, name: memberName }, kind, id, timestamp };
  if (Object.keys(others).length) metadata.fingerprints = { ...others };
  if (raw.feedback && typeof raw.feedback === 'object') metadata.feedback = raw.feedback;
  return {
    seq: 0,
    op: 'upsert',
    uid: uidOf(memberId, kind, id),
    signals,
    classification: classification ? `industry:${classification.toUpperCase()}` : null,
    tags: [],
    first_seen: new Date(time).toISOString(),
    disabled: false,
    origin: { member: NCMEC_ORIGIN, bank: `member:${memberId}` },
    chain: [NCMEC_ORIGIN, opts.member],
    note: null,
    metadata: { ncmec: metadata },
  };
}
