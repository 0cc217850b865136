import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button } from './Button';

/**
 * A modal dialog: the browser's own `<dialog>` (focus moves into it and stays there, Escape
 * closes it), labelled by its title, with its actions at the foot.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  actions,
  className,
}: {
  open: boolean;
  title: string;
  /** Escape, or an action that closes it. */
  onClose: () => void;
  children?: ReactNode;
  actions?: ReactNode;
  className?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={['dialog', className].filter(Boolean).join(' ')}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <form method="dialog" onSubmit={(e) => e.preventDefault()}>
          <h2 id={titleId}>{title}</h2>
          <div className="dialog-body">{children}</div>
          {actions && <p className="actions">{actions}</p>}
        </form>
      )}
    </dialog>
  );
}

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
 * A confirmation for what cannot be undone, as a Dialog: `ask` opens it and resolves true only
 * when the person presses the confirm button — never on Escape, Cancel or a click outside.
 */
export function useConfirm(): { ask: (c: Confirmation) => Promise<boolean>; dialog: ReactNode } {
  const [current, setCurrent] = useState<Confirmation | null>(null);
  const answer = useRef<((yes: boolean) => void) | null>(null);
  const close = (yes: boolean) => {
    answer.current?.(yes);
    answer.current = null;
    setCurrent(null);
  };
  const ask = (c: Confirmation) =>
    new Promise<boolean>((resolve) => {
      answer.current?.(false);
      answer.current = resolve;
      setCurrent(c);
    });
  const dialog = (
    <Dialog
      open={current !== null}
      title={current?.title ?? ''}
      className="confirm"
      onClose={() => close(false)}
      actions={
        current && (
          <>
            <Button autoFocus onClick={() => close(false)}>
              Cancel
            </Button>{' '}
            <Button weight={current.danger ? 'danger' : 'primary'} onClick={() => close(true)}>
              {current.confirm}
            </Button>
          </>
        )
      }
    >
      {current?.body}
    </Dialog>
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
