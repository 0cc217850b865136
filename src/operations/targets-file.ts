/**
 * Target files: an operation's targets in bulk, as a seized board's user table is exported — CSV
 * with a header, a JSON array (or `{"targets": […]}`), or JSON lines. One target per record:
 *
 *   ref (required, unique in the file), username, email, ip, account_country, payment_ref,
 *   device_id, hashes
 *
 * Fields that hold several values separate them with `;` or `|` (CSV) or are arrays (JSON). An IP
 * is `address` or `address@ISO-time` (JSON: `{"ip", "at"}` too); a hash is `type:value` or a bare
 * value whose type is recognised (32 hex: MD5, 64 hex: PDQ …). Every identifier is normalised as
 * deconfliction does (cases/targets.ts), so the same account written twice is one. Any bad record
 * refuses the whole file, naming the line and the field: an import is all or nothing.
 */
import { nfkc, normaliseTarget } from '../cases/targets.js';
import { AllianceError } from '../errors/catalogue.js';
import { parseCsv } from '../exchange/index.js';
import { isCountryCode } from '../geo/countries.js';
import { parseIsoTime } from '../time/iso-time.js';

export interface IpEvent {
  ip: string;
  /** When the address was used (ISO 8601), when the file says. */
  at: string | null;
}

export interface TargetIdentifiers {
  usernames: string[];
  emails: string[];
  ips: IpEvent[];
  account_country: string | null;
  payment_refs: string[];
  device_ids: string[];
  /** Content the target shared, as hashes only: `type:value` normalised. */
  hashes: string[];
}

/** A stored target's identifiers (JSON text), read back; a row without them has none. */
export function parseIdentifiers(text: string): TargetIdentifiers {
  try {
    return JSON.parse(text) as TargetIdentifiers;
  } catch {
    return { usernames: [], emails: [], ips: [], account_country: null, payment_refs: [], device_ids: [], hashes: [] };
  }
}

export interface TargetRecord {
  ref: string;
  /** Where it starts in the file (for errors). */
  line: number;
  identifiers: TargetIdentifiers;
}

export const TARGET_FIELDS = ['ref', 'username', 'email', 'ip', 'account_country', 'payment_ref', 'device_id', 'hashes'] as const;
type Field = (typeof TARGET_FIELDS)[number];

/** At most this many targets in one file, and this many values in one field. */
export const MAX_TARGETS = 2_000_000;
const MAX_VALUES = 200;

const invalid = (line: number, why: string) => new AllianceError('OPERATION_INVALID', `line ${line}: ${why}`);

/** A field's values: a string split on ; or |, an array of strings (or of {ip, at} for ip), or nothing. */
function values(raw: unknown, field: Field, line: number): unknown[] {
  if (raw === undefined || raw === null || raw === '') return [];
  // One value (most fields of most records): no split.
  if (typeof raw === 'string' && raw.indexOf(';') < 0 && raw.indexOf('|') < 0) return raw.trim() === '' ? [] : [raw];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[;|]/) : [raw];
  const kept = list.filter((v) => !(typeof v === 'string' && v.trim() === ''));
  if (kept.length > MAX_VALUES) throw invalid(line, `${field}: at most ${MAX_VALUES} values`);
  return kept;
}

function text(v: unknown, field: Field, line: number, max = 500): string {
  if (typeof v !== 'string' && typeof v !== 'number') throw invalid(line, `${field}: a text value, not ${JSON.stringify(v)?.slice(0, 40)}`);
  const s = nfkc(String(v)).trim();
  if (s.length > max) throw invalid(line, `${field}: at most ${max} characters`);
  return s;
}

function normalised(kind: 'username' | 'email' | 'ip' | 'device' | 'hash', v: string, field: Field, line: number): string {
  try {
    return normaliseTarget(kind, v);
  } catch (err) {
    throw invalid(line, `${field}: ${(err as Error).message.replace(/^\w+: /, '')}`);
  }
}

