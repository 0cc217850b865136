import { useEffect, useState } from 'react';
import { api } from './api';
import type { SignalTypeInfo } from './types';

let cached: Promise<SignalTypeInfo[]> | undefined;

/** The node's signal types, asked once (again after a failure). */
function loadTypes(): Promise<SignalTypeInfo[]> {
  cached ??= api<{ signal_types: SignalTypeInfo[] }>('/signal-types').then(
    (r) => r.signal_types,
    () => {
      cached = undefined;
      return [];
    },
  );
  return cached;
}

/**
 * A labelled select of the node's signal types, as the server lists them (/signal-types): no list
 * of its own, so a type the node gains appears here. Until the list arrives (or if it cannot be
 * had) the select offers the current value only.
 */
export function SignalTypeSelect({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const [loaded, setTypes] = useState<SignalTypeInfo[]>([]);
  const types = !value || loaded.some((t) => t.name === value) ? loaded : [{ name: value, description: '', media: '' }, ...loaded];
  useEffect(() => {
    let live = true;
    void loadTypes().then((t) => live && setTypes(t));
    return () => {
      live = false;
    };
  }, []);
  return (
    <div className="field">
      <label htmlFor={id}>Signal type</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {types.map((t) => (
          <option key={t.name} value={t.name} title={t.description}>
            {t.name}
          </option>
        ))}
      </select>
    </div>
  );
}
