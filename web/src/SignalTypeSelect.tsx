import { useEffect, useState } from 'react';
import { api } from './api';
import type { SignalTypeInfo } from './types';

const FALLBACK: SignalTypeInfo[] = ['pdq', 'vpdq', 'md5', 'sha1', 'sha256'].map((name) => ({ name, description: '', media: '' }));
let cached: Promise<SignalTypeInfo[]> | undefined;

function loadTypes(): Promise<SignalTypeInfo[]> {
  cached ??= api<{ signal_types: SignalTypeInfo[] }>('/signal-types').then(
    (r) => r.signal_types,
    () => {
      cached = undefined;
      return FALLBACK;
    },
  );
  return cached;
}

/** A labelled select of the node's signal types (from /signal-types). */
export function SignalTypeSelect({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const [types, setTypes] = useState<SignalTypeInfo[]>(FALLBACK);
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