function ipEvent(v: unknown, line: number): IpEvent {
  let ip: string;
  let at: string | null = null;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as { ip?: unknown; at?: unknown };
    ip = text(o.ip, 'ip', line, 100);
    if (o.at !== undefined && o.at !== null) at = text(o.at, 'ip', line, 40);
  } else {
    const s = text(v, 'ip', line, 150);
    // address@time; an IPv6 address has no @, so the last @ splits
    const sep = s.lastIndexOf('@');
    [ip, at] = sep > 0 ? [s.slice(0, sep).trim(), s.slice(sep + 1).trim()] : [s, null];
  }
  if (at !== null) {
    const t = parseIsoTime(at);
    if (t === null || t === undefined) throw invalid(line, `ip: "${at.slice(0, 40)}" is not an ISO 8601 time (address@2026-01-31T12:00:00Z)`);
    at = new Date(t).toISOString();
  }
  return { ip: normalised('ip', ip, 'ip', line), at };
}

/** One target from a record's fields (CSV header → value, or a JSON object). */
export function targetOf(fields: Record<string, unknown>, line: number): TargetRecord {
  const ref = text(fields.ref, 'ref', line, 200);
  if (!ref) throw invalid(line, 'ref: every target needs its reference (the board user id, …)');
  const country = fields.account_country === undefined || fields.account_country === null ? '' : text(fields.account_country, 'account_country', line, 10);
  if (country && !isCountryCode(country.toUpperCase())) throw invalid(line, `account_country: "${country}" is not an ISO 3166-1 alpha-2 code`);
  const unique = (xs: string[]) => [...new Set(xs)];
  const ips = new Map<string, IpEvent>();
  for (const e of values(fields.ip, 'ip', line).map((v) => ipEvent(v, line))) ips.set(`${e.ip}@${e.at ?? ''}`, e);
  return {
    ref,
    line,
    identifiers: {
      usernames: unique(values(fields.username, 'username', line).map((v) => normalised('username', text(v, 'username', line), 'username', line))),
      emails: unique(values(fields.email, 'email', line).map((v) => normalised('email', text(v, 'email', line), 'email', line))),
      ips: [...ips.values()],
      account_country: country ? country.toUpperCase() : null,
      payment_refs: unique(values(fields.payment_ref, 'payment_ref', line).map((v) => text(v, 'payment_ref', line, 200))),
      device_ids: unique(values(fields.device_id, 'device_id', line).map((v) => normalised('device', text(v, 'device_id', line), 'device_id', line))),
      hashes: unique(values(fields.hashes, 'hashes', line).map((v) => normalised('hash', text(v, 'hashes', line, 600), 'hashes', line))),
    },
  };
}

/** Which of the formats a file's text is, from its first character: JSON array/object, else CSV. */
function kindOf(first: string): 'json' | 'csv' {
  return first === '[' || first === '{' ? 'json' : 'csv';
}

/** A record's fields (CSV header → value, or a JSON object) made into what the reader wants, at `line`. */
type Build<T> = (fields: Record<string, unknown>, line: number) => T;

/** A target file's records, in the format its first non-blank character says (JSON, else CSV). */
async function* fileRecords<T>(chunks: AsyncIterable<string>, build: Build<T>): AsyncGenerator<T> {
  // Peek at the first non-blank character to pick the format, then read on.
  const iterator = chunks[Symbol.asyncIterator]();
  let head = '';
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    head += next.value;
    if (head.replace(/^\uFEFF/, '').trimStart() !== '') break;
  }
  const body = head.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw invalid(1, 'the file is empty');
  const rest: AsyncIterable<string> = {
    async *[Symbol.asyncIterator]() {
      yield body;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    },
  };
  yield* kindOf(body.trimStart()[0]) === 'json' ? readJson(rest, build) : readCsv(rest, build);
}

/**
 * Reads a target file's text chunks into targets, one at a time, checking every record (and that
 * no reference is given twice); throws OPERATION_INVALID naming the line at the first problem. The
 * caller decides what "nothing is imported" means (operation-service.ts reads the file twice:
 * its shared hashes first, then every target, written in one transaction).
 */
export async function* targetRecords(chunks: AsyncIterable<string>): AsyncGenerator<TargetRecord> {
  const refs = new Map<string, number>();
  let count = 0;
  for await (const t of fileRecords(chunks, targetOf)) {
    const seen = refs.get(t.ref);
    if (seen !== undefined) throw invalid(t.line, `ref "${t.ref.slice(0, 80)}" is given twice (first on line ${seen})`);
    if (++count > MAX_TARGETS) throw invalid(t.line, `more than ${MAX_TARGETS.toLocaleString('en')} targets in one file: split it`);
    refs.set(t.ref, t.line);
    yield t;
  }
  if (count === 0) throw invalid(1, 'no targets in the file');
}

