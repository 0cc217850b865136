/**
 * Importing signals from lists: the import CSV (header `signal_type,signal[,classification][,tags]
 * [,note][,content]`, tags separated by `;`), which is one content per row unless a `content`
 * column names which rows are one content (what `alliance export --format csv` writes); and the
 * output of `alliance hash` as it is — its CSV (`path,type,hash,…`) or its JSON Lines — one
 * content per file with all its hashes. The whole file is read and checked first — every error
 * with its line, up to 20 — and only a file without errors is stored, in one transaction. Files
 * the hasher could give no signal (unreadable, empty) are skipped and counted.
 */
import { createReadStream } from 'node:fs';
import { AllianceError } from '../errors/catalogue.js';
import { fileChunks, parseCsv } from '../exchange/index.js';
import { HashCsvGrouper, isHashCsvHeader, readHashJsonl, type HashedFile } from '../hasher/read-output.js';
import type { Principal } from '../members/principal.js';
import { getSignalType } from '../signals/index.js';
import { parseClassification } from './classification.js';
import type { BankService, ContentFields } from './bank-service.js';
import type { Tx } from '../store/index.js';
import { basename } from 'node:path';

export const IMPORT_COLUMNS = ['signal_type', 'signal', 'classification', 'tags', 'note', 'content'] as const;
const MAX_ERRORS = 20;

export interface ImportList {
  items: ContentFields[];
  /** Files of `alliance hash` output that carry no signal (the hasher could not read them). */
  skipped: number;
}

class Errors {
  readonly list: string[] = [];
  add(m: string): boolean {
    this.list.push(m);
    return this.list.length >= MAX_ERRORS;
  }
  throwIfAny(path: string): void {
    if (this.list.length)
      throw new AllianceError(
        'IMPORT_INVALID',
        `${path}: nothing was imported; fix ${this.list.length >= MAX_ERRORS ? `these (and perhaps more)` : 'these'}:\n  ${this.list.join('\n  ')}`,
      );
  }
}

/** One hashed file → one content (its signals checked), or null when it has none. */
function hashedContent(f: HashedFile): ContentFields | null {
  if (f.signals.length === 0) return null;
  const signals = f.signals.map((s) => {
    const type = getSignalType(s.type);
    return { signal_type: type.name, value: type.normalize(s.value), quality: s.quality };
  });
  // The same value twice (a symmetric image's variants) is one signal.
  const seen = new Set<string>();
  return {
    signals: signals.filter((s) => !seen.has(`${s.signal_type}:${s.value}`) && seen.add(`${s.signal_type}:${s.value}`)),
    classification: null,
    tags: [],
    note: null,
  };
}

function collectHashed(files: Iterable<HashedFile>, list: ImportList, errors: Errors): void {
  for (const f of files) {
    try {
      const c = hashedContent(f);
      if (c) list.items.push(c);
      else list.skipped++;
    } catch (err) {
      if (errors.add(`line ${f.line} (${f.path}): ${(err as Error).message}`)) return;
    }
  }
}

/** Whether a file holds JSON Lines (its first character, after a BOM and blanks, opens an object). */
async function looksLikeJsonLines(path: string): Promise<boolean> {
  for await (const chunk of createReadStream(path, { encoding: 'utf8', start: 0, end: 4095 })) {
    const t = (chunk as string).replace(/^\uFEFF/, '').trimStart();
    if (t) return t.startsWith('{');
  }
  return false;
}

async function readJsonl(path: string): Promise<ImportList> {
  const list: ImportList = { items: [], skipped: 0 };
  const errors = new Errors();
  const files: HashedFile[] = [];
  for await (const r of readHashJsonl(path)) {
    if (r instanceof Error) {
      if (errors.add(r.message)) break;
    } else files.push(r);
  }
  if (files.length === 0 && errors.list.length === 0) throw new AllianceError('IMPORT_INVALID', `${path}: the file holds no JSON line`);
  collectHashed(files, list, errors);
  errors.throwIfAny(path);
  return list;
}

