/**
 * Exchange files in and out of a bank: VICS 2.0 JSON and NCMEC v2 XML imports, VICS and CSV
 * exports (CSV import lives with the banks, src/banks/import-csv.ts). Which format a file is, and
 * how it is imported, is the codec registry's (formats/codecs.ts); the readers and writers here
 * are keyed by its names.
 *
 * An import reads its files as a stream inside one transaction, applying entries in batches
 * (memory stays bounded); a bad item does not stop the reading — every error is collected (up to
 * 20, with line and field) — and any error rolls the whole import back: nothing is half-imported.
 * Items keep their identity (VICS MediaID, NCMEC member/kind/id), so importing a newer file
 * updates and deletes instead of duplicating.
 */
import { readFile, stat } from 'node:fs/promises';
import { classificationLabel } from '../banks/classification.js';
import type { BankService, ContentView } from '../banks/bank-service.js';
import { AllianceError } from '../errors/catalogue.js';
import { csvField } from '../hasher/output.js';
import type { Principal } from '../members/principal.js';
import { applyDeltas, type ApplyResult } from './apply-feed.js';
import { writeAtomically } from './formats/atomic-write.js';
import { JsonStreamError } from './formats/json-items.js';
import { NcmecError, parseNcmecPage } from './formats/ncmec.js';
import type { CategoryMap, VicsForm, VicsModel } from './formats/vics.js';
import { readVicsFile, writeVics } from './formats/vics-stream.js';
import type { Entry } from './page.js';
import { contentIdsByUid, type Tx } from '../store/index.js';

/** Contents per page of an export. */
const BATCH = 2000;
const MAX_ERRORS = 20;
/** NCMEC pages hold 1,000 entries; a file far larger than that is not a page. */
const MAX_NCMEC_FILE = 256 * 1024 * 1024;

export interface FileImportOptions {
  categories?: CategoryMap;
  model?: VicsModel;
  onProgress?: (items: number) => void;
  /**
   * Links imported contents to the series their items name (VICS `Series`), in the importing
   * transaction (SeriesService.linkNamed). Without it the names stay in the metadata only.
   */
  linkSeries?: (tx: Tx, links: Array<{ contentId: number; names: string[] }>) => Promise<{ created: number; linked: number }>;
  /** Called last inside the importing transaction with the report (a job marks itself done there: job-runner.ts). */
  finish?: (tx: Tx, report: FileImportReport) => Promise<void>;
}

export interface FileImportReport extends ApplyResult {
  items: number;
  /** Series created for names no series had, and content-to-series links added. */
  series: { created: number; linked: number };
  /** NCMEC entries with no fingerprint Alliance can match (MD5, SHA-1, PDQ). */
  unmatchable: number;
}

async function* ncmecBatches(paths: string[], member: string, report: FileImportReport): AsyncGenerator<Array<Entry | Error>> {
  for (const path of paths) {
    const size = (await stat(path)).size;
    if (size > MAX_NCMEC_FILE) throw new AllianceError('IMPORT_INVALID', `${path}: ${size} bytes is larger than an NCMEC page can be (${MAX_NCMEC_FILE})`);
    try {
      const page = parseNcmecPage(await readFile(path, 'utf8'), { member });
      report.unmatchable += page.unmatchable;
      // A file is refused for an invalid fingerprint (someone can correct it); an exchange drops the fingerprint instead.
      yield page.rejected.length ? page.rejected.map((r) => new Error(`${path}: line ${r.line}: ${r.message}`)) : page.entries;
    } catch (err) {
      if (!(err instanceof NcmecError)) throw err;
      yield [new Error(`${path}: ${err.message}`)];
    }
  }
}

async function* vicsBatches(paths: string[], member: string, opts: FileImportOptions): AsyncGenerator<Array<Entry | Error>> {
  for (const path of paths) {
    try {
      for await (const batch of readVicsFile(path, { member, categories: opts.categories, model: opts.model })) {
        yield batch.map((e) => (e instanceof Error ? new Error(`${path}: ${e.message}`) : e));
      }
    } catch (err) {
      if (err instanceof JsonStreamError) throw new AllianceError('IMPORT_INVALID', `nothing was imported: ${path}: ${err.message}`);
      throw err;
    }
  }
}

/** The series names each upserted item's VICS metadata gives (`Series`, several separated by ";"). */
function seriesNames(entries: Entry[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    if (e.op !== 'upsert') continue;
    const v = (e.metadata?.vics as { Series?: unknown } | undefined)?.Series;
    const names =
      typeof v === 'string'
        ? [
            ...new Set(
              v
                .split(';')
                .map((n) => n.trim())
                .filter((n) => n.length > 0 && n.length <= 200),
            ),
          ]
        : [];
    if (names.length) out.set(e.uid, names);
  }
  return out;
}

type EntryReader = (paths: string[], member: string, opts: FileImportOptions, report: FileImportReport) => AsyncGenerator<Array<Entry | Error>>;

