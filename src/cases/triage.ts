/**
 * Seized-media triage (`alliance triage`): hash every file of a folder (all cores; resumable: each
 * result is appended to a state file as it completes, and a rerun hashes only what is missing), or
 * take the hashes of a VICS file or a hash list; match each against the banks and the series
 * registry, and classify it:
 *   known        — matches a bank (its classification, its series, whether a victim is identified)
 *   new          — matches nothing: the investigator's priority (possibly ongoing abuse)
 *   not_relevant — on a negative bank (allow-list)
 *   unreadable   — could not be read or decoded, and its bytes match nothing (listed, never fatal)
 * Files are matched with every signal type the node hashes (PDQ for images, vPDQ with the vPDQ
 * comparison for videos, MD5, SHA-1 and SHA-256 for everything). A file that cannot be decoded
 * still has bytes: its digests are kept and matched, the decode error beside them.
 * A known file carries what its matched content says (triage-facts.ts): the VICS flags, tags,
 * comments and series names, and the series registry's word on victims and offenders — the newer
 * statement wins, and the item names its source.
 * Symbolic links are never followed inside the folder (hasher/walk.ts). VICS files and hash lists
 * are streamed: a million entries never sit in memory at once.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Classification, LegalStatus } from '../banks/classification.js';
import { readVicsFile } from '../exchange/index.js';
import type { HashRequest } from '../hasher/hash-file.js';
import { runHash, type ProgressSink } from '../hasher/run.js';
import { isProblem, walkInputs } from '../hasher/walk.js';
import type { LookupService, Match } from '../match/lookup-service.js';
import type { MediaKind } from '../media/detect.js';
import { appliesTo, getSignalType, recogniseType, SIGNAL_TYPES } from '../signals/index.js';
import { triageFacts, type FactsSource, type TriageFacts } from './triage-facts.js';

export type TriageClass = 'known' | 'new' | 'not_relevant' | 'unreadable';
export const TRIAGE_CLASSES: readonly TriageClass[] = ['new', 'known', 'not_relevant', 'unreadable'];

/** What is triaged: a file's (or a VICS entry's, or a hash-list line's) hashes, or why there are none. */
export interface TriageInput {
  /** The file (relative to the folder), the VICS entry's file path or MediaID, or "line N" of a hash list. */
  path: string;
  size: number | null;
  signals: Record<string, string>;
  error: string | null;
}

export interface TriageItem extends TriageInput {
  class: TriageClass;
  classification: Classification | null;
  series: Array<{ uid: string; name: string; status: string; victims: number }>;
  victim_identified: boolean;
  /** The nearest bank match (known) or allow-list entry (not_relevant). */
  match: { bank: string; content_id: number; signal_type: string; distance: number } | null;
  /** What the matched content says of the file (null unless known). */
  facts: TriageFacts | null;
}

export interface FolderOptions {
  out: string;
  jobs: number;
  hash: Omit<HashRequest, 'types'>;
  progress?: ProgressSink;
}

const SEVERITY: Record<LegalStatus, number> = { baseline: 0, national: 1, unknown: 2, not_illegal: 3 };
/** The types triage hashes files with: every type a file can be matched on (each applies to its media). */
const FILE_KINDS: MediaKind[] = ['image', 'video', 'other'];
const TYPES = [...SIGNAL_TYPES.values()].filter((t) => FILE_KINDS.some((k) => appliesTo(t, k))).map((t) => t.name);

interface StateLine {
  path: string;
  size?: number;
  status: string;
  signals: Record<string, { hash?: string }>;
  error?: { code: string; message: string };
}

/** Reads the state file of an earlier, interrupted run: the latest result per path (a torn last line is dropped). */
async function readState(file: string): Promise<Map<string, StateLine>> {
  const lines = new Map<string, StateLine>();
  if (!existsSync(file)) return lines;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as StateLine;
      lines.set(r.path, r);
    } catch {
      // the line a crash cut short: its file is hashed again
    }
  }
  return lines;
}

/**
 * Hashes the files of `folder` the state file holds no result for (failures are tried again);
 * returns every file's hashes (paths relative to the folder) and how many came from the earlier run.
 */
export async function hashFolder(folder: string, opts: FolderOptions): Promise<{ inputs: TriageInput[]; resumed: number }> {
  mkdirSync(opts.out, { recursive: true });
  const stateFile = join(opts.out, 'triage-state.jsonl');
  const before = await readState(stateFile);
  const { items } = await walkInputs([folder], (n) => opts.progress?.walking(n));
  const todo = [];
  let resumed = 0;
  for (const item of items) {
    if (isProblem(item)) continue;
    const r = before.get(item.path);
    if (r?.status === 'hashed' && r.size === item.size) resumed++;
    else todo.push(item);
  }
  before.clear();
  if (todo.length) {
    const state = createWriteStream(stateFile, { flags: 'a', mode: 0o600 });
    await runHash({ ...opts.hash, types: TYPES, inputs: [], entries: todo, format: 'state', jobs: opts.jobs }, state as unknown as Writable, opts.progress);
    state.end();
    await once(state, 'close');
  }
  const after = await readState(stateFile);
  const inputs = items.map((item): TriageInput => {
    const path = relative(folder, item.path) || item.path;
    if (isProblem(item)) return { path, size: null, signals: {}, error: `${item.error.message} [${item.error.code}]` };
    const r = after.get(item.path);
    if (!r) return { path, size: item.size, signals: {}, error: 'no result recorded [INTERNAL]' };
    const signals = Object.fromEntries(Object.entries(r.signals).flatMap(([t, s]) => (s.hash ? [[t, s.hash]] : [])));
    return {
      path,
      size: r.size ?? item.size,
      signals,
      error: r.status === 'hashed' ? null : `${r.error?.message ?? r.status}${r.error?.code ? ` [${r.error.code}]` : ''}`,
    };
  });
  return { inputs, resumed };
}

