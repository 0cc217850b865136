import { lazy, Suspense, useEffect, useState } from 'react';
import type { Operation } from '../../../src/api/contract/index.js';
import { api } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { Link } from '../Link';
import { PageHeading } from '../PageHeading';
import { Skeleton, Tabs } from '../ui';
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
  const o = op.data;

  // A link to another tab of the page (or an address edited by hand) opens it.
  useEffect(() => {
    const onHash = () => setTab(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const choose = (t: Tab) => {
    setTab(t);
    window.history.replaceState(null, '', `#${t}`); // a reload or a shared link opens the same tab
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
          <Tabs label="Operation" tabs={TABS} selected={tab} onSelect={choose}>
            {tab === 'targets' && <TargetsTab operation={o} onChanged={op.reload} />}
            {tab === 'deconfliction' && <DeconflictionTab operation={o} />}
            {tab === 'packages' && <PackagesTab operation={o} />}
            {tab === 'picture' && (
              <Suspense fallback={<Skeleton label="Loading the picture…" />}>
                <PictureTab operation={o} />
              </Suspense>
            )}
          </Tabs>
        </>
      )}
    </>
  );
}
