import { problemText, type Problem } from './problems';
import { FieldProblem } from './ui/Field';

/**
 * An error, announced to screen readers: the sentence (problems.ts), and the catalogue's code and
 * the HTTP status in a small detail line. When the form shows the sentence beside the field it
 * concerns (FieldError; the field is in `beside`), this line points there instead of repeating it.
 */
export function ErrorMessage({ error, beside }: { error?: Problem | string | null; beside?: readonly string[] }) {
  if (!error) return null;
  if (typeof error === 'string')
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  const there = error.field && beside?.includes(error.field);
  return (
    <div className="error" role="alert">
      <p>{there ? problemText({ ...error, sentence: `see the ${error.label ?? 'marked'} field.` }) : problemText(error)}</p>
      {error.code && (
        <p className="error-detail">
          {error.code}
          {error.status ? ` · HTTP ${error.status}` : ''}
        </p>
      )}
    </div>
  );
}

/** The sentence about one field, shown beside it with the code below (give the input `aria-describedby={id}` and `aria-invalid`; ui/Field does both). */
export function FieldError({ error, field, id }: { error?: Problem | string | null; field: string; id: string }) {
  if (!error || typeof error === 'string' || error.field !== field) return null;
  return <FieldProblem problem={error} id={id} />;
}

/** Whether the error concerns this field (for the input's aria-invalid). */
export const concerns = (error: Problem | string | null | undefined, field: string) => typeof error === 'object' && error?.field === field;