/** Where a VICS Media says its file was: FilePath (with FileName when the path lacks it), else FileName, else "#MediaID". */
function vicsPath(vics: Record<string, unknown> | undefined, fallback: string): string {
  const file = Array.isArray(vics?.MediaFiles) ? (vics.MediaFiles[0] as { FileName?: unknown; FilePath?: unknown } | undefined) : undefined;
  const name = typeof file?.FileName === 'string' ? file.FileName : '';
  const dir = typeof file?.FilePath === 'string' ? file.FilePath : '';
  if (dir && name && !dir.endsWith(name)) return `${dir}${dir.includes('\\') && !dir.includes('/') ? '\\' : '/'}${name}`;
  return dir || name || fallback;
}

/** The hashes of every Media of a VICS file (MD5, SHA1), streamed; an entry that cannot be read is an unreadable item. */
export async function* vicsInputs(file: string): AsyncGenerator<TriageInput> {
  let n = 0;
  for await (const batch of readVicsFile(file, { member: 'triage', model: 'US' })) {
    for (const e of batch) {
      n++;
      if (e instanceof Error) yield { path: `entry ${n}`, size: null, signals: {}, error: e.message };
      else {
        const vics = e.metadata?.vics as Record<string, unknown> | undefined;
        const size = typeof vics?.MediaSize === 'number' ? vics.MediaSize : null;
        yield {
          path: vicsPath(vics, `#${String(vics?.MediaID ?? n)}`),
          size,
          signals: Object.fromEntries(e.signals.map((s) => [s.type, s.value])),
          error: null,
        };
      }
    }
  }
}

/** One hash per line ("type,hash" or a bare hash of the type it is recognised as: 64 hex digits are PDQ), streamed. */
export async function* hashListInputs(file: string): AsyncGenerator<TriageInput> {
  let i = 0;
  for await (const raw of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    i++;
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [a, b] = line.includes(',') ? line.split(',', 2).map((s) => s.trim()) : [undefined, line];
    const type = a ?? recogniseType(b)?.name;
    try {
      if (!type) throw new Error(`cannot tell the type of "${b.slice(0, 70)}" (write type,hash)`);
      const t = getSignalType(type.toLowerCase());
      yield { path: `line ${i}`, size: null, signals: { [t.name]: t.normalize(b) }, error: null };
    } catch (err) {
      yield { path: `line ${i}`, size: null, signals: {}, error: (err as Error).message };
    }
  }
}

/** What classifying needs: lookups, and the facts of matched contents. */
export interface TriageMatcher {
  lookup: LookupService;
  facts: FactsSource;
}

/** Classifies one item's signals against the banks and the series registry. */
export async function classify(matcher: TriageMatcher, input: TriageInput): Promise<TriageItem> {
  const base: TriageItem = { ...input, class: 'unreadable', classification: null, series: [], victim_identified: false, match: null, facts: null };
  if (Object.keys(input.signals).length === 0) return { ...base, error: input.error ?? 'no hash' };
  const known: Match[] = [];
  const allowed: Match[] = [];
  for (const [type, value] of Object.entries(input.signals)) {
    const r = await matcher.lookup.lookup(type, value);
    known.push(...r.matches);
    allowed.push(...r.allow_listed);
  }
  const pick = (ms: Match[]) =>
    ms.sort((x, y) => SEVERITY[x.classification?.legal ?? 'unknown'] - SEVERITY[y.classification?.legal ?? 'unknown'] || x.distance - y.distance)[0];
  if (allowed.length) {
    const m = pick(allowed);
    return { ...base, class: 'not_relevant', match: { bank: m.bank, content_id: m.content_id, signal_type: m.signal_type, distance: m.distance } };
  }
  // A file that could not be decoded and whose bytes match nothing stays unreadable (with its digests).
  if (known.length === 0) return { ...base, class: input.error ? 'unreadable' : 'new' };
  const m = pick(known);
  const series = new Map<string, TriageItem['series'][number]>();
  for (const k of known) for (const s of k.series ?? []) series.set(s.uid, { uid: s.uid, name: s.name, status: s.status, victims: s.victims });
  const facts = await triageFacts(matcher.facts, known, m);
  return {
    ...base,
    class: 'known',
    classification: m.classification,
    series: [...series.values()],
    victim_identified: facts.victim_identified,
    match: { bank: m.bank, content_id: m.content_id, signal_type: m.signal_type, distance: m.distance },
    facts,
  };
}

/** A path's folder and name, for paths written with / (this machine) or \ (VICS files from Windows tools). */
export function splitPath(path: string): { folder: string; name: string } {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? { folder: '.', name: path } : { folder: path.slice(0, i) || path.slice(0, 1), name: path.slice(i + 1) };
}
