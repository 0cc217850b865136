/**
 * Seized-media triage (`alliance triage`): hash every file of a folder (all cores; resumable: each
 * result is appended to a state file as it completes, and a rerun hashes only what is missing), or
 * take the hashes of a VICS file or a hash list; match each against the banks and the series
 * registry, and classify it:
 *   known        — matches a bank (its classification, its series, whether a victim is identified)
 *   new          — matches nothing: the investigator's priority (possibly ongoing abuse)
 *   not_relevant — on a negative bank (allow-list)
 *   unreadable   — could not be read or hashed (listed, never fatal)
 * Symbolic links are never followed inside the folder (hasher/walk.ts).
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import type { Classification, LegalStatus } from '../banks/classification.js';
import { readVicsFile } from '../exchange/formats/vics-stream.js';
import type { HashRequest } from '../hasher/hash-file.js';
import { runHash, type ProgressSink } from '../hasher/run.js';
import { isProblem, walkInputs } from '../hasher/walk.js';
import type { LookupService, Match } from '../match/lookup-service.js';
import { getSignalType } from '../signals/registry.js';

export type TriageClass = 'known' | 'new' | 'not_relevant' | 'unreadable';

export interface TriageItem {
  /** The file (relative to the folder), or the item's id in a VICS file or hash list. */
  path: string;
  size: number | null;
  signals: Record<string, string>;
  class: TriageClass;
  classification: Classification | null;
  series: Array<{ uid: string; name: string; status: string; victims: number }>;
  victim_identified: boolean;
  /** The nearest bank match (known) or allow-list entry (not_relevant). */
  match: { bank: string; content_id: number; signal_type: string; distance: number } | null;
  error: string | null;
}

export interface TriageOptions {
  out: string;
  jobs: number;
  hash: Omit<HashRequest, 'types'>;
  progress?: ProgressSink;
}

const SEVERITY: Record<LegalStatus, number> = { baseline: 0, national: 1, unknown: 2, not_illegal: 3 };
/** The types triage hashes files with: what banks and VICS files carry. */
const TYPES = ['pdq', 'md5', 'sha1'];

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
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
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

/** Hashes the files of `folder` the state file holds no result for (failures are tried again); returns every file's result. */
export async function hashFolder(folder: string, opts: TriageOptions): Promise<{ results: StateLine[]; resumed: number }> {
  mkdirSync(opts.out, { recursive: true });
  const stateFile = join(opts.out, 'triage-state.jsonl');
  const before = await readState(stateFile);
  const { items } = await walkInputs([folder], (n) => opts.progress?.walking(n));
  const todo: string[] = [];
  let resumed = 0;
  for (const item of items) {
    if (isProblem(item)) continue;
    const r = before.get(item.path);
    if (r?.status === 'hashed' && r.size === item.size) resumed++;
    else todo.push(item.path);
  }
  if (todo.length) {
    const state = createWriteStream(stateFile, { flags: 'a', mode: 0o600 });
    await runHash({ ...opts.hash, types: TYPES, inputs: todo, format: 'jsonl', jobs: opts.jobs }, state as unknown as Writable, opts.progress);
    state.end();
    await once(state, 'close');
  }
  const after = await readState(stateFile);
  const results = items.map((item): StateLine =>
    isProblem(item)
      ? { path: item.path, status: item.status, signals: {}, error: item.error.toJSON() }
      : (after.get(item.path) ?? { path: item.path, size: item.size, status: 'failed', signals: {}, error: { code: 'INTERNAL', message: 'no result recorded' } }),
  );
  return { results, resumed };
}

/** The signals of every Media of a VICS file (MD5, SHA1; PDQ where present). */
export async function* vicsItems(file: string): AsyncGenerator<{ path: string; signals: Record<string, string>; error: string | null }> {
  let n = 0;
  for await (const batch of readVicsFile(file, { member: 'triage', model: 'US' })) {
    for (const e of batch) {
      n++;
      if (e instanceof Error) yield { path: `#${n}`, signals: {}, error: e.message };
      else yield { path: String((e.metadata?.vics as { MediaID?: unknown } | undefined)?.MediaID ?? e.uid), signals: Object.fromEntries(e.signals.map((s) => [s.type, s.value])), error: null };
    }
  }
}

/** One hash per line ("type,hash" or a bare hash whose type its length tells). */
export async function hashListItems(file: string): Promise<Array<{ path: string; signals: Record<string, string>; error: string | null }>> {
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  const out: Array<{ path: string; signals: Record<string, string>; error: string | null }> = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [a, b] = line.includes(',') ? line.split(',', 2).map((s) => s.trim()) : [undefined, line];
    const type = a ?? ({ 32: 'md5', 40: 'sha1', 64: 'pdq' } as Record<number, string>)[b.length];
    try {
      if (!type) throw new Error(`cannot tell the type of "${b.slice(0, 70)}" (write type,hash)`);
      const t = getSignalType(type.toLowerCase());
      out.push({ path: `line ${i + 1}`, signals: { [t.name]: t.normalize(b) }, error: null });
    } catch (err) {
      out.push({ path: `line ${i + 1}`, signals: {}, error: (err as Error).message });
    }
  });
  return out;
}

/** Classifies one item's signals against the banks and the series registry. */
export async function classify(lookup: LookupService, path: string, size: number | null, signals: Record<string, string>, error: string | null): Promise<TriageItem> {
  const base: TriageItem = { path, size, signals, class: 'unreadable', classification: null, series: [], victim_identified: false, match: null, error };
  if (error || Object.keys(signals).length === 0) return { ...base, error: error ?? 'no hash' };
  const known: Match[] = [];
  const allowed: Match[] = [];
  for (const [type, value] of Object.entries(signals)) {
    const r = await lookup.lookup(type, value);
    known.push(...r.matches);
    allowed.push(...r.allow_listed);
  }
  const pick = (ms: Match[]) => ms.sort((x, y) => SEVERITY[x.classification?.legal ?? 'unknown'] - SEVERITY[y.classification?.legal ?? 'unknown'] || x.distance - y.distance)[0];
  if (allowed.length) {
    const m = pick(allowed);
    return { ...base, class: 'not_relevant', match: { bank: m.bank, content_id: m.content_id, signal_type: m.signal_type, distance: m.distance } };
  }
  if (known.length === 0) return { ...base, class: 'new' };
  const m = pick(known);
  const series = new Map<string, TriageItem['series'][number]>();
  for (const k of known) for (const s of k.series ?? []) series.set(s.uid, { uid: s.uid, name: s.name, status: s.status, victims: s.victims });
  return {
    ...base,
    class: 'known',
    classification: m.classification,
    series: [...series.values()],
    victim_identified: [...series.values()].some((s) => s.victims > 0 || s.status === 'victim_identified'),
    match: { bank: m.bank, content_id: m.content_id, signal_type: m.signal_type, distance: m.distance },
  };
}

/** The state file's signals as plain values. */
export function stateSignals(r: StateLine): Record<string, string> {
  return Object.fromEntries(Object.entries(r.signals).flatMap(([t, s]) => (s.hash ? [[t, s.hash]] : [])));
}

/** A path relative to the folder (for reports), or the path itself for VICS/hash-list items. */
export function displayPath(folder: string | null, path: string): string {
  return folder ? relative(folder, path) || path : path;
}
