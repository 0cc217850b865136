import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, bankPath, session } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Notice } from './Notice';
import { toProblem, type Problem } from './problems';

interface ImportJob {
  id: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  error: string | null;
  result: { contents?: number; skipped?: number } | null;
}

/** Sends the file as text/csv, reporting the bytes sent (fetch has no upload progress). */
function upload(path: string, file: File, onProgress: (sent: number, total: number) => void): Promise<{ job_id: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    const token = session.token();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', 'text/csv');
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
 * Imports a CSV (signal_type,signal[,classification][,tags][,note][,content]) or `alliance hash`
 * output into the bank as a background job: the upload's progress in bytes, then the job's state,
 * then its result — content added and files skipped — or the refused lines with their reasons
 * (an import is all or nothing: a file with an error adds nothing).
 */
export function ImportForm({ bank, onImported }: { bank: string; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
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
      const { job_id } = await upload(`${bankPath(bank)}/import`, file, (sent, total) => setProgress({ sent, total }));
      let j = await api<ImportJob>(`/jobs/${job_id}`);
      while (live.current && (j.state === 'queued' || j.state === 'running')) {
        setJob(j);
        await new Promise((r) => setTimeout(r, 500));
        j = await api<ImportJob>(`/jobs/${job_id}`);
      }
      setJob(j);
      if (j.state === 'done') onImported();
    } catch (err) {
      setError(toProblem(err, {}, 'The file was not imported'));
    } finally {
      setBusy(false);
    }
  };

  const refused = job?.state === 'failed' ? (job.error ?? 'the import failed') : null;
  // "…: nothing was imported; fix these:\n  line 3: …" → the summary and one reason per line.
  const [summary, ...reasons] = refused ? refused.split('\n').map((l) => l.trim()) : [];
  const state =
    job?.state === 'queued'
      ? 'Uploaded; the import is waiting to run.'
      : job?.state === 'running'
        ? 'Importing…'
        : job?.state === 'done'
          ? `Imported: ${(job.result?.contents ?? 0).toLocaleString('en')} content added, ${(job.result?.skipped ?? 0).toLocaleString('en')} skipped.`
          : progress
            ? `Uploading: ${kb(progress.sent)} of ${kb(progress.total)}.`
            : null;

  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="import-heading">
      <h2 id="import-heading">Import a file</h2>
      <div className="field">
        <label htmlFor="import-file">CSV file</label>
        <input
          id="import-file"
          type="file"
          accept=".csv,text/csv"
          aria-describedby="import-hint"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setJob(null);
            setProgress(null);
            setError(null);
          }}
        />
        <small id="import-hint">
          Header <code>signal_type,signal[,classification][,tags][,note][,content]</code>, tags separated by <code>;</code>, or the CSV of{' '}
          <code>alliance hash</code>. All or nothing: a file with an error adds nothing. VICS and NCMEC files: <code>alliance import</code>.
        </small>
      </div>
      <button type="submit" disabled={busy || !file}>
        {busy ? 'Importing…' : 'Import'}
      </button>
      {progress && (
        <progress
          aria-label="Import progress"
          max={job ? 1 : Math.max(progress.total, 1)}
          value={job ? (job.state === 'queued' || job.state === 'running' ? undefined : 1) : progress.sent}
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
