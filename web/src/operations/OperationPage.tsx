import { lazy, Suspense, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Operation } from '../../../src/api/contract/index.js';
import { api } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { Link } from '../Link';
import { PageHeading } from '../PageHeading';
import { useLoad } from '../useLoad';
import { when } from '../when';
import { DeconflictionTab } from './DeconflictionTab';
import { PackagesTab } from './PackagesTab';
import { TargetsTab } from './TargetsTab';

// The picture draws a chart (recharts): its code loads when the tab is first opened.
const PictureTab = lazy(() => import('./PictureTab').then((m) => ({ default: m.PictureTab })));

const TABS = [
  { id: 'targets', label: 'Targets' },
  { id: 'deconfliction', label: 'Deconfliction' },
  { id: 'packages', label: 'Packages' },
  { id: 'picture', label: 'Picture' },
] as const;
type Tab = (typeof TABS)[number]['id'];

const fromHash = (): Tab => {
  const h = window.location.hash.slice(1);
  return TABS.some((t) => t.id === h) ? (h as Tab) : 'targets';
};

/** One operation: its facts, and its work in four tabs — targets, deconfliction, lead packages, the picture of what came back. */
export function OperationPage({ id }: { id: number }) {
  const op = useLoad(() => api<Operation>(`/operations/${id}`), [id]);
  const [tab, setTab] = useState<Tab>(fromHash);
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const o = op.data;

  // A link to another tab of the page (or an address edited by hand) opens it.
  useEffect(() => {
    const onHash = () => setTab(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const choose = (t: Tab, focus = false) => {
    setTab(t);
    window.history.replaceState(null, '', `#${t}`); // a reload or a shared link opens the same tab
    if (focus) tabs.current[TABS.findIndex((x) => x.id === t)]?.focus();
  };
  // The tabs pattern: arrow keys move between tabs, Home and End to the first and last.
  const keyDown = (e: KeyboardEvent) => {
    const i = TABS.findIndex((x) => x.id === tab);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    choose(TABS[(to + TABS.length) % TABS.length].id, true);
  };

  return (
    <>
      <PageHeading title={o ? `Operation ${o.name}` : 'Operation'} />
      <p>
        <Link href="/operations">All operations</Link>
      </p>
      <ErrorMessage error={op.error} />
      {o && (
        <>
          <dl className="facts">
            <dt>Id</dt>
            <dd>
              <code>{o.uid}</code>
            </dd>
            <dt>Legal basis</dt>
            <dd>{o.legal_basis}</dd>
            <dt>Owner agency</dt>
            <dd>{o.owner_agency}</dd>
            <dt>Contact point</dt>
            <dd>{o.contact_point}</dd>
            <dt>Dates</dt>
            <dd>
              {o.starts_at ? o.starts_at.slice(0, 10) : 'no start date'} to {o.ends_at ? o.ends_at.slice(0, 10) : 'no end date'}
            </dd>
            <dt>Targets</dt>
            <dd data-targets>{o.targets.toLocaleString('en')}</dd>
            <dt>Opened</dt>
            <dd>
              {when(o.created_at)} by {o.created_by}
            </dd>
            {o.notes && (
              <>
                <dt>Restricted notes</dt>
                <dd className="restricted">
                  {o.notes} <small className="muted">(never leave this node)</small>
                </dd>
              </>
            )}
          </dl>
          <div role="tablist" aria-label="Operation" className="tabs" onKeyDown={keyDown}>
            {TABS.map((t, i) => (
              <button
                key={t.id}
                ref={(b) => {
                  tabs.current[i] = b;
                }}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                onClick={() => choose(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>
          <section role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
            {tab === 'targets' && <TargetsTab operation={o} onChanged={op.reload} />}
            {tab === 'deconfliction' && <DeconflictionTab operation={o} />}
            {tab === 'packages' && <PackagesTab operation={o} />}
            {tab === 'picture' && (
              <Suspense
                fallback={
                  <p className="loading" role="status">
                    Loading the picture…
                  </p>
                }
              >
                <PictureTab operation={o} />
              </Suspense>
            )}
          </section>
        </>
      )}
    </>
  );
}
