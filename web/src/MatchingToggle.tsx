import { api, bankPath } from './api';
import { ErrorMessage } from './ErrorMessage';
import type { Bank } from './types';
import { Button } from './ui/Button';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';

/** Turns a bank's matching on or off (content stays; lookups ignore the bank while off). */
export function MatchingToggle({ bank, onChanged }: { bank: Bank; onChanged: (b: Bank) => void }) {
  const { busy, error, run } = useAction();
  const toast = useToast();
  const toggle = () =>
    run('Matching was not changed', async () => {
      const b = await api<Bank>(bankPath(bank.name), { method: 'PATCH', json: { matching_enabled: !bank.matching_enabled } });
      onChanged(b);
      toast.success(b.matching_enabled ? `Matching enabled for ${b.name}.` : `Matching disabled for ${b.name}: lookups ignore it until enabled again.`);
    });
  return (
    <div className="matching">
      <p>
        Matching:{' '}
        <strong className={bank.matching_enabled ? 'on' : 'off'} data-testid="matching-state">
          {bank.matching_enabled ? 'enabled' : 'disabled'}
        </strong>
        {bank.matching_enabled && bank.enabled_ratio < 1 && ` for ${Math.round(bank.enabled_ratio * 100)}% of its content`}
      </p>
      <Button onClick={() => void toggle()} disabled={busy}>
        {bank.matching_enabled ? 'Disable matching' : 'Enable matching'}
      </Button>
      <ErrorMessage error={error} />
    </div>
  );
}
