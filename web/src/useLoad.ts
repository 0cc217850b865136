import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from './api';

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/** Loads data when the dependencies change (or on reload()), ignoring answers that come too late. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (err: unknown) => live && setState({ error: errorMessage(err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, version]); // the caller lists what load() depends on
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}
