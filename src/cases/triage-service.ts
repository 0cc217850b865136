/**
 * Triage on the node: classifies a stream of inputs (a hashed folder, a VICS file, a hash list),
 * writes the outputs (triage-report.ts) and records the run and every item, so the web UI can show
 * the results to investigators who did not run the command. Every run is audited.
 */
import { resolve } from 'node:path';
import type { AuditLog } from '../audit/audit-log.js';
import { classificationLabel } from '../banks/classification.js';
import type { LookupService } from '../match/lookup-service.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  contentFacts,
  getRun,
  insertItems,
  insertRun,
  type ItemQuery,
  listItems,
  listRuns,
  newFolders,
  now,
  parseJson,
  retireRuns,
  seriesOfContents,
  type Store,
  type TriageItemRow,
  type TriageRunRow,
  updateRun,
} from '../store/index.js';
import { writeTriageOutputs, type SeriesTally, type TriageOutputs } from './triage-report.js';
import { classify, splitPath, type TriageInput, type TriageItem, type TriageMatcher } from './triage.js';
import type { TriageFacts } from './triage-facts.js';

export type TriageKind = 'folder' | 'vics' | 'hashes';

export interface TriageRequest {
  /** What was triaged, as the investigator named it. */
  input: string;
  kind: TriageKind;
  caseNumber: string;
  out: string;
  /** Files whose hashes an earlier, interrupted run left in the state file. */
  resumed?: number;
  inputs: AsyncIterable<TriageInput> | Iterable<TriageInput>;
}

/** PostgreSQL text cannot hold U+0000 (a hostile VICS file may): shown as U+FFFD. */
const storable = (s: string) => s.replaceAll('\u0000', '\ufffd');

function itemRow(runId: number, n: number, i: TriageItem): unknown[] {
  return [
    runId,
    n,
    storable(i.path),
    storable(splitPath(i.path).folder),
    i.class,
    i.classification ? classificationLabel(i.classification) : null,
    i.classification?.legal ?? null,
    i.series.length ? JSON.stringify(i.series.map((s) => ({ uid: s.uid, name: s.name }))) : null,
    i.victim_identified ? 1 : 0,
    i.match?.bank ?? null,
    i.match?.content_id ?? null,
    i.match?.signal_type ?? null,
    i.match?.distance ?? null,
    i.signals.md5 ?? null,
    i.signals.sha1 ?? null,
    i.signals.pdq ?? null,
    i.error === null ? null : storable(i.error),
    i.signals.sha256 ?? null,
    i.facts ? storable(JSON.stringify(i.facts)) : null,
  ];
}

function runView(r: TriageRunRow) {
  return {
    id: r.id,
    input: r.input,
    kind: r.kind,
    case_number: r.case_number,
    out_dir: r.out_dir,
    status: r.status,
    files: r.files,
    counts: parseJson<Record<string, number>>(r.counts, {}),
    resumed: r.resumed,
    created_by: r.created_by,
    started_at: new Date(r.started_at).toISOString(),
    finished_at: r.finished_at === null ? null : new Date(r.finished_at).toISOString(),
    error: r.error,
  };
}

function itemView(r: TriageItemRow) {
  return {
    n: r.n,
    path: r.path,
    folder: r.folder,
    class: r.class,
    classification: r.classification,
    legal: r.legal,
    series: parseJson<Array<{ uid: string; name: string }>>(r.series, []),
    victim_identified: r.victim_identified === 1,
    match: r.bank === null ? null : { bank: r.bank, content_id: r.content_id, signal_type: r.signal_type, distance: r.distance },
    md5: r.md5,
    sha1: r.sha1,
    pdq: r.pdq,
    sha256: r.sha256,
    error: r.error,
    /** What the matched content says of the file: flags (with the source of each), tags, comments, series names. */
    facts: parseJson<TriageFacts | null>(r.facts, null),
  };
}

export type TriageRun = ReturnType<typeof runView>;

export class TriageService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly lookup: LookupService,
  ) {}

  /** Classifies every input, writes the outputs into `req.out`, and records the run. */
  async run(actor: Principal, req: TriageRequest): Promise<{ run: TriageRun; outputs: TriageOutputs }> {
    requirePermission(actor, 'cases');
    const db = this.store.db;
    const out = resolve(req.out);
    await retireRuns(db, out);
    const run = await insertRun(db, {
      input: req.input,
      kind: req.kind,
      case_number: req.caseNumber,
      out_dir: out,
      status: 'running',
      files: 0,
      counts: '{}',
      series: '[]',
      resumed: req.resumed ?? 0,
      created_by: actor.actor,
      started_at: now(),
    });
    const matcher: TriageMatcher = {
      lookup: this.lookup,
      facts: { contents: (ids) => contentFacts(db, ids), series: (ids) => seriesOfContents(db, ids) },
    };
    async function* classified(): AsyncGenerator<TriageItem> {
      for await (const input of req.inputs) yield await classify(matcher, input);
    }
    let outputs: TriageOutputs;
    try {
      outputs = await writeTriageOutputs(out, classified(), { input: req.input, caseNumber: req.caseNumber }, (batch, first) =>
        insertItems(
          db,
          this.store.dialect,
          batch.map((i, k) => itemRow(run.id, first + k, i)),
        ),
      );
    } catch (err) {
      await updateRun(db, run.id, { status: 'failed', finished_at: now(), error: (err as Error).message.slice(0, 2000) });
      throw err;
    }
    const { summary } = outputs;
    const series: SeriesTally[] = [...summary.series.values()];
    await updateRun(db, run.id, {
      status: 'done',
      files: summary.files,
      counts: JSON.stringify(summary.counts),
      series: JSON.stringify(series),
      finished_at: now(),
    });
    this.audit.recordRead(actor, 'triage', req.input, { run: run.id, files: summary.files, ...summary.counts }, summary.counts.known);
    return { run: runView(await getRun(db, run.id)), outputs };
  }

  async list(actor: Principal, q: { limit?: number; offset?: number }): Promise<TriageRun[]> {
    requirePermission(actor, 'cases');
    return (await listRuns(this.store.db, q.limit ?? 50, q.offset ?? 0)).map(runView);
  }

  /** A run with its series and the folders holding new material. */
  async get(actor: Principal, id: number) {
    requirePermission(actor, 'cases');
    const r = await getRun(this.store.db, id);
    return { ...runView(r), series: parseJson<SeriesTally[]>(r.series, []), new_folders: await newFolders(this.store.db, id, 500) };
  }

  async items(actor: Principal, id: number, q: Partial<ItemQuery>) {
    requirePermission(actor, 'cases');
    await getRun(this.store.db, id);
    const { items, total } = await listItems(this.store.db, id, { ...q, limit: q.limit ?? 100, offset: q.offset ?? 0 });
    return { items: items.map(itemView), total };
  }
}
