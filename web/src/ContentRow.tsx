import { api } from './api';
import { classificationText } from './classifications';
import { ErrorMessage } from './ErrorMessage';
import { SignalValue } from './SignalValue';
import type { Content } from './types';
import { Button } from './ui/Button';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';

/** "Until re-enabled" on the server (src/banks/bank-service.ts DISABLED_FOREVER). */
const FOREVER = '9999-12-31T23:59:59.000Z';

function status(c: Content): string {
  if (c.enabled) return 'enabled';
  if (!c.disabled_until || c.disabled_until.startsWith('9999')) return 'disabled';
  return `disabled until ${c.disabled_until.slice(0, 16).replace('T', ' ')} UTC`;
}

/** One content item of a bank, with disable / re-enable and delete (`onDelete` asks first: ContentList). */
export function ContentRow({ content: c, onChanged, onDelete }: { content: Content; onChanged: (c: Content) => void; onDelete?: (c: Content) => void }) {
  const { busy, error, run } = useAction();
  const toast = useToast();
  const toggle = () =>
    run('', async () => {
      const u = await api<Content>(`/content/${c.id}`, { method: 'PATCH', json: { disabled_until: c.enabled ? FOREVER : null } });
      onChanged(u);
      toast.success(u.enabled ? `Content ${u.id} re-enabled: it matches again.` : `Content ${u.id} disabled: it no longer matches.`);
    });
  return (
    <tr data-content={c.id} className={c.enabled ? undefined : 'disabled'}>
      <th scope="row">{c.id}</th>
      <td>
        <ul className="signals">
          {c.signals.map((s) => (
            <li key={s.id}>
              <span className="type">{s.signal_type}</span> <SignalValue type={s.signal_type} value={s.value} />
              {s.quality !== null && <span className="muted"> q{s.quality}</span>}
            </li>
          ))}
        </ul>
      </td>
      <td>{classificationText(c.classification)}</td>
      <td>
        {c.tags.map((t) => (
          <span key={t}>
            <span className="tag">{t}</span>{' '}
          </span>
        ))}
        {c.note && <div className="muted">{c.note}</div>}
      </td>
      <td className={c.enabled ? 'on' : 'off'}>{status(c)}</td>
      <td>
        <Button onClick={() => void toggle()} disabled={busy} aria-label={`${c.enabled ? 'Disable' : 'Re-enable'} content ${c.id}`}>
          {c.enabled ? 'Disable' : 'Re-enable'}
        </Button>
        {onDelete && (
          <>
            {' '}
            <Button weight="danger" onClick={() => onDelete(c)} disabled={busy} aria-label={`Delete content ${c.id}`}>
              Delete
            </Button>
          </>
        )}
        <ErrorMessage error={error} />
      </td>
    </tr>
  );
}
