import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

/** What a reasoned decision asks: what will happen, the reason's label, and the button that does it. */
export interface ReasonRequest {
  title: string;
  body: ReactNode;
  /** The reason field's label ("Why it is released"). */
  label: string;
  confirm: string;
  danger?: boolean;
}

/**
 * A modal that asks for a reason before a decision that is kept and audited (releasing a held
 * target, declining a package): the browser's `<dialog>` like ConfirmDialog (focus stays in it,
 * Escape cancels). `ask` resolves with the reason typed, or null on Cancel or Escape. The confirm
 * button does nothing until a reason is given.
 */
export function useReason(): { ask: (r: ReasonRequest) => Promise<string | null>; dialog: ReactNode } {
  const ref = useRef<HTMLDialogElement>(null);
  const [current, setCurrent] = useState<ReasonRequest | null>(null);
  const [reason, setReason] = useState('');
  const answer = useRef<((reason: string | null) => void) | null>(null);
  const close = (value: string | null) => {
    answer.current?.(value);
    answer.current = null;
    ref.current?.close();
    setCurrent(null);
  };
  const ask = (r: ReasonRequest) =>
    new Promise<string | null>((resolve) => {
      answer.current?.(null);
      answer.current = resolve;
      setReason('');
      setCurrent(r);
    });
  useEffect(() => {
    if (current && ref.current && !ref.current.open) ref.current.showModal();
  }, [current]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim()) close(reason.trim());
  };
  const dialog = (
    <dialog ref={ref} className="confirm" aria-labelledby="reason-title" onCancel={() => close(null)}>
      {current && (
        <form method="dialog" onSubmit={submit}>
          <h2 id="reason-title">{current.title}</h2>
          <div className="confirm-body">{current.body}</div>
          <div className="field">
            <label htmlFor="reason-text">{current.label}</label>
            <textarea id="reason-text" required autoFocus rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <p className="actions">
            <button type="button" className="secondary" onClick={() => close(null)}>
              Cancel
            </button>{' '}
            <button type="submit" className={current.danger ? 'danger' : undefined} disabled={!reason.trim()}>
              {current.confirm}
            </button>
          </p>
        </form>
      )}
    </dialog>
  );
  return { ask, dialog };
}
