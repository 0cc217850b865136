import { useState } from 'react';
import { toProblem, type FieldSentences, type Problem } from './problems';

/**
 * The busy flag and error of a user action (a form submit, a toggle): `run` clears the error,
 * marks busy, and on failure keeps the problem ("<failure>: <a sentence>", problems.ts), about a
 * field of the form when the API names one (`fields`: the form's own sentences for its fields).
 */
export function useAction(): {
  busy: boolean;
  error: Problem | null;
  run: (failure: string, work: () => Promise<void>, fields?: FieldSentences) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const run = async (failure: string, work: () => Promise<void>, fields?: FieldSentences) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(toProblem(err, fields, failure || undefined));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
