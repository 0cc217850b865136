import { cloneElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import type { Problem } from '../problems';

/**
 * A form field: its label, the control (the one child: it gets the id, aria-invalid and
 * aria-describedby), a hint, and — when the API refused this field's value — the sentence beside
 * it with the catalogue's code and HTTP status in a small detail line below.
 */
export function Field({
  id,
  label,
  hint,
  error,
  field,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  /** The form's problem (useAction's error); shown here when it concerns `field`. */
  error?: Problem | string | null;
  /** The request field it concerns, as the API names it (`body/name`). */
  field?: string;
  children: ReactElement<Record<string, unknown>>;
}) {
  const problem = field && error && typeof error === 'object' && error.field === field ? error : null;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const own = isValidElement(children) ? (children.props['aria-describedby'] as string | undefined) : undefined;
  const describedBy = [problem ? errorId : '', hint ? hintId : '', own ?? ''].filter(Boolean).join(' ') || undefined;
  const control = isValidElement(children)
    ? cloneElement(children, { id, 'aria-invalid': problem ? true : undefined, 'aria-describedby': describedBy })
    : children;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {problem && <FieldProblem problem={problem} id={errorId} />}
      {hint && <small id={hintId}>{hint}</small>}
    </div>
  );
}

/** The refusal of one field: the sentence (its id for aria-describedby), then the code and status. */
export function FieldProblem({ problem, id }: { problem: Problem; id: string }): ReactNode {
  return (
    <>
      <p className="field-error" id={id}>
        {problem.sentence}
      </p>
      {problem.code && (
        <p className="field-error-detail">
          {problem.code}
          {problem.status ? ` · HTTP ${problem.status}` : ''}
        </p>
      )}
    </>
  );
}