/** Reads and checks one import file (CSV, `alliance hash` CSV or JSON Lines, told by its content). */
export async function readImportList(path: string): Promise<ImportList> {
  if (await looksLikeJsonLines(path)) return readJsonl(path);
  const list: ImportList = { items: [], skipped: 0 };
  const errors = new Errors();
  let columns: Map<string, number> | undefined;
  let hashed: HashCsvGrouper | undefined;
  const grouped = new Map<string, ContentFields>();
  try {
    for await (const { line, fields } of parseCsv(fileChunks(path))) {
      if (!columns) {
        columns = new Map(fields.map((f, i) => [f.trim().toLowerCase(), i]));
        if (isHashCsvHeader([...columns.keys()])) {
          hashed = new HashCsvGrouper();
          continue;
        }
        const unknown = [...columns.keys()].filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
        if (!columns.has('signal_type') || !columns.has('signal'))
          throw new AllianceError(
            'IMPORT_INVALID',
            `${path}: line ${line}: the header must name signal_type and signal (optional: classification, tags, note, content), or be the header of "alliance hash" output (${'path,type,hash,…'})`,
          );
        if (unknown.length) throw new AllianceError('IMPORT_INVALID', `${path}: line ${line}: unknown column(s) ${unknown.join(', ')}`);
        continue;
      }
      const get = (name: string) => {
        const i = columns!.get(name);
        return i === undefined ? '' : (fields[i] ?? '').trim();
      };
      try {
        // Rows of `alliance hash` before this fix had four fields where the header names six.
        if (fields.length !== columns.size && !(hashed && fields.length >= 3 && fields.length < columns.size))
          throw new Error(`expected ${columns.size} fields, got ${fields.length}`);
        if (hashed) {
          hashed.add(line, get);
          continue;
        }
        const type = getSignalType(get('signal_type'));
        const signal = { signal_type: type.name, value: type.normalize(get('signal')) };
        const classification = get('classification') || null;
        if (classification) parseClassification(classification);
        const tags = get('tags')
          ? get('tags')
              .split(';')
              .map((t) => t.trim())
              .filter(Boolean)
          : [];
        const key = get('content');
        const same = key ? grouped.get(key) : undefined;
        if (same) {
          if ((same.classification ?? null) !== classification)
            throw new Error(`content ${key} has another classification on an earlier row (${same.classification ?? 'none'})`);
          if (!same.signals.some((s) => s.signal_type === signal.signal_type && s.value === signal.value)) same.signals.push(signal);
          continue;
        }
        const item: ContentFields = { signals: [signal], classification, tags, note: get('note') || null };
        if (key) grouped.set(key, item);
        list.items.push(item);
      } catch (err) {
        if (errors.add(`line ${line}: ${(err as Error).message}`)) break;
      }
    }
  } catch (err) {
    if (err instanceof AllianceError) throw err;
    throw new AllianceError('IMPORT_INVALID', `${path}: ${(err as Error).message}`);
  }
  if (!columns) throw new AllianceError('IMPORT_INVALID', `${path}: the file is empty (it needs a header: signal_type,signal,classification,tags)`);
  if (hashed && errors.list.length === 0) collectHashed(hashed.result(), list, errors);
  errors.throwIfAny(path);
  return list;
}

/**
 * Reads and checks every CSV file, then stores them all into a bank (or none); returns how many
 * contents were added. `within` runs inside the storing transaction (see BankService.importContents).
 */
export async function importCsv(
  banks: BankService,
  actor: Principal,
  bank: string,
  paths: string | string[],
  within?: (tx: Tx, done: { contents: number; skipped: number }) => Promise<void>,
): Promise<{ contents: number; skipped: number }> {
  const files = typeof paths === 'string' ? [paths] : paths;
  const items: ContentFields[] = [];
  let skipped = 0;
  for (const path of files) {
    const list = await readImportList(path);
    for (const item of list.items) items.push(item);
    skipped += list.skipped;
  }
  if (items.length === 0) return { contents: 0, skipped }; // no effects: nothing that could be applied twice
  const ids = await banks.importContents(
    actor,
    bank,
    items,
    `csv:${files.map((f) => basename(f)).join(',')}`,
    within && ((tx, ids) => within(tx, { contents: ids.length, skipped })),
  );
  return { contents: ids.length, skipped };
}
