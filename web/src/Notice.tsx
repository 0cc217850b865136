/** A success or progress message, announced politely. */
export function Notice({ text }: { text?: string | null }) {
  return (
    <p className="notice" role="status" aria-live="polite">
      {text ?? ''}
    </p>
  );
}
