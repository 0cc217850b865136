/** A pair of radio buttons choosing how to give content: by uploading a file or by pasting a hash. */
export function ModeChoice<M extends string>({
  legend,
  name,
  value,
  options,
  onChange,
}: {
  legend: string;
  name: string;
  value: M;
  options: Array<[M, string]>;
  onChange: (m: M) => void;
}) {
  return (
    <fieldset className="modes">
      <legend>{legend}</legend>
      {options.map(([m, label]) => (
        <label key={m}>
          <input type="radio" name={name} checked={value === m} onChange={() => onChange(m)} /> {label}
        </label>
      ))}
    </fieldset>
  );
}
