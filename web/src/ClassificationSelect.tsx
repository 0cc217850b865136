import { CLASSIFICATIONS } from './classifications';

/** A labelled select of classification labels ("" = none). */
export function ClassificationSelect({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>Classification</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">none</option>
        {CLASSIFICATIONS.map((g) => (
          <optgroup key={g.scheme} label={g.scheme}>
            {g.labels.map(([v, text]) => (
              <option key={v} value={v}>
                {g.scheme} {text}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}
