/**
 * The file formats hash lists travel in, in one registry that `alliance import`, `alliance export`,
 * triage and the API read instead of each branching on names: what each format is called, the
 * extensions it is usually written with, how to recognise it from its first bytes (exporters name
 * files freely: a VICS export called `.txt`, JSON Lines called `.json`), how it is imported and
 * whether it can be written. A file's content decides before its name does.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { AllianceError } from '../../errors/catalogue.js';

/**
 * How a format is imported: 'list' — signal lists read by the bank's list importer (banks/import-csv.ts);
 * 'entries' — items with an identity, applied as deltas (exchange/files.ts importExchangeFiles);
 * 'bundle' — signed feed pages of a peer (`alliance bundle import`).
 */
export type ImportPath = 'list' | 'entries' | 'bundle';

export interface FileCodec {
  readonly name: string;
  readonly description: string;
  /** Lower-case, with the dot. */
  readonly extensions: readonly string[];
  /** Whether the file's first bytes (BOM and leading blanks removed, at most 8 KiB) are of this format. */
  sniff(head: string): boolean;
  readonly import: ImportPath;
  /** Whether `alliance export` writes it. */
  readonly exports: boolean;
  /** What triage reads it as: a file of media records ('vics') or a list of hashes ('hashes'). */
  readonly triage?: 'vics' | 'hashes';
}

const firstLine = (head: string) => head.split(/\r?\n/, 1)[0];

export const FILE_CODECS: readonly FileCodec[] = [
  {
    name: 'bundle',
    description: "a peer's signed bundle of feed pages (alliance bundle export)",
    extensions: ['.bundle'],
    sniff: (h) => /^\{[^\n]*"format"\s*:\s*"alliance-bundle"/.test(h),
    import: 'bundle',
    exports: false,
  },
  {
    name: 'vics',
    description: 'Project VIC VICS 2.0 / 1.3 JSON (Media or Cases, any model)',
    extensions: ['.json', '.vics'],
    sniff: (h) => h.startsWith('{') && /"(@odata\.context|odata\.metadata)"\s*:|^\{\s*"value"\s*:\s*\[/.test(h),
    import: 'entries',
    exports: true,
    triage: 'vics',
  },
  {
    name: 'ncmec',
    description: 'NCMEC hash-sharing v2 queryResult XML pages',
    extensions: ['.xml'],
    sniff: (h) => h.startsWith('<') && /<(\w+:)?queryResult[\s>]/.test(h),
    import: 'entries',
    exports: false,
  },
  {
    name: 'jsonl',
    description: '`alliance hash` JSON Lines output (one content per file)',
    extensions: ['.jsonl', '.ndjson'],
    sniff: (h) => h.startsWith('{') && /^\{.*\}\s*$/.test(firstLine(h)),
    import: 'list',
    exports: false,
    triage: 'hashes',
  },
  {
    name: 'csv',
    description: 'CSV: signal_type,signal[,classification][,tags][,note][,content], or `alliance hash` CSV output',
    extensions: ['.csv', '.tsv'],
    sniff: (h) => /^(\uFEFF)?"?(signal_type|path)"?[,\t]/i.test(firstLine(h)),
    import: 'list',
    exports: true,
    triage: 'hashes',
  },
];

export const codecNames = (filter: (c: FileCodec) => boolean = () => true) => FILE_CODECS.filter(filter).map((c) => c.name);

export function codecNamed(name: string, filter: (c: FileCodec) => boolean = () => true): FileCodec {
  const c = FILE_CODECS.find((x) => x.name === name && filter(x));
  if (!c) throw new AllianceError('VALIDATION', `unknown format "${String(name).slice(0, 40)}" (known: ${codecNames(filter).join(', ')})`);
  return c;
}

/** The first 8 KiB of a file as text, without a BOM and leading blanks ('' for an empty or unreadable one). */
async function headOf(path: string): Promise<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AllianceError('VALIDATION', `${path}: no such file`);
    if (code === 'EISDIR') throw new AllianceError('VALIDATION', `${path} is a folder, not a file`);
    return '';
  }
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
  } finally {
    await fh.close();
  }
}

/** The format a file's content shows, if any does. */
export async function sniffCodec(path: string): Promise<FileCodec | undefined> {
  const head = await headOf(path);
  return head ? FILE_CODECS.find((c) => c.sniff(head)) : undefined;
}

/** The format of a file to import: the one given, else what its content shows, else its extension. */
export async function codecOf(path: string, given?: string): Promise<FileCodec> {
  if (given) return codecNamed(given);
  const sniffed = await sniffCodec(path);
  if (sniffed) return sniffed;
  const ext = extname(path).toLowerCase();
  const byName = FILE_CODECS.find((c) => c.extensions.includes(ext));
  if (byName) return byName;
  throw new AllianceError('VALIDATION', `cannot tell the format of ${path} from its content or its name: pass --format ${codecNames().join('|')}`);
}

/** The format to write a file in: the one given, else its extension's, else VICS. */
export function exportCodecOf(path: string, given?: string): FileCodec {
  const writable = (c: FileCodec) => c.exports;
  if (given) return codecNamed(given, writable);
  const ext = extname(path).toLowerCase();
  return FILE_CODECS.find((c) => c.exports && c.extensions.includes(ext)) ?? codecNamed('vics', writable);
}
