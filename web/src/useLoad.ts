import { useCallback, useEffect, useState } from 'react';
import { toProblem, type Problem } from './problems';

export interface Loaded<T> {
  /** What load() gave for the current dependencies; undefined until it has answered for them. */
  data?: T;
  error?: Problem;
  loading: boolean;
  reload: () => void;
}

const sameDeps = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/**
 * Loads data when the dependencies change (or on reload()), ignoring answers that come too late.
 * Data loaded for other dependencies is never returned, not even for the one render before the
 * new load starts: a page labelled "Help directory of BE" never shows another country's rows, and
 * a form never saves what it loaded for another period. A reload() keeps the data until it answers.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Problem; loading: boolean; deps?: unknown[] }>({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false, deps }),
      (err: unknown) => live && setState({ error: toProblem(err), loading: false, deps }),
    );
    return () => {
      live = false;
    };
  }, [...deps, version]); // the caller lists what load() depends on
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  if (!state.deps || !sameDeps(state.deps, deps)) return { loading: true, reload };
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
