import { useState, type FormEvent } from 'react';
import { formatGrowth, formatValue } from '../../../src/reporting/format';
import { api, apiBlob, saveBlob } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { PageHeading } from '../PageHeading';
import { useConfirm } from '../ui/ConfirmDialog';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { when } from '../when';
import { ReportingInputs } from './ReportingInputs';
import { currentQuarter, type Definition } from './types';
import type { CountryReport } from '../../../src/api/contract/index.js';

const FIELDS = ['summary', 'victims', 'offenders', 'awareness', 'availability', 'challenges'] as const;

/** The country's periodic reports: build a period's draft, write the narrative, sign, submit to the secretariat, download. */
export function CountryReportsPage() {
  const list = useLoad(() => api<{ reports: CountryReport[] }>('/country-reports'), []);
  const defs = useLoad(() => api<{ indicators: Definition[] }>('/indicators/definitions'), []);
  const { busy, error, run } = useAction();
  const { ask, dialog } = useConfirm();
  const [period, setPeriod] = useState(currentQuarter());
  const [open, setOpen] = useState<number | null>(null);
  const [narrative, setNarrative] = useState<Record<string, string>>({});

  const build = (e: FormEvent) => {
    e.preventDefault();
    void run('The report was not built', async () => {
      const r = await api<CountryReport>('/country-reports', { json: { period } });
      setOpen(r.id);
      setNarrative({ ...r.report.narrative });
      list.reload();
    });
  };
  // Signing freezes the report for good; submitting sends it to the secretariat: each asks first.
  const act = async (r: CountryReport, what: 'sign' | 'submit') => {
    const yes = await ask(
      what === 'sign'
        ? {
            title: `Sign the ${r.period} report?`,
            body: <p>Signing seals the report with this node&apos;s key: from then on its figures and narrative cannot be changed. This cannot be undone.</p>,
            confirm: 'Sign the report',
            danger: true,
          }
        : {
            title: `Submit the ${r.period} report to the secretariat?`,
            body: (
              <p>Submitting sends the signed report to the secretariat&apos;s node, where it counts in the alliance&apos;s figures. It cannot be recalled.</p>
            ),
            confirm: 'Submit the report',
            danger: true,
          },
    );
    if (!yes) return;
    await run(`The report was not ${what === 'sign' ? 'signed' : 'submitted'}`, async () => {
      await api(`/country-reports/${r.id}/${what}`, { json: {} });
      list.reload();
    });
  };
  const save = (r: CountryReport) =>
    run('The narrative was not saved', async () => {
      await api(`/country-reports/${r.id}`, { method: 'PATCH', json: { narrative } });
      list.reload();
    });
  const download = (r: CountryReport, kind: 'pdf' | 'csv') =>
    run(`The ${kind.toUpperCase()} was not downloaded`, async () => {
      const blob = await apiBlob(`/country-reports/${r.id}/${kind}`);
      saveBlob(blob, `country-report-${r.report.member}-${r.period}.${kind}`);
    });

  return (
    <>
      <PageHeading title="Country reports" />
      {dialog}
      <p>
        A period's indicators, the Model National Response self-assessment and your narrative: reviewed, signed with this node's key, and submitted to the
        secretariat. A signed report no longer changes.
      </p>
      <form onSubmit={build} className="choice" aria-label="Build a report">
        <label>
          Period <input value={period} onChange={(e) => setPeriod(e.target.value)} size={9} />
        </label>{' '}
        <button type="submit" disabled={busy}>
          Build draft
        </button>
      </form>
      <ErrorMessage error={list.error ?? defs.error ?? error} />
      {list.data && list.data.reports.length === 0 && <p>No country report yet.</p>}
      {list.data?.reports[0]?.warnings.map((w) => (
        <p key={w} className="off" role="note">
          {w}
        </p>
      ))}
      {list.data && list.data.reports.length > 0 && (
        <table className="country-reports">
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Status</th>
              <th scope="col">Victims identified</th>
              <th scope="col">Removals confirmed</th>
              <th scope="col">Built</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.reports.map((r) => (
              <tr key={r.id} data-report={r.id}>
                <th scope="row">{r.period}</th>
                <td>
                  {r.status}
                  {r.submitted_to ? ` to ${r.submitted_to} ${when(r.submitted_at)}` : ''}
                  {r.delivery_error && <div className="off">{r.delivery_error}</div>}
                </td>
                <td className="num">
                  {formatValue('count', r.report.indicators.values['victims.identified'])} ({formatGrowth(r.report.growth['victims.identified'])})
                </td>
                <td className="num">{formatValue('count', r.report.indicators.values['availability.removals_confirmed'])}</td>
                <td>{when(r.created_at)}</td>
                <td>
                  {r.status === 'draft' && (
                    <>
                      <button
                        type="button"
                        onClick={() => {
                          setOpen(r.id);
                          setNarrative({ ...r.report.narrative });
                        }}
                      >
                        Narrative
                      </button>{' '}
                      <button type="button" disabled={busy} onClick={() => void act(r, 'sign')}>
                        Sign
                      </button>{' '}
                    </>
                  )}
                  {r.status === 'signed' && (
                    <>
                      <button type="button" disabled={busy} onClick={() => void act(r, 'submit')}>
                        Submit to secretariat
                      </button>{' '}
                    </>
                  )}
                  <button type="button" disabled={busy} onClick={() => void download(r, 'pdf')}>
                    PDF
                  </button>{' '}
                  <button type="button" disabled={busy} onClick={() => void download(r, 'csv')}>
                    CSV
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open !== null &&
        list.data?.reports
          .filter((r) => r.id === open && r.status === 'draft')
          .map((r) => (
            <form
              key={r.id}
              className="card"
              aria-label={`Narrative of ${r.period}`}
              onSubmit={(e) => {
                e.preventDefault();
                void save(r);
              }}
            >
              <h2>Narrative of {r.period}</h2>
              {FIELDS.map((f) => (
                <div className="field" key={f}>
                  <label htmlFor={`n-${f}`}>{f[0].toUpperCase() + f.slice(1)}</label>
                  <textarea
                    id={`n-${f}`}
                    rows={3}
                    maxLength={20_000}
                    value={narrative[f] ?? ''}
                    onChange={(e) => setNarrative({ ...narrative, [f]: e.target.value })}
                  />
                </div>
              ))}
              <button type="submit" disabled={busy}>
                Save narrative
              </button>
            </form>
          ))}
      <ReportingInputs period={/^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/.test(period.trim()) ? period.trim() : currentQuarter()} />
    </>
  );
}
