import { useEffect, useRef, useState, type ReactNode } from 'react';

/** What a confirmation asks: what will happen, in words, and the button that makes it happen. */
export interface Confirmation {
  title: string;
  /** What will happen ("sends an incident report to the country's authority"), and that it cannot be undone. */
  body: ReactNode;
  /** The deliberate second action's label ("Confirm the match"). */
  confirm: string;
  /** Red: it destroys or sends something. */
  danger?: boolean;
}

/**
 * A modal confirmation for what cannot be undone (the browser's own `<dialog>`: focus moves into
 * it and stays there, Escape cancels). `ask` opens it and resolves true only when the person
 * presses the confirm button — never on Escape, Cancel or a click outside.
 */
export function useConfirm(): { ask: (c: Confirmation) => Promise<boolean>; dialog: ReactNode } {
  const ref = useRef<HTMLDialogElement>(null);
  const [current, setCurrent] = useState<Confirmation | null>(null);
  const answer = useRef<((yes: boolean) => void) | null>(null);
  const close = (yes: boolean) => {
    answer.current?.(yes);
    answer.current = null;
    ref.current?.close();
    setCurrent(null);
  };
  const ask = (c: Confirmation) =>
    new Promise<boolean>((resolve) => {
      answer.current?.(false);
      answer.current = resolve;
      setCurrent(c);
    });
  // Shown as a modal once rendered with its content.
  useEffect(() => {
    if (current && ref.current && !ref.current.open) ref.current.showModal();
  }, [current]);
  const dialog = (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-title" onCancel={() => close(false)}>
      {current && (
        <form method="dialog" onSubmit={(e) => e.preventDefault()}>
          <h2 id="confirm-title">{current.title}</h2>
          <div className="confirm-body">{current.body}</div>
          <p className="actions">
            <button type="button" className="secondary" autoFocus onClick={() => close(false)}>
              Cancel
            </button>{' '}
            <button type="button" className={current.danger ? 'danger' : undefined} onClick={() => close(true)}>
              {current.confirm}
            </button>
          </p>
        </form>
      )}
    </dialog>
  );
  return { ask, dialog };
}

/** Closing a series: the status cannot be changed again. */
export const closing = (name: string): Confirmation => ({
  title: `Close series ${name}?`,
  body: <p>A closed series cannot be reopened or changed: its status, victims and referrals stay as they are, and peers learn it is closed.</p>,
  confirm: 'Close the series',
  danger: true,
});
