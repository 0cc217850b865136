/**
 * VICS files as streams: reading yields one entry per Media (or a VicsError for a bad one, so an
 * import can list every bad item before refusing the file); writing goes to a temporary file that
 * replaces the target only when complete.
 */
import { workerScript } from '../../compute/worker-script.js';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { UpsertEntry } from '../page.js';
import { writeAtomically } from './atomic-write.js';
import { JsonStreamError, jsonArrayItems } from './json-items.js';
import type { VicsWorkerInput, VicsWorkerMessage } from './vics-worker.js';
import {
  caseInfo,
  contentToMediaJson,
  defaultCategoryMap,
  headerFromText,
  mediaToEntry,
  quoteBareIds,
  VICS_CONTEXT_BASE,
  VicsError,
  type CategoryMap,
  type ExportableContent,
  type VicsForm,
  type VicsModel,
} from './vics.js';

export interface VicsReadOptions {
  member: string;
  /** Overrides the map the file's data model implies. */
  categories?: CategoryMap;
  /** For files that do not name their model. */
  model?: VicsModel;
  importedAt?: string;
}

export async function* readVics(chunks: AsyncIterable<string>, opts: VicsReadOptions): AsyncGenerator<UpsertEntry | VicsError> {
  let model: VicsModel | null = opts.model ?? null;
  let form: VicsForm | null = null;
  const importedAt = opts.importedAt ?? new Date().toISOString();
  const anonymous = new Map<string, number>();
  const onHead = (head: string) => {
    const h = headerFromText(head);
    model = opts.model ?? h.model;
    form = h.form;
  };
  let index = 0;
  for await (const item of jsonArrayItems(chunks, 'value', { onHead })) {
    const where = `${form ?? 'value'}[${index++}]`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(quoteBareIds(item.text));
    } catch (err) {
      yield new VicsError(item.line, where, `not valid JSON (${(err as Error).message})`);
      continue;
    }
    const categories = opts.categories ?? defaultCategoryMap(model);
    const base = { categories, model, member: opts.member, importedAt, anonymous };
    const isCase = form === 'Cases' || (form === null && typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { Media?: unknown }).Media));
    if (!isCase) {
      try {
        yield mediaToEntry(parsed, { ...base, line: item.line, where });
      } catch (err) {
        yield err instanceof VicsError ? err : new VicsError(item.line, where, (err as Error).message);
      }
      continue;
    }
    const media = (parsed as { Media?: unknown }).Media;
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray(media)) {
      yield new VicsError(item.line, where, 'a case must be an object with a Media list');
      continue;
    }
    const info = caseInfo(parsed as Record<string, unknown>);
    for (let i = 0; i < media.length; i++) {
      try {
        yield mediaToEntry(media[i], { ...base, line: item.line, where: `${where}.Media[${i}]`, caseInfo: info });
      } catch (err) {
        yield err instanceof VicsError ? err : new VicsError(item.line, `${where}.Media[${i}]`, (err as Error).message);
      }
    }
  }
}

export interface VicsWriteOptions {
  form?: VicsForm;
  /** Case fields for the Cases form. */
  caseNumber?: string;
  sourceApplication?: string;
}

/** Writes contents as a VICS 2.0 (US model) file; returns how many were written and skipped (no MD5/SHA1). */
export async function writeVics(
  path: string,
  batches: AsyncIterable<ExportableContent[]>,
  opts: VicsWriteOptions = {},
): Promise<{ written: number; skipped: number }> {
  const form = opts.form ?? 'Media';
  return writeAtomically(path, async (write) => {
    let written = 0;
    let skipped = 0;
    const context = `${VICS_CONTEXT_BASE}/US/$metadata#${form}`;
    let head = `{"@odata.context":${JSON.stringify(context)},"value":[`;
    if (form === 'Cases') {
      head += `{"CaseID":${JSON.stringify(randomUUID())},"CaseNumber":${JSON.stringify(opts.caseNumber ?? '')},"SourceApplicationName":${JSON.stringify(opts.sourceApplication ?? 'Alliance')},"Media":[`;
    }
    await write(head + '\n');
    for await (const batch of batches) {
      let text = '';
      for (const c of batch) {
        const media = contentToMediaJson(c);
        if (media === null) {
          skipped++;
          continue;
        }
        text += (written++ === 0 ? '' : ',\n') + media;
      }
      if (text) await write(text);
    }
    await write(form === 'Cases' ? `\n],"TotalMediaFiles":${written}}]}\n` : '\n]}\n');
    return { written, skipped };
  });
}

/**
 * readVics on a worker thread, for large files: the same entries and errors, in batches, while
 * this thread writes the previous ones. Structural errors (not JSON, truncated) are thrown as
 * JsonStreamError-like errors with their line.
 */
export async function* readVicsFile(path: string, opts: VicsReadOptions): AsyncGenerator<Array<UpsertEntry | Error>> {
  const input: VicsWorkerInput = {
    path,
    member: opts.member,
    categories: opts.categories ? [...opts.categories] : undefined,
    model: opts.model,
    importedAt: opts.importedAt ?? new Date().toISOString(),
  };
  const worker = new Worker(workerScript(import.meta.url, 'vics-worker.js'), { workerData: input });
  const queue: VicsWorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  worker.on('message', (m: VicsWorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    failure = err;
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length === 0 && !failure) await new Promise<void>((r) => (wake = r));
      if (failure) throw failure;
      const m = queue.shift()!;
      if (m.type === 'done') return;
      if (m.type === 'fatal')
        throw m.syntax ? new JsonStreamError(Number(/^line (\d+)/.exec(m.message)?.[1] ?? 0), m.message.replace(/^line \d+: /, '')) : new Error(m.message);
      worker.postMessage('more');
      yield m.items.map((e) => ('error' in e ? new Error(e.error) : e));
    }
  } finally {
    await worker.terminate();
  }
}
