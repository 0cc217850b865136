/**
 * Exchange files in and out of a bank: VICS 2.0 JSON and NCMEC v2 XML imports, VICS and CSV
 * exports (CSV import lives with the banks, src/banks/import-csv.ts).
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

export type ImportFormat = 'csv' | 'jsonl' | 'vics' | 'ncmec';
export type ExportFormat = 'csv' | 'vics';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['csv', 'jsonl', 'vics', 'ncmec'];
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'vics'];

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
}

export interface FileImportReport extends ApplyResult {
  items: number;
  /** Series created for names no series had, and content-to-series links added. */
  series: { created: number; linked: number };
  /** NCMEC entries with no fingerprint Alliance can match (MD5, SHA-1, PDQ). */
  unmatchable: number;
}

/** Picks the format from the file name when not given. */
export function formatOf(path: string, given?: string): ImportFormat {
  if (given) {
    if (!(IMPORT_FORMATS as readonly string[]).includes(given))
      throw new AllianceError('VALIDATION', `unknown format "${given}" (known: ${IMPORT_FORMATS.join(', ')})`);
    return given as ImportFormat;
  }
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  if (/\.json$/i.test(path)) return 'vics';
  if (/\.xml$/i.test(path)) return 'ncmec';
  throw new AllianceError('VALIDATION', `cannot tell the format of ${path} from its name: pass --format ${IMPORT_FORMATS.join('|')}`);
}

async function* ncmecBatches(paths: string[], member: string, report: FileImportReport): AsyncGenerator<Array<Entry | Error>> {
  for (const path of paths) {
    const size = (await stat(path)).size;
    if (size > MAX_NCMEC_FILE) throw new AllianceError('IMPORT_INVALID', `${path}: ${size} bytes is larger than an NCMEC page can be (${MAX_NCMEC_FILE})`);
    try {
      const page = parseNcmecPage(await readFile(path, 'utf8'), { member });
      report.unmatchable += page.unmatchable;
      yield page.entries;
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

/** Imports VICS or NCMEC files into a bank, all or nothing. */
export async function importExchangeFiles(
  banks: BankService,
  actor: Principal,
  bankName: string,
  format: 'vics' | 'ncmec',
  paths: string[],
  opts: FileImportOptions = {},
): Promise<FileImportReport> {
  const report: FileImportReport = { items: 0, added: 0, updated: 0, deleted: 0, unmatchable: 0, series: { created: 0, linked: 0 } };
  const member = actor.memberName ?? 'local';
  return banks.bulkWrite(actor, bankName, 'content.import', { format, files: paths }, async (tx, bank, dialect) => {
    const errors: string[] = [];
    const source = format === 'vics' ? vicsBatches(paths, member, opts) : ncmecBatches(paths, member, report);
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
export async function exportBankFile(
  banks: BankService,
  actor: Principal,
  bankName: string,
  format: ExportFormat,
  path: string,
  opts: ExportOptions = {},
): Promise<{ written: number; skipped: number }> {
  const pages = contentPages(banks, actor, bankName, opts.onProgress);
  return format === 'vics' ? writeVics(path, pages, { form: opts.form, caseNumber: opts.caseNumber }) : writeCsv(path, pages);
}
