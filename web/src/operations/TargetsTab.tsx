import { useState, type FormEvent } from 'react';
import type { Operation, OperationCountryList, OperationTarget } from '../../../src/api/contract/index.js';
import { api } from '../api';
import { concerns, ErrorMessage, FieldError } from '../ErrorMessage';
import type { FieldSentences } from '../problems';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { countryName, placed, reasonText } from './shared';
import { TargetImport } from './TargetImport';
import { Button } from '../ui';

const PAGE = 100;
const FIELDS: FieldSentences = {
  'body/country': { label: 'country', invalid: 'The country is a two-letter ISO 3166 code (DE, NL, FR), or empty for the attributed one.' },
  'body/reason': { label: 'reason' },
};

/** What deconfliction said of a target, in words. */
export function checkState(t: OperationTarget): string {
  const d = t.deconfliction;
  if (!d) return 'not checked yet';
  if (d.held) return 'held';
  if (d.released) return 'released';
  return d.overlaps.length ? 'overlap' : 'clear';
}

/** Per country, then the targets themselves with their evidence; import more; an analyst's override of a target's country. */
export function TargetsTab({ operation, onChanged }: { operation: Operation; onChanged: () => void }) {
  const id = operation.id;
  const [version, setVersion] = useState(0);
  const [country, setCountry] = useState('');
  const [offset, setOffset] = useState(0);
  const lines = useLoad(() => api<OperationCountryList>(`/operations/${id}/countries`), [id, version]);
  const list = useLoad(
    () =>
      api<{ targets: OperationTarget[] }>(
        `/operations/${id}/targets?${new URLSearchParams({ limit: String(PAGE), offset: String(offset), ...(country ? { country } : {}) })}`,
      ),
    [id, version, country, offset],
  );
  const changed = () => {
    setVersion((v) => v + 1);
    onChanged();
  };
  const targets = list.data?.targets;

  return (
    <>
      <h2 className="sr-only">Targets</h2>
      <TargetImport operation={id} onImported={changed} />
      <ErrorMessage error={lines.error ?? list.error} />
      {lines.data && lines.data.countries.length > 0 && (
        <table className="op-countries">
          <caption>Targets per country</caption>
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col">Targets</th>
              <th scope="col">High</th>
              <th scope="col">Medium</th>
              <th scope="col">Low</th>
              <th scope="col">No evidence</th>
              <th scope="col">Set by an analyst</th>
              <th scope="col">With matched content</th>
            </tr>
          </thead>
          <tbody>
            {lines.data.countries.map((c) => (
              <tr key={c.country ?? '-'} data-country={c.country ?? 'none'}>
                <th scope="row">{countryName(c.country)}</th>
                <td className="num">{c.targets.toLocaleString('en')}</td>
                <td className="num">{c.confidence.high.toLocaleString('en')}</td>
                <td className="num">{c.confidence.medium.toLocaleString('en')}</td>
                <td className="num">{c.confidence.low.toLocaleString('en')}</td>
                <td className="num">{c.confidence.none.toLocaleString('en')}</td>
                <td className="num">{c.overridden.toLocaleString('en')}</td>
                <td className="num">{c.with_matches.toLocaleString('en')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {operation.targets === 0 && <p>No targets yet: import a target file.</p>}
      {operation.targets > 0 && (
        <>
          <form className="choice" onSubmit={(e) => e.preventDefault()} aria-label="Which targets">
            <label>
              Country{' '}
              <select
                value={country}
                onChange={(e) => {
                  setCountry(e.target.value);
                  setOffset(0);
                }}
              >
                <option value="">all</option>
                {(lines.data?.countries ?? []).map((c) => (
                  <option key={c.country ?? '-'} value={c.country ?? 'none'}>
                    {countryName(c.country)}
                  </option>
                ))}
              </select>
            </label>
          </form>
          {targets && (
            <table className="op-targets">
              <caption>
                Targets {offset + 1}–{offset + targets.length}
                {country ? ` in ${country === 'none' ? 'no country' : country}` : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Identifiers</th>
                  <th scope="col">Country</th>
                  <th scope="col">Confidence</th>
                  <th scope="col">Attribution reasons</th>
                  <th scope="col">Matched content</th>
                  <th scope="col">Deconfliction</th>
                  <th scope="col">
                    <span className="sr-only">Change the country</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {targets.map((t) => (
                  <TargetRow key={t.ref} operation={id} target={t} onChanged={changed} />
                ))}
              </tbody>
            </table>
          )}
          <p className="pager">
            <Button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Previous
            </Button>{' '}
            <Button disabled={!targets || targets.length < PAGE} onClick={() => setOffset(offset + PAGE)}>
              Next
            </Button>
          </p>
        </>
      )}
    </>
  );
}

function TargetRow({ operation, target: t, onChanged }: { operation: number; target: OperationTarget; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [country, setCountry] = useState(t.country ?? '');
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  const problem = placed(error, FIELDS);
  const ids = t.identifiers;
  const slug = t.ref.replace(/[^A-Za-z0-9_-]/g, '_');

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(
      `The country of target ${t.ref} was not changed`,
      async () => {
        const c = country.trim().toUpperCase();
        await api(`/operations/${operation}/targets/${encodeURIComponent(t.ref)}/country`, {
          method: 'PUT',
          json: { country: c || null, reason: reason.trim() || null },
        });
        setEditing(false);
        setReason('');
        onChanged();
      },
      FIELDS,
    );
  };

  return (
    <>
      <tr data-target={t.ref}>
        <th scope="row">{t.ref}</th>
        <td className="ids">
          {ids.usernames.length > 0 && <div>users: {ids.usernames.join(', ')}</div>}
          {ids.emails.length > 0 && <div>e-mail: {ids.emails.join(', ')}</div>}
          {ids.ips.length > 0 && <div>IP: {ids.ips.map((i) => i.ip).join(', ')}</div>}
          {ids.device_ids.length > 0 && <div>devices: {ids.device_ids.length}</div>}
          {ids.payment_refs.length > 0 && <div>payments: {ids.payment_refs.length}</div>}
        </td>
        <td data-col="country">
          {t.country ?? 'none'}
          {t.override && (
            <div className="muted">
              set by {t.override.by}
              {t.override.reason ? `: ${t.override.reason}` : ''} (attributed {t.attributed.country ?? 'none'})
            </div>
          )}
        </td>
        <td data-col="confidence">{t.override ? 'set by an analyst' : t.attributed.confidence}</td>
        <td className="ids" data-col="reasons">
          {t.attributed.reasons.length === 0 ? (
            'no evidence'
          ) : (
            <ul className="reasons">
              {t.attributed.reasons.map((r, i) => (
                <li key={i}>
                  {r.country}: {reasonText(r)}
                </li>
              ))}
            </ul>
          )}
        </td>
        <td>
          {t.hashes === 0
            ? '—'
            : `${t.matched.length} of ${t.hashes} hash${t.hashes === 1 ? '' : 'es'}${t.matched.length ? ` (${[...new Set(t.matched.map((m) => m.classification ?? 'unclassified'))].join(', ')})` : ''}`}
        </td>
        <td data-col="check">{checkState(t)}</td>
        <td>
          <Button aria-expanded={editing} aria-controls={`override-${slug}`} onClick={() => setEditing(!editing)}>
            Change country<span className="sr-only"> of {t.ref}</span>
          </Button>
        </td>
      </tr>
      {editing && (
        <tr id={`override-${slug}`}>
          <td colSpan={8}>
            <form onSubmit={save} aria-label={`Country of target ${t.ref}`} className="choice">
              <label>
                Country{' '}
                <input
                  value={country}
                  size={4}
                  maxLength={10}
                  onChange={(e) => setCountry(e.target.value)}
                  aria-invalid={concerns(problem, 'body/country') || undefined}
                  aria-describedby={concerns(problem, 'body/country') ? `override-${slug}-country-error` : undefined}
                />
              </label>{' '}
              <label>
                Reason{' '}
                <input
                  value={reason}
                  size={40}
                  maxLength={1000}
                  required={country.trim() !== ''}
                  onChange={(e) => setReason(e.target.value)}
                  aria-invalid={concerns(problem, 'body/reason') || undefined}
                  aria-describedby={concerns(problem, 'body/reason') ? `override-${slug}-reason-error` : undefined}
                />
              </label>{' '}
              <Button weight="primary" type="submit" disabled={busy}>
                Save country
              </Button>
              <small className="muted"> Empty: back to the attributed country.</small>
              <FieldError error={problem} field="body/country" id={`override-${slug}-country-error`} />
              <FieldError error={problem} field="body/reason" id={`override-${slug}-reason-error`} />
              <ErrorMessage error={problem} beside={Object.keys(FIELDS)} />
            </form>
          </td>
        </tr>
      )}
    </>
  );
}
