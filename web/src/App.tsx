import { lazy, Suspense, useEffect, useState } from 'react';
import { session, UNAUTHORIZED_EVENT } from './api';
import { BankPage } from './BankPage';
import { BanksPage } from './BanksPage';
import { Link } from './Link';
import { MatchPage } from './MatchPage';
import { Nav } from './Nav';
import { PageHeading } from './PageHeading';
import { matchRoute, navigate, usePath } from './router';
import { SignIn } from './SignIn';
import { SyncPage } from './SyncPage';
import { NoticesPage } from './NoticesPage';
import { ReportsPage } from './ReportsPage';
import { ReviewPage } from './ReviewPage';
import { RulesPage } from './RulesPage';
import { SeriesPage } from './SeriesPage';
import { AwarenessPage } from './awareness/AwarenessPage';
import { SeriesDetailPage } from './SeriesDetailPage';
import { DeconflictionPage } from './DeconflictionPage';
import { TriagePage, TriageRunPage } from './TriagePage';
// The reporting pages carry the charts library: loaded when first opened.
const IndicatorsPage = lazy(() => import('./reporting/IndicatorsPage').then((m) => ({ default: m.IndicatorsPage })));
const CountryReportsPage = lazy(() => import('./reporting/CountryReportsPage').then((m) => ({ default: m.CountryReportsPage })));
const AlliancePage = lazy(() => import('./reporting/AlliancePage').then((m) => ({ default: m.AlliancePage })));

export function App() {
  const path = usePath();
  const route = matchRoute(path);
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const [message, setMessage] = useState<string | null>(null);
  /** Where to go after signing in (the page asked for). */
  const [after, setAfter] = useState('/banks');

  const signOut = (why: string) => {
    session.signOut();
    setSignedIn(false);
    setMessage(why);
    navigate('/signin');
  };

  useEffect(() => {
    const onUnauthorized = (e: Event) => signOut(`Your token was refused (${String((e as CustomEvent).detail)}). Sign in again.`);
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, []);

  const needsSignIn = !signedIn && route.page !== 'signin';
  useEffect(() => {
    if (needsSignIn) {
      if (route.page !== 'home' && route.page !== 'missing') setAfter(path);
      navigate('/signin', true);
    } else if (signedIn && (route.page === 'home' || route.page === 'signin')) {
      navigate('/banks', true);
    }
  }, [needsSignIn, signedIn, route.page, path]);

  if (signedIn && (route.page === 'home' || route.page === 'signin')) return null; // redirected to /banks
  if (!signedIn) {
    return (
      <SignIn
        message={message}
        onSignedIn={() => {
          setSignedIn(true);
          setMessage(null);
          navigate(after);
        }}
      />
    );
  }

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Nav path={path} onSignOut={() => signOut('Signed out.')} />
      <main id="main">
        {route.page === 'banks' && <BanksPage />}
        {route.page === 'bank' && <BankPage key={route.name} name={route.name} />}
        {route.page === 'match' && <MatchPage />}
        {route.page === 'sync' && <SyncPage />}
        {route.page === 'review' && <ReviewPage />}
        {route.page === 'reports' && <ReportsPage />}
        {route.page === 'notices' && <NoticesPage />}
        {route.page === 'rules' && <RulesPage />}
        {route.page === 'series' && <SeriesPage />}
        {route.page === 'series-detail' && <SeriesDetailPage id={route.id} />}
        {route.page === 'deconfliction' && <DeconflictionPage />}
        {route.page === 'triage' && <TriagePage />}
        {route.page === 'triage-run' && <TriageRunPage id={route.id} />}
        {route.page === 'awareness' && <AwarenessPage />}
        <Suspense fallback={<p>Loading…</p>}>
          {route.page === 'indicators' && <IndicatorsPage />}
          {route.page === 'country-reports' && <CountryReportsPage />}
          {route.page === 'alliance' && <AlliancePage />}
        </Suspense>
        {route.page === 'missing' && (
          <>
            <PageHeading title="Not found" />
            <p>
              There is no page at {path}. Go to the <Link href="/banks">banks</Link>.
            </p>
          </>
        )}
      </main>
    </>
  );
}
