import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { FilePreview } from './FilePreview';
import { MatchResults } from './MatchResults';
import { PageHeading } from './PageHeading';
import { SignalTypeSelect } from './SignalTypeSelect';
import { ModeChoice } from './ModeChoice';
import type { LookupResult, UploadLookup } from './types';
import { Button } from './ui/Button';
import { Field } from './ui/Field';
import { useAction } from './useAction';

/** Match an upload (hashed on the node, then dropped) or a pasted hash against the banks. */
export function MatchPage() {
  const [mode, setMode] = useState<'upload' | 'hash'>('upload');
  const [file, setFile] = useState<File | null>(null);
  const [signalType, setSignalType] = useState('pdq');
  const [hash, setHash] = useState('');
  const [outcome, setOutcome] = useState<{ results: LookupResult[]; media?: string } | null>(null);
  const { busy, error, run } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOutcome(null);
    return run('The lookup failed', async () => {
      if (mode === 'upload') {
        if (!file) throw new Error('Choose a file to match.');
        const form = new FormData();
        form.append('file', file);
        const r = await api<UploadLookup>('/lookup/upload', { form });
        setOutcome({ results: r.results, media: r.format ? `${r.media} (${r.format})` : r.media });
      } else {
        setOutcome({ results: [await api<LookupResult>('/lookup', { json: { signal_type: signalType, signal: hash.trim() } })] });
      }
    });
  };

  return (
    <>
      <PageHeading title="Match" />
      <p>Nothing you upload is stored: the node hashes the file, matches the hashes and drops it. The preview below stays in your browser.</p>
      <form className="card" onSubmit={submit} aria-label="Match">
        <ModeChoice
          legend="Match by"
          name="match-mode"
          value={mode}
          onChange={setMode}
          options={[
            ['upload', 'uploading a file'],
            ['hash', 'pasting a hash'],
          ]}
        />
        {mode === 'upload' ? (
          <div className="field">
            <label htmlFor="match-file">File (image or video)</label>
            <input
              id="match-file"
              type="file"
              accept="image/*,video/*"
              required
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setOutcome(null);
              }}
            />
          </div>
        ) : (
          <>
            <SignalTypeSelect id="match-signal-type" value={signalType} onChange={setSignalType} />
            <Field id="match-hash" label="Hash">
              <textarea rows={2} value={hash} onChange={(e) => setHash(e.target.value)} required spellCheck={false} />
            </Field>
          </>
        )}
        <Button type="submit" weight="primary" busy={busy} busyLabel="Matching…">
          Match
        </Button>
      </form>
      <ErrorMessage error={error} />
      <div className="match-layout">
        {mode === 'upload' && <FilePreview file={file} />}
        {outcome && <MatchResults results={outcome.results} media={outcome.media} />}
      </div>
    </>
  );
}
