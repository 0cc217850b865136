import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import type { FieldSentences } from './problems';
import type { Bank } from './types';
import { Button } from './ui/Button';
import { Field } from './ui/Field';
import { useAction } from './useAction';

/** What the API's refusals of the form's fields mean (problems.ts). */
const FIELDS: FieldSentences = {
  'body/name': { label: 'name', invalid: 'A bank name uses capital letters, digits and underscores, e.g. HOTLINE_2026.' },
  'body/description': { label: 'description' },
};

/** Creates a bank; the name is upper-case letters, digits and underscores. */
export function CreateBankForm({ onCreated }: { onCreated: (bank: Bank) => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'positive' | 'negative'>('positive');
  const [description, setDescription] = useState('');
  const { busy, error, run } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    return run(
      'The bank was not created',
      async () => {
        const bank = await api<Bank>('/banks', { json: { name: name.trim(), kind, ...(description.trim() ? { description: description.trim() } : {}) } });
        setName('');
        setDescription('');
        onCreated(bank);
      },
      FIELDS,
    );
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-bank">
      <h2 id="create-bank">Create a bank</h2>
      <Field id="bank-name" label="Name" error={error} field="body/name" hint="Capital letters, digits and _ only, e.g. HOTLINE_2026.">
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} spellCheck={false} />
      </Field>
      <Field id="bank-kind" label="Kind">
        <select value={kind} onChange={(e) => setKind(e.target.value as 'positive' | 'negative')}>
          <option value="positive">positive (known material)</option>
          <option value="negative">negative (allow-list)</option>
        </select>
      </Field>
      <Field id="bank-description" label="Description" error={error} field="body/description">
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
      </Field>
      <Button type="submit" weight="primary" busy={busy} busyLabel="Creating…">
        Create bank
      </Button>
      <ErrorMessage error={error} beside={['body/name', 'body/description']} />
    </form>
  );
}
