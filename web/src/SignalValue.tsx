/** A signal's value: hashes in full, vPDQ (one line per frame) folded. */
export function SignalValue({ type, value }: { type: string; value: string }) {
  const lines = value.trim().split('\n');
  if (lines.length <= 1) return <code className="hash">{value}</code>;
  return (
    <details>
      <summary>{lines.length.toLocaleString('en')} frame hashes</summary>
      <pre className="hash" aria-label={`${type} value`}>
        {value}
      </pre>
    </details>
  );
}
