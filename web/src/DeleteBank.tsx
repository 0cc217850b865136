import { useState } from 'react';
import { api, bankPath } from './api';
import { ErrorMessage } from './ErrorMessage';
import { navigate } from './router';
import type { Bank } from './types';
import { Button } from './ui/Button';
import { Dialog } from './ui/Dialog';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';

/**
 * Deleting a bank: a danger button that opens a dialog saying what goes (every content item and
 * signal) and what peers see; its own danger button is enabled only once the bank's name is typed.
 * After the deletion: a toast, and back to /banks.
 */
export function DeleteBank({ bank }: { bank: Bank }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const { busy, error, run } = useAction();
  const toast = useToast();
  const signals = Object.values(bank.signal_counts).reduce((a, b) => a + b, 0);
  const byType = Object.entries(bank.signal_counts)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
    .join(', ');
  const close = () => {
    setOpen(false);
    setTyped('');
  };
  const remove = () =>
    run(`Bank ${bank.name} was not deleted`, async () => {
      const r = await api<{ signals_removed: number }>(bankPath(bank.name), { method: 'DELETE' });
      close();
      toast.success(`Bank ${bank.name} deleted, with ${r.signals_removed.toLocaleString('en')} signals.`);
      navigate('/banks');
    });
  return (
    <section aria-labelledby="delete-bank-heading" className="danger-zone">
      <h2 id="delete-bank-heading">Delete this bank</h2>
      <Button weight="danger" onClick={() => setOpen(true)}>
        Delete bank {bank.name}…
      </Button>
      <Dialog
        open={open}
        title={`Delete bank ${bank.name}?`}
        className="confirm"
        onClose={close}
        actions={
          <>
            <Button autoFocus onClick={close}>
              Cancel
            </Button>{' '}
            <Button weight="danger" disabled={typed !== bank.name} busy={busy} busyLabel="Deleting…" onClick={() => void remove()}>
              Delete the bank
            </Button>
          </>
        }
      >
        <p>
          Bank {bank.name} is deleted with its {bank.content_count.toLocaleString('en')} content items and {signals.toLocaleString('en')} signals
          {byType ? ` (${byType})` : ''}: nothing in it matches again. If the bank is published, its publication ends with it: peers subscribed to it get
          nothing more from its feed, and the copies they already fetched are not removed by this. This cannot be undone.
        </p>
        <div className="field type-to-confirm">
          <label htmlFor="delete-bank-name">Type the bank's name, {bank.name}, to delete it</label>
          <input id="delete-bank-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        </div>
        <ErrorMessage error={error} />
      </Dialog>
    </section>
  );
}