/** The readers of the formats imported as items with an identity (codecs.ts, import 'entries'). */
export const ENTRY_READERS: Readonly<Record<string, EntryReader>> = {
  vics: (paths, member, opts) => vicsBatches(paths, member, opts),
  ncmec: (paths, member, _opts, report) => ncmecBatches(paths, member, report),
};

/** Imports files of an 'entries' format (VICS, NCMEC) into a bank, all or nothing. */
export async function importExchangeFiles(
  banks: BankService,
  actor: Principal,
  bankName: string,
  format: string,
  paths: string[],
  opts: FileImportOptions = {},
): Promise<FileImportReport> {
  const read = ENTRY_READERS[format];
  if (!read) throw new AllianceError('VALIDATION', `${format} files are not imported as items (formats that are: ${Object.keys(ENTRY_READERS).join(', ')})`);
  const report: FileImportReport = { items: 0, added: 0, updated: 0, deleted: 0, unmatchable: 0, series: { created: 0, linked: 0 } };
  const member = actor.memberName ?? 'local';
  return banks.bulkWrite(actor, bankName, 'content.import', { format, files: paths }, async (tx, bank, dialect) => {
    const errors: string[] = [];
    const source = read(paths, member, opts, report);
    for await (const batch of source) {
      const entries: Entry[] = [];
      for (const e of batch) {
        if (!(e instanceof Error)) entries.push(e);
        else if (errors.push(e.message) >= MAX_ERRORS) break;
      }
      if (errors.length >= MAX_ERRORS) break;
      report.items += entries.length;
      // After the first error nothing more is written (it will all roll back); reading goes on to list the others.
      if (errors.length === 0 && entries.length) {
        const r = await applyDeltas(tx, dialect, bank.id, null, entries);
        report.added += r.added;
        report.updated += r.updated;
        report.deleted += r.deleted;
        if (opts.linkSeries) {
          const named = seriesNames(entries);
          if (named.size) {
            const ids = await contentIdsByUid(tx, bank.id, [...named.keys()]);
            const links = [...named].flatMap(([uid, names]) => (ids.has(uid) ? [{ contentId: ids.get(uid)!, names }] : []));
            const l = await opts.linkSeries(tx, links);
            report.series.created += l.created;
            report.series.linked += l.linked;
          }
        }
        opts.onProgress?.(report.items);
      }
    }
    if (errors.length) {
      throw new AllianceError(
        'IMPORT_INVALID',
        `nothing was imported; fix ${errors.length >= MAX_ERRORS ? 'these (and perhaps more)' : 'these'}:\n  ${errors.join('\n  ')}`,
      );
    }
    await opts.finish?.(tx, report);
    return report;
  });
}

/** A bank's contents, page by page (the export's source). */
async function* contentPages(banks: BankService, actor: Principal, bankName: string, onProgress?: (n: number) => void): AsyncGenerator<ContentView[]> {
  let afterId: number | undefined;
  let n = 0;
  for (;;) {
    const page = await banks.listContent(actor, bankName, { limit: BATCH, afterId });
    if (page.length === 0) return;
    yield page;
    n += page.length;
    onProgress?.(n);
    afterId = page[page.length - 1].id;
  }
}

/** One row per signal; `content` says which rows are one content (import groups them again). */
export const CSV_EXPORT_HEADER = 'signal_type,signal,classification,tags,note,content';

async function writeCsv(path: string, pages: AsyncIterable<ContentView[]>): Promise<{ written: number; skipped: number }> {
  return writeAtomically(path, async (write) => {
    let written = 0;
    await write(`${CSV_EXPORT_HEADER}\n`);
    for await (const page of pages) {
      let text = '';
      for (const c of page) {
        const classification = c.classification ? classificationLabel(c.classification) : '';
        for (const s of c.signals) text += `${[s.signal_type, s.value, classification, c.tags.join(';'), c.note ?? '', c.id].map(csvField).join(',')}\n`;
        written++;
      }
      await write(text);
    }
    return { written, skipped: 0 };
  });
}

export interface ExportOptions {
  form?: VicsForm;
  caseNumber?: string;
  onProgress?: (contents: number) => void;
}

/** Writes a bank to a file (replaced only when complete); contents VICS cannot carry are counted as skipped. */
type BankWriter = (path: string, pages: AsyncIterable<ContentView[]>, opts: ExportOptions) => Promise<{ written: number; skipped: number }>;

/** The writers of the formats `alliance export` writes (codecs.ts, exports). */
export const BANK_WRITERS: Readonly<Record<string, BankWriter>> = {
  vics: (path, pages, opts) => writeVics(path, pages, { form: opts.form, caseNumber: opts.caseNumber }),
  csv: (path, pages) => writeCsv(path, pages),
};

export async function exportBankFile(
  banks: BankService,
  actor: Principal,
  bankName: string,
  format: string,
  path: string,
  opts: ExportOptions = {},
): Promise<{ written: number; skipped: number }> {
  const write = BANK_WRITERS[format];
  if (!write) throw new AllianceError('VALIDATION', `${format} files are not written by export (formats that are: ${Object.keys(BANK_WRITERS).join(', ')})`);
  return write(path, contentPages(banks, actor, bankName, opts.onProgress), opts);
}
