import { useState } from 'react';
import type { Operation, OperationCountryList, OperationDeconfliction, OperationTarget } from '../../../src/api/contract/index.js';
import { api } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { Notice } from '../Notice';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { when } from '../when';
import { Button, useReason } from '../ui';
import { countryName } from './shared';

/** The API's largest page. */
const PAGE = 1000;

/** Every target with a deconfliction `status` (held, or released), a page at a time. */
async function targetsWith(id: number, status: 'held' | 'released'): Promise<OperationTarget[]> {
  const found: OperationTarget[] = [];
  for (;;) {
    const { targets } = await api<{ targets: OperationTarget[] }>(`/operations/${id}/targets?status=${status}&limit=${PAGE}&offset=${found.length}`);
    found.push(...targets);
    if (targets.length < PAGE) return found;
  }
}

async function targetsWithOverlaps(id: number): Promise<{ held: OperationTarget[]; released: OperationTarget[] }> {
  const [held, released] = await Promise.all([targetsWith(id, 'held'), targetsWith(id, 'released')]);
  return { held, released };
}

/**
 * Deconfliction first: the check (each target's identifiers as keyed hashes against every other
 * case, this node's and the federation's), the targets it holds with the other case's contact
 * point, and releasing one — after speaking to them — with the reason (kept and audited).
 */
export function DeconflictionTab({ operation }: { operation: Operation }) {
  const id = operation.id;
  const [version, setVersion] = useState(0);
  const lines = useLoad(() => api<OperationCountryList>(`/operations/${id}/countries`), [id, version]);
  const held = useLoad(() => targetsWithOverlaps(id), [id, operation.targets, version]);
  const { busy, error, run } = useAction();
  const { ask, dialog } = useReason();
  const [said, setSaid] = useState<string | null>(null);

  const check = () =>
    run('The deconfliction check did not run', async () => {
      const r = await api<OperationDeconfliction>(`/operations/${id}/deconflict`, { method: 'POST' });
      setSaid(
        r.checked === 0
          ? 'Every target was checked already: nothing new to check.'
          : `Checked ${r.checked.toLocaleString('en')} target${r.checked === 1 ? '' : 's'}: ${r.held.toLocaleString('en')} held by an overlap with another case.`,
      );
      setVersion((v) => v + 1);
    });

  const release = async (t: OperationTarget) => {
    const others = [...new Set(t.deconfliction!.overlaps.map((o) => `${o.other_contact} (${o.other_member})`))];
    const reason = await ask({
      title: `Release target ${t.ref}?`,
      body: (
        <p>
          Its referral goes ahead despite the overlap with {others.join(' and ')}. Say why — for example that you spoke to them and they agree. The reason is
          kept and audited.
        </p>
      ),
      label: 'Why it is released',
      confirm: 'Release the target',
    });
    if (reason === null) return;
    await run(`Target ${t.ref} was not released`, async () => {
      await api(`/operations/${id}/targets/${encodeURIComponent(t.ref)}/release`, { json: { reason } });
      setSaid(`Target ${t.ref} released: it goes into the next package for ${t.country ?? 'its country'}.`);
      setVersion((v) => v + 1);
    });
  };

  const countries = lines.data?.countries ?? [];
  const unchecked = countries.reduce((n, c) => n + c.targets - c.deconflicted, 0);
  const stillHeld = held.data?.held ?? [];
  const released = held.data?.released ?? [];

  return (
    <>
      <h2 className="sr-only">Deconfliction</h2>
      <p>
        Before any referral, every target's identifiers — usernames, e-mail addresses, device ids, IP addresses (a day either side of their time) — are compared
        as keyed hashes with every other case, this node's and those received over the federation. A target that meets another case is held until an analyst
        releases it.
      </p>
      <p className="actions">
        <Button weight="primary" disabled={busy || operation.targets === 0} onClick={() => void check()}>
          {busy ? 'Checking…' : 'Run the deconfliction check'}
        </Button>{' '}
        {lines.data && <span data-unchecked>{unchecked === 0 ? 'Every target is checked.' : `${unchecked.toLocaleString('en')} not checked yet.`}</span>}
      </p>
      <Notice text={said} />
      <ErrorMessage error={error ?? lines.error ?? held.error} />
      {countries.length > 0 && (
        <table className="op-countries">
          <caption>Checked and held per country</caption>
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col">Targets</th>
              <th scope="col">Checked</th>
              <th scope="col">Held</th>
            </tr>
          </thead>
          <tbody>
            {countries.map((c) => (
              <tr key={c.country ?? '-'} data-country={c.country ?? 'none'}>
                <th scope="row">{countryName(c.country)}</th>
                <td className="num">{c.targets.toLocaleString('en')}</td>
                <td className="num">{c.deconflicted.toLocaleString('en')}</td>
                <td className="num">{c.held.toLocaleString('en')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Held targets ({stillHeld.length})</h3>
      {held.data && stillHeld.length === 0 && <p>No target is held.</p>}
      {stillHeld.length > 0 && <OverlapTable targets={stillHeld} busy={busy} onRelease={(t) => void release(t)} />}
      {released.length > 0 && (
        <>
          <h3>Released ({released.length})</h3>
          <OverlapTable targets={released} busy={busy} />
        </>
      )}
      {dialog}
    </>
  );
}

function OverlapTable({ targets, busy, onRelease }: { targets: OperationTarget[]; busy: boolean; onRelease?: (t: OperationTarget) => void }) {
  return (
    <table className="op-held">
      <thead>
        <tr>
          <th scope="col">Target</th>
          <th scope="col">Country</th>
          <th scope="col">Overlaps with</th>
          <th scope="col">Other case's contact point</th>
          <th scope="col">{onRelease ? <span className="sr-only">Release</span> : 'Released'}</th>
        </tr>
      </thead>
      <tbody>
        {targets.map((t) => {
          const d = t.deconfliction!;
          return (
            <tr key={t.ref} {...{ [onRelease ? 'data-held' : 'data-released']: t.ref }}>
              <th scope="row">{t.ref}</th>
              <td>{t.country ?? 'none'}</td>
              <td className="ids">
                <ul className="reasons">
                  {d.overlaps.map((o, i) => (
                    <li key={i}>
                      {o.kind} {o.hint}: case {o.other_case} of {o.other_member}
                    </li>
                  ))}
                </ul>
              </td>
              <td className="ids" data-col="contact">
                {[...new Set(d.overlaps.map((o) => o.other_contact))].join('; ')}
              </td>
              <td>
                {onRelease ? (
                  <Button disabled={busy} onClick={() => onRelease(t)}>
                    Release<span className="sr-only"> {t.ref}</span>
                  </Button>
                ) : (
                  d.released && (
                    <>
                      {d.released.reason}{' '}
                      <small className="muted">
                        ({d.released.by}, {when(d.released.at)})
                      </small>
                    </>
                  )
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