/**
 * The content hashes a target file's records give, normalised, one record's at a time — a quick
 * first reading that checks only the file's shape: a hash that does not normalise is passed over
 * here and refused, naming its line, by the full reading (targetRecords).
 */
export async function* sharedHashes(chunks: AsyncIterable<string>): AsyncGenerator<string[]> {
  yield* fileRecords(chunks, (fields, line) => {
    const out: string[] = [];
    for (const v of values(fields.hashes, 'hashes', line)) {
      try {
        out.push(normaliseTarget('hash', text(v, 'hashes', line, 600)));
      } catch {
        // refused by the full reading
      }
    }
    return out;
  });
}

/** Every target of a file (small files; imports stream through targetRecords). */
export async function readTargets(chunks: AsyncIterable<string>): Promise<TargetRecord[]> {
  const out: TargetRecord[] = [];
  for await (const t of targetRecords(chunks)) out.push(t);
  return out;
}

async function* readCsv<T>(chunks: AsyncIterable<string>, build: Build<T>): AsyncGenerator<T> {
  let header: string[] | undefined;
  try {
    for await (const rec of parseCsv(chunks)) {
      if (!header) {
        header = rec.fields.map((f) => f.trim().toLowerCase());
        const unknown = header.filter((h) => !(TARGET_FIELDS as readonly string[]).includes(h));
        if (unknown.length)
          throw invalid(rec.line, `unknown column ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')} (columns: ${TARGET_FIELDS.join(', ')})`);
        if (!header.includes('ref')) throw invalid(rec.line, 'the header needs a ref column');
        continue;
      }
      if (rec.fields.length === 1 && rec.fields[0].trim() === '') continue; // a blank line
      if (rec.fields.length !== header.length) throw invalid(rec.line, `${rec.fields.length} fields, the header has ${header.length}`);
      const fields: Record<string, unknown> = {};
      for (let i = 0; i < header.length; i++) fields[header[i]] = rec.fields[i];
      yield build(fields, rec.line);
    }
  } catch (err) {
    if (err instanceof AllianceError) throw err;
    throw new AllianceError('OPERATION_INVALID', `malformed CSV: ${(err as Error).message}`);
  }
}

/** At most this much JSON text (a JSON document is parsed whole; larger target sets come as CSV or JSON lines). */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** A JSON target's fields, refused when it has one this format does not know (a typo would lose evidence silently). */
function known(o: Record<string, unknown>, line: number, where: string): Record<string, unknown> {
  const unknown = Object.keys(o).filter((k) => !(TARGET_FIELDS as readonly string[]).includes(k));
  if (unknown.length)
    throw invalid(line, `${where}unknown field ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')} (fields: ${TARGET_FIELDS.join(', ')})`);
  return o;
}

async function* readJson<T>(chunks: AsyncIterable<string>, build: Build<T>): AsyncGenerator<T> {
  let all = '';
  for await (const c of chunks) {
    all += c;
    if (all.length > MAX_JSON_BYTES) throw invalid(1, `a JSON document over ${MAX_JSON_BYTES / 1024 / 1024} MB: give the targets as JSON lines or CSV`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(all);
  } catch {
    doc = undefined;
  }
  if (doc === undefined) {
    // JSON lines: one object per line.
    const lines = all.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.trim() === '') continue;
      let o: unknown;
      try {
        o = JSON.parse(l);
      } catch (err) {
        throw invalid(i + 1, `not JSON (${(err as Error).message.slice(0, 100)})`);
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw invalid(i + 1, 'each line is one target object');
      yield build(known(o as Record<string, unknown>, i + 1, ''), i + 1);
    }
    return;
  }
  const list = Array.isArray(doc) ? doc : (doc as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(list)) throw invalid(1, 'a JSON target file is an array of targets, or {"targets": [...]}');
  for (let i = 0; i < list.length; i++) {
    const o: unknown = list[i];
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw invalid(1, `targets[${i}] is not an object`);
    yield build(known(o as Record<string, unknown>, 1, `targets[${i}]: `), 1);
  }
}
