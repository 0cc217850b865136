import { useState, type FormEvent } from 'react';
import { api, bankPath } from './api';
import { ClassificationSelect } from './ClassificationSelect';
import { ErrorMessage } from './ErrorMessage';
import { FilePreview } from './FilePreview';
import { SignalTypeSelect } from './SignalTypeSelect';
import { ModeChoice } from './ModeChoice';
import type { Content } from './types';
import { Button } from './ui/Button';
import { Field } from './ui/Field';
import { useAction } from './useAction';

/** Adds content to a bank by uploading a file (hashed on the server, then dropped) or by pasting a hash. */
export function AddContentForm({ bank, onAdded }: { bank: string; onAdded: (c: Content) => void }) {
  const [mode, setMode] = useState<'hash' | 'upload'>('hash');
  const [signalType, setSignalType] = useState('pdq');
  const [hash, setHash] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [classification, setClassification] = useState('');
  const [tags, setTags] = useState('');
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    return run('The content was not added', async () => {
      let added: Content;
      if (mode === 'upload') {
        if (!file) throw new Error('Choose a file to upload.');
        const form = new FormData();
        if (classification) form.append('classification', classification);
        if (tags.trim()) form.append('tags', tags);
        if (note.trim()) form.append('note', note.trim());
        form.append('file', file);
        added = await api<Content>(`${bankPath(bank)}/content/upload`, { form });
      } else {
        const tagList = tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        added = await api<Content>(`${bankPath(bank)}/content`, {
          json: {
            signals: [{ signal_type: signalType, value: hash.trim() }],
            ...(classification ? { classification } : {}),
            tags: tagList,
            ...(note.trim() ? { note: note.trim() } : {}),
          },
        });
        setHash('');
      }
      onAdded(added);
    });
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-content">
      <h2 id="add-content">Add content</h2>
      <ModeChoice
        legend="Add by"
        name="add-mode"
        value={mode}
        onChange={setMode}
        options={[
          ['hash', 'pasting a hash'],
          ['upload', 'uploading a file'],
        ]}
      />
      {mode === 'hash' ? (
        <>
          <SignalTypeSelect id="add-signal-type" value={signalType} onChange={setSignalType} />
          <Field id="add-hash" label="Hash">
            <textarea rows={2} value={hash} onChange={(e) => setHash(e.target.value)} required spellCheck={false} />
          </Field>
        </>
      ) : (
        <div className="field">
          <label htmlFor="add-file">File (image or video; hashed on the node, not kept)</label>
          <input id="add-file" type="file" accept="image/*,video/*" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
          <FilePreview file={file} />
        </div>
      )}
      <ClassificationSelect id="add-classification" value={classification} onChange={setClassification} />
      <Field id="add-tags" label="Tags (comma-separated)" error={error} field="body/tags">
        <input value={tags} onChange={(e) => setTags(e.target.value)} />
      </Field>
      <Field id="add-note" label="Note" error={error} field="body/note">
        <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
      </Field>
      <Button type="submit" weight="primary" busy={busy} busyLabel="Adding…">
        Add content
      </Button>
      <ErrorMessage error={error} beside={['body/tags', 'body/note']} />
    </form>
  );
}
