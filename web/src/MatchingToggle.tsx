import { api, bankPath } from './api';
import { ErrorMessage } from './ErrorMessage';
import type { Bank } from './types';
import { useAction } from './useAction';

/** Turns a bank's matching on or off (content stays; lookups ignore the bank while off). */
export function MatchingToggle({ bank, onChanged }: { bank: Bank; onChanged: (b: Bank) => void }) {
  const { busy, error, run } = useAction();
  const toggle = () =>
    run('Matching was not changed', async () =>
      onChanged(await api<Bank>(bankPath(bank.name), { method: 'PATCH', json: { matching_enabled: !bank.matching_enabled } })),
    );
  return (
    <div className="matching">
      <p>
        Matching:{' '}
        <strong className={bank.matching_enabled ? 'on' : 'off'} data-testid="matching-state">
          {bank.matching_enabled ? 'enabled' : 'disabled'}
        </strong>
        {bank.matching_enabled && bank.enabled_ratio < 1 && ` for ${Math.round(bank.enabled_ratio * 100)}% of its content`}
      </p>
      <button type="button" onClick={toggle} disabled={busy}>
        {bank.matching_enabled ? 'Disable matching' : 'Enable matching'}
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
