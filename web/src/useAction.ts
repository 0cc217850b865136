import { useState } from 'react';
import { errorMessage } from './api';

/**
 * The busy flag and error message of a user action (a form submit, a toggle): `run` clears the
 * error, marks busy, and on failure shows "<failure>: <the API's message>".
 */
export function useAction(): { busy: boolean; error: string | null; run: (failure: string, work: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (failure: string, work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(failure ? `${failure}: ${errorMessage(err)}` : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
