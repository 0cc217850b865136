import { useState, type FormEvent } from 'react';
import { formatGrowth, formatValue } from '../../../src/reporting/format';
import { api, apiBlob, saveBlob } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { PageHeading } from '../PageHeading';
import { DataTable, type Column } from '../ui/DataTable';
import { useConfirm } from '../ui/Dialog';
import { Skeleton } from '../ui/Skeleton';
import { useToast } from '../ui/Toasts';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { when } from '../when';
import { ReportingInputs } from './ReportingInputs';
import { currentQuarter, type Definition } from './types';
import type { CountryReport } from '../../../src/api/contract/index.js';
import { Button } from '../ui/Button';

const FIELDS = ['summary', 'victims', 'offenders', 'awareness', 'availability', 'challenges'] as const;

/** The country's periodic reports: build a period's draft, write the narrative, sign, submit to the secretariat, download. */
export function CountryReportsPage() {
  const list = useLoad(() => api<{ reports: CountryReport[] }>('/country-reports'), []);
  const defs = useLoad(() => api<{ indicators: Definition[] }>('/indicators/definitions'), []);
  const { busy, error, run } = useAction({ toastErrors: true });
  const { ask, dialog } = useConfirm();
  const toast = useToast();
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
      toast.success(what === 'sign' ? `The ${r.period} report is signed.` : `The ${r.period} report was submitted to the secretariat.`);
      list.reload();
    });
  };
  const save = (r: CountryReport) =>
    run('The narrative was not saved', async () => {
      await api(`/country-reports/${r.id}`, { method: 'PATCH', json: { narrative } });
      toast.success(`The narrative of ${r.period} is saved.`);
      list.reload();
    });
  const download = (r: CountryReport, kind: 'pdf' | 'csv') =>
    run(`The ${kind.toUpperCase()} was not downloaded`, async () => {
      const blob = await apiBlob(`/country-reports/${r.id}/${kind}`);
      saveBlob(blob, `country-report-${r.report.member}-${r.period}.${kind}`);
    });

  const columns: Array<Column<CountryReport>> = [
    { key: 'period', header: 'Period', rowHeader: true, sort: (r) => r.period, cell: (r) => r.period },
    {
      key: 'status',
      header: 'Status',
      sort: (r) => r.status,
      cell: (r) => (
        <>
          {r.status}
          {r.submitted_to ? ` to ${r.submitted_to} ${when(r.submitted_at)}` : ''}
          {r.delivery_error && <div className="off">{r.delivery_error}</div>}
        </>
      ),
    },
    {
      key: 'victims',
      header: 'Victims identified',
      numeric: true,
      sort: (r) => r.report.indicators.values['victims.identified'],
      cell: (r) => (
        <>
          {formatValue('count', r.report.indicators.values['victims.identified'])} ({formatGrowth(r.report.growth['victims.identified'])})
        </>
      ),
    },
    {
      key: 'removals',
      header: 'Removals confirmed',
      numeric: true,
      sort: (r) => r.report.indicators.values['availability.removals_confirmed'],
      cell: (r) => formatValue('count', r.report.indicators.values['availability.removals_confirmed']),
    },
    { key: 'built', header: 'Built', sort: (r) => r.created_at, cell: (r) => when(r.created_at) },
    {
      key: 'actions',
      header: 'Actions',
      cell: (r) => (
        <>
          {r.status === 'draft' && (
            <>
              <Button
                onClick={() => {
                  setOpen(r.id);
                  setNarrative({ ...r.report.narrative });
                }}
              >
                Narrative
              </Button>{' '}
              <Button weight="danger" disabled={busy} onClick={() => void act(r, 'sign')}>
                Sign
              </Button>{' '}
            </>
          )}
          {r.status === 'signed' && (
            <>
              <Button weight="danger" disabled={busy} onClick={() => void act(r, 'submit')}>
                Submit to secretariat
              </Button>{' '}
            </>
          )}
          <Button disabled={busy} onClick={() => void download(r, 'pdf')}>
            PDF
          </Button>{' '}
          <Button disabled={busy} onClick={() => void download(r, 'csv')}>
            CSV
          </Button>
        </>
      ),
    },
  ];

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
        <Button type="submit" weight="primary" disabled={busy}>
          Build draft
        </Button>
      </form>
      <ErrorMessage error={list.error ?? defs.error ?? error} />
      {list.data?.reports[0]?.warnings.map((w) => (
        <p key={w} className="off" role="note">
          {w}
        </p>
      ))}
      {list.loading && !list.data && <Skeleton label="Loading country reports…" table={{ columns: 6 }} />}
      {list.data && (
        <DataTable
          caption="Country reports"
          className="country-reports"
          columns={columns}
          rows={list.data.reports}
          rowKey={(r) => r.id}
          rowProps={(r) => ({ 'data-report': r.id })}
          pageSize={25}
          empty="No country report yet: build a period's draft above."
        />
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
              <Button type="submit" weight="primary" disabled={busy}>
                Save narrative
              </Button>
            </form>
          ))}
      <ReportingInputs period={/^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/.test(period.trim()) ? period.trim() : currentQuarter()} />
    </>
  );
}
