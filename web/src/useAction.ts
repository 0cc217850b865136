import { useState } from 'react';
import { toProblem, type FieldSentences, type Problem } from './problems';
import { useToast } from './ui/Toasts';

/**
 * The busy flag and error of a user action (a form submit, a toggle): `run` clears the error,
 * marks busy, and on failure keeps the problem ("<failure>: <a sentence>", problems.ts), about a
 * field of the form when the API names one (`fields`: the form's own sentences for its fields).
 * With `toastErrors` a failure is also said in an error toast: for actions on a row of a long page,
 * whose error line at the top may be out of sight.
 */
export function useAction({ toastErrors = false }: { toastErrors?: boolean } = {}): {
  busy: boolean;
  error: Problem | null;
  run: (failure: string, work: () => Promise<void>, fields?: FieldSentences) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const toast = useToast();
  const run = async (failure: string, work: () => Promise<void>, fields?: FieldSentences) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      const problem = toProblem(err, fields, failure || undefined);
      setError(problem);
      if (toastErrors) toast.error(problem);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
