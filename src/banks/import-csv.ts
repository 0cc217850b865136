/**
 * Importing signals from CSV: header `signal_type,signal[,classification][,tags][,note]`, one
 * content per row, tags separated by `;`. The whole file is read and checked first — every error
 * with its line, up to 20 — and only a file without errors is stored, in one transaction.
 */
import { AllianceError } from '../errors/catalogue.js';
import { fileChunks, parseCsv } from '../exchange/formats/csv.js';
import type { Principal } from '../members/principal.js';
import { getSignalType } from '../signals/registry.js';
import { parseClassification } from './classification.js';
import type { BankService, ContentFields } from './bank-service.js';
import type { Tx } from '../store/database.js';
import { basename } from 'node:path';

export const IMPORT_COLUMNS = ['signal_type', 'signal', 'classification', 'tags', 'note'] as const;
const MAX_ERRORS = 20;

export async function readImportCsv(path: string): Promise<ContentFields[]> {
  const items: ContentFields[] = [];
  const errors: string[] = [];
  let columns: Map<string, number> | undefined;
  try {
    for await (const { line, fields } of parseCsv(fileChunks(path))) {
      if (!columns) {
        columns = new Map(fields.map((f, i) => [f.trim().toLowerCase(), i]));
        const unknown = [...columns.keys()].filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
        if (!columns.has('signal_type') || !columns.has('signal')) throw new AllianceError('IMPORT_INVALID', `${path}: line ${line}: the header must name signal_type and signal (optional: classification, tags, note)`);
        if (unknown.length) throw new AllianceError('IMPORT_INVALID', `${path}: line ${line}: unknown column(s) ${unknown.join(', ')}`);
        continue;
      }
      const get = (name: string) => {
        const i = columns!.get(name);
        return i === undefined ? '' : (fields[i] ?? '').trim();
      };
      try {
        if (fields.length !== columns.size) throw new Error(`expected ${columns.size} fields, got ${fields.length}`);
        const type = getSignalType(get('signal_type'));
        const value = type.normalize(get('signal'));
        const classification = get('classification') || null;
        if (classification) parseClassification(classification);
        const tags = get('tags') ? get('tags').split(';').map((t) => t.trim()).filter(Boolean) : [];
        items.push({ signals: [{ signal_type: type.name, value }], classification, tags, note: get('note') || null });
      } catch (err) {
        errors.push(`line ${line}: ${(err as Error).message}`);
        if (errors.length >= MAX_ERRORS) break;
      }
    }
  } catch (err) {
    if (err instanceof AllianceError) throw err;
    throw new AllianceError('IMPORT_INVALID', `${path}: ${(err as Error).message}`);
  }
  if (!columns) throw new AllianceError('IMPORT_INVALID', `${path}: the file is empty (it needs a header: signal_type,signal,classification,tags)`);
  if (errors.length) throw new AllianceError('IMPORT_INVALID', `${path}: nothing was imported; fix ${errors.length >= MAX_ERRORS ? `these (and perhaps more)` : 'these'}:\n  ${errors.join('\n  ')}`);
  return items;
}

/**
 * Reads and checks every CSV file, then stores them all into a bank (or none); returns how many
 * contents were added. `within` runs inside the storing transaction (see BankService.importContents).
 */
export async function importCsv(banks: BankService, actor: Principal, bank: string, paths: string | string[], within?: (tx: Tx, contents: number) => Promise<void>): Promise<number> {
  const files = typeof paths === 'string' ? [paths] : paths;
  const items: ContentFields[] = [];
  for (const path of files) for (const item of await readImportCsv(path)) items.push(item);
  if (items.length === 0) return 0; // no effects: nothing that could be applied twice
  return (await banks.importContents(actor, bank, items, `csv:${files.map((f) => basename(f)).join(',')}`, within && ((tx, ids) => within(tx, ids.length)))).length;
}
