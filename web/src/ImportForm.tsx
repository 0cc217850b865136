import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, bankPath, session } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Notice } from './Notice';
import { toProblem, type Problem } from './problems';
import { Button } from './ui/Button';
import { Field } from './ui/Field';
import { useToast } from './ui/Toasts';

interface ImportJob {
  id: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  error: string | null;
  /** CSV: contents and skipped files; VICS and NCMEC: items and what they did. */
  result: { contents?: number; skipped?: number; items?: number; added?: number; updated?: number; deleted?: number; unmatchable?: number } | null;
  /** While it runs: items (CSV: lines) imported of the file's total. */
  progress?: { done: number; total: number | null } | null;
}

/** The formats a bank imports (the server's codec registry: src/exchange/formats/codecs.ts), how each is sent and what it counts. */
export const FORMATS = {
  csv: { label: 'CSV', file: 'CSV file', accept: '.csv,.tsv,text/csv', type: 'text/csv', unit: 'lines' },
  vics: {
    label: 'VICS 2.0 JSON (Project VIC)',
    file: 'VICS 2.0 JSON file',
    accept: '.json,.vics,application/json',
    type: 'application/octet-stream',
    unit: 'items',
  },
  ncmec: { label: 'NCMEC hash sharing v2 XML', file: 'NCMEC v2 XML file', accept: '.xml,application/xml,text/xml', type: 'application/xml', unit: 'items' },
} as const;
export type ImportFormat = keyof typeof FORMATS;

/** The format a file's name suggests (the choice stays the person's). */
const formatOfName = (name: string): ImportFormat | null =>
  /\.(csv|tsv)$/i.test(name) ? 'csv' : /\.(json|vics)$/i.test(name) ? 'vics' : /\.xml$/i.test(name) ? 'ncmec' : null;

/** Sends the file as it is, reporting the bytes sent (fetch has no upload progress). */
function upload(path: string, file: File, type: string, onProgress: (sent: number, total: number) => void): Promise<{ job_id: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    const token = session.token();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', type);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The server could not be reached.'));
    xhr.onload = () => {
      let data: { job_id?: number; code?: string; message?: string } = {};
      try {
        data = JSON.parse(xhr.responseText || '{}') as typeof data;
      } catch {
        // not JSON: the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300 && typeof data.job_id === 'number') resolve({ job_id: data.job_id });
      else reject(new ApiError(xhr.status, data.code ?? `HTTP_${xhr.status}`, data.message ?? `The server answered ${xhr.status}.`));
    };
    xhr.send(file);
  });
}

const kb = (n: number) => `${(n / 1024).toLocaleString('en', { maximumFractionDigits: 1 })} KB`;

/**
 * Imports a file into the bank as a background job, in the format chosen (CSV or `alliance hash`
 * output, VICS 2.0 JSON, NCMEC v2 XML; a file's name suggests one): the upload's progress in
 * bytes, then the job's — lines or items imported of the file's total — then its result, or the
 * refused lines with their reasons (an import is all or nothing: a file with an error adds nothing).
 */
export function ImportForm({ bank, onImported }: { bank: string; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormat>('csv');
  const toast = useToast();
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setJob(null);
    setProgress({ sent: 0, total: file.size });
    try {
      const { job_id } = await upload(`${bankPath(bank)}/import?format=${format}`, file, FORMATS[format].type, (sent, total) => setProgress({ sent, total }));
      let j = await api<ImportJob>(`/jobs/${job_id}`);
      while (live.current && (j.state === 'queued' || j.state === 'running')) {
        setJob(j);
        await new Promise((r) => setTimeout(r, 500));
        j = await api<ImportJob>(`/jobs/${job_id}`);
      }
      setJob(j);
      if (j.state === 'done') {
        onImported();
        toast.success(`Imported ${file.name} into ${bank}.`);
      }
    } catch (err) {
      setError(toProblem(err, {}, 'The file was not imported'));
    } finally {
      setBusy(false);
    }
  };

  const refused = job?.state === 'failed' ? (job.error ?? 'the import failed') : null;
  // "…: nothing was imported; fix these:\n  line 3: …" → the summary and one reason per line.
  const [summary, ...reasons] = refused ? refused.split('\n').map((l) => l.trim()) : [];
  const unit = FORMATS[format].unit;
  const running = job?.state === 'running' && job.progress?.total !== null && job.progress?.total !== undefined ? job.progress : null;
  const r = job?.result;
  const state =
    job?.state === 'queued'
      ? 'Uploaded; the import is waiting to run.'
      : job?.state === 'running'
        ? running
          ? `Importing: ${running.done.toLocaleString('en')} of ${running.total!.toLocaleString('en')} ${unit} imported.`
          : 'Importing…'
        : job?.state === 'done'
          ? r?.items !== undefined
            ? `Imported ${r.items.toLocaleString('en')} of ${r.items.toLocaleString('en')} items: ${(r.added ?? 0).toLocaleString('en')} added, ${(r.updated ?? 0).toLocaleString('en')} updated, ${(r.deleted ?? 0).toLocaleString('en')} deleted${r.unmatchable ? `, ${r.unmatchable.toLocaleString('en')} without a fingerprint Alliance matches` : ''}.`
            : `Imported: ${(r?.contents ?? 0).toLocaleString('en')} content added, ${(r?.skipped ?? 0).toLocaleString('en')} skipped.`
          : progress
            ? `Uploading: ${kb(progress.sent)} of ${kb(progress.total)}.`
            : null;

  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="import-heading">
      <h2 id="import-heading">Import a file</h2>
      <Field id="import-format" label="Format">
        <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)} disabled={busy}>
          {(Object.keys(FORMATS) as ImportFormat[]).map((f) => (
            <option key={f} value={f}>
              {FORMATS[f].label}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="import-file"
        label={FORMATS[format].file}
        hint={
          format === 'csv' ? (
            <>
              Header <code>signal_type,signal[,classification][,tags][,note][,content]</code>, tags separated by <code>;</code>, or the CSV of{' '}
              <code>alliance hash</code>. All or nothing: a file with an error adds nothing.
            </>
          ) : format === 'vics' ? (
            <>
              A Media or Cases export of any VICS 2.0 model: MD5 and SHA1 become signals, Category the classification, the other fields are kept. Importing a
              newer export updates the items it brought. All or nothing.
            </>
          ) : (
            <>One queryResult page: MD5, SHA-1 and PDQ become signals, A1…B2 the classification, deleted entries are removed. All or nothing.</>
          )
        }
      >
        <input
          type="file"
          accept={FORMATS[format].accept}
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            const named = f && formatOfName(f.name);
            if (named) setFormat(named);
            setJob(null);
            setProgress(null);
            setError(null);
          }}
        />
      </Field>
      <Button type="submit" weight="primary" disabled={!file} busy={busy} busyLabel="Importing…">
        Import
      </Button>
      {progress && (
        <progress
          aria-label="Import progress"
          max={job ? (running ? Math.max(running.total!, 1) : 1) : Math.max(progress.total, 1)}
          value={job ? (running ? running.done : job.state === 'queued' || job.state === 'running' ? undefined : 1) : progress.sent}
        />
      )}
      <Notice text={state} />
      {refused && (
        <div className="error" role="alert">
          <p>The file was not imported: {summary.replace(/^.*?: (?=nothing was imported)/, '')}</p>
          {reasons.length > 0 && (
            <ul className="import-reasons">
              {reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}
