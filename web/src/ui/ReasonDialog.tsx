import { useRef, useState, type ReactNode } from 'react';
import { Button } from './Button';
import { Dialog } from './Dialog';
import { Field } from './Field';

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
 * A confirmation that asks for a reason before a decision that is kept and audited (releasing a
 * held target, declining a package): a Dialog like useConfirm's, with a required reason. `ask`
 * resolves with the reason typed, or null on Cancel or Escape; the confirm button does nothing
 * until a reason is given.
 */
export function useReason(): { ask: (r: ReasonRequest) => Promise<string | null>; dialog: ReactNode } {
  const [current, setCurrent] = useState<ReasonRequest | null>(null);
  const [reason, setReason] = useState('');
  const answer = useRef<((reason: string | null) => void) | null>(null);
  const close = (value: string | null) => {
    answer.current?.(value);
    answer.current = null;
    setCurrent(null);
  };
  const ask = (r: ReasonRequest) =>
    new Promise<string | null>((resolve) => {
      answer.current?.(null);
      answer.current = resolve;
      setReason('');
      setCurrent(r);
    });
  const dialog = (
    <Dialog
      open={current !== null}
      title={current?.title ?? ''}
      className="confirm"
      onClose={() => close(null)}
      actions={
        current && (
          <>
            <Button onClick={() => close(null)}>Cancel</Button>{' '}
            <Button weight={current.danger ? 'danger' : 'primary'} disabled={!reason.trim()} onClick={() => close(reason.trim())}>
              {current.confirm}
            </Button>
          </>
        )
      }
    >
      {current && (
        <>
          <div className="confirm-body">{current.body}</div>
          <Field id="reason-text" label={current.label}>
            <textarea required autoFocus rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
        </>
      )}
    </Dialog>
  );
  return { ask, dialog };
}
