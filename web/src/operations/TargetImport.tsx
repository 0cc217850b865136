import { useState, type FormEvent } from 'react';
import type { OperationImport } from '../../../src/api/contract/index.js';
import { ApiError, session } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { Notice } from '../Notice';
import { toProblem, type Problem } from '../problems';
import { countryName } from './shared';
import { Button } from '../ui';

/** The largest file the API takes over HTTP (src/api/v1/operations.ts TARGET_BODY_LIMIT); larger ones go through the CLI. */
const LIMIT = 32 * 1024 * 1024;

/** The file's type by its name: CSV, JSON lines or JSON. */
const typeOf = (name: string) => (/\.csv$/i.test(name) ? 'text/csv' : /\.(ndjson|jsonl)$/i.test(name) ? 'application/x-ndjson' : 'application/json');

/** POSTs a file with its type, reporting the bytes sent (fetch has no upload progress), and answers the JSON. */
function upload<T>(path: string, file: File, onProgress: (sent: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    const token = session.token();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', typeOf(file.name));
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The server could not be reached.'));
    xhr.onload = () => {
      let data: (T & { code?: string; message?: string }) | undefined;
      try {
        data = JSON.parse(xhr.responseText || '{}') as T & { code?: string; message?: string };
      } catch {
        // not JSON: the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300 && data) resolve(data);
      else reject(new ApiError(xhr.status, data?.code ?? `HTTP_${xhr.status}`, data?.message ?? `The server answered ${xhr.status}.`));
    };
    xhr.send(file);
  });
}

const kb = (n: number) => `${(n / 1024).toLocaleString('en', { maximumFractionDigits: 1 })} KB`;

/**
 * Imports a target file (CSV, JSON or JSON lines: docs/operations.md) into the operation: the
 * upload's progress in bytes, then what was imported per country, or the line the API refused
 * (an import is all or nothing: nothing of a refused file is kept).
 */
export function TargetImport({ operation, onImported }: { operation: number; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [result, setResult] = useState<OperationImport | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setResult(null);
    if (file.size > LIMIT) {
      setError({
        title: 'The target file was not imported',
        sentence: `It is ${kb(file.size)}; the web UI takes up to 32 MB. Import larger files with alliance operation import ${operation} FILE.`,
      });
      return;
    }
    setBusy(true);
    setProgress({ sent: 0, total: file.size });
    try {
      const r = await upload<OperationImport>(`/operations/${operation}/targets`, file, (sent, total) => setProgress({ sent, total }));
      setResult(r);
      onImported();
    } catch (err) {
      setError(toProblem(err, {}, 'The target file was not imported (nothing of it was kept)'));
    } finally {
      setBusy(false);
    }
  };

  const state = result
    ? `Imported ${result.imported.toLocaleString('en')} target${result.imported === 1 ? '' : 's'}.`
    : busy && progress
      ? progress.sent < progress.total
        ? `Uploading: ${kb(progress.sent)} of ${kb(progress.total)}.`
        : 'Uploaded; checking, matching and attributing the targets…'
      : null;

  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="target-import">
      <h3 id="target-import">Import targets</h3>
      <div className="field">
        <label htmlFor="target-file">Target file</label>
        <input
          id="target-file"
          type="file"
          accept=".csv,.json,.ndjson,.jsonl,text/csv,application/json"
          aria-describedby="target-file-hint"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setResult(null);
            setProgress(null);
            setError(null);
          }}
        />
        <small id="target-file-hint">
          CSV with a header (<code>ref,username,email,ip,account_country,payment_ref,device_id,hashes</code>; several values separated by <code>;</code>), JSON
          or JSON lines. Hashes only, never media. All or nothing: a file with an error imports nothing.
        </small>
      </div>
      <Button weight="primary" type="submit" disabled={busy || !file}>
        {busy ? 'Importing…' : 'Import'}
      </Button>
      {busy && progress && (
        <progress aria-label="Import progress" max={Math.max(progress.total, 1)} value={progress.sent < progress.total ? progress.sent : undefined} />
      )}
      <Notice text={state} />
      {result && result.countries.length > 0 && (
        <ul className="import-result" aria-label="The operation's targets per country now">
          {result.countries.map((c) => (
            <li key={c.country ?? '-'} data-country={c.country ?? 'none'}>
              {countryName(c.country)}: {c.targets.toLocaleString('en')} ({c.confidence.high} high, {c.confidence.medium} medium, {c.confidence.low} low
              {c.confidence.none ? `, ${c.confidence.none} without evidence` : ''})
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}
