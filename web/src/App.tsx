import { lazy, Suspense, useEffect, useState } from 'react';
import { NAV_LINKS, navFor } from '../../src/api/ui-routes.js';
import { api, session, UNAUTHORIZED_EVENT } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { Nav } from './Nav';
import { PageHeading } from './PageHeading';
import { matchRoute, navigate, usePath } from './router';
import { SignIn } from './SignIn';
import { Skeleton } from './ui/Skeleton';
import { ToastProvider } from './ui/Toasts';
import type { WhoAmI } from './types';
import { useLoad } from './useLoad';

// Each page is its own chunk, loaded when first opened: the first page's JavaScript is React, the
// shell (sign-in, navigation) and that page only (the build prints the sizes; test/web checks them).
const BanksPage = lazy(() => import('./BanksPage').then((m) => ({ default: m.BanksPage })));
const BankPage = lazy(() => import('./BankPage').then((m) => ({ default: m.BankPage })));
const MatchPage = lazy(() => import('./MatchPage').then((m) => ({ default: m.MatchPage })));
const SyncPage = lazy(() => import('./SyncPage').then((m) => ({ default: m.SyncPage })));
const ReviewPage = lazy(() => import('./ReviewPage').then((m) => ({ default: m.ReviewPage })));
const ReportsPage = lazy(() => import('./ReportsPage').then((m) => ({ default: m.ReportsPage })));
const NoticesPage = lazy(() => import('./NoticesPage').then((m) => ({ default: m.NoticesPage })));
const RulesPage = lazy(() => import('./RulesPage').then((m) => ({ default: m.RulesPage })));
const SeriesPage = lazy(() => import('./SeriesPage').then((m) => ({ default: m.SeriesPage })));
const SeriesDetailPage = lazy(() => import('./SeriesDetailPage').then((m) => ({ default: m.SeriesDetailPage })));
const DeconflictionPage = lazy(() => import('./DeconflictionPage').then((m) => ({ default: m.DeconflictionPage })));
const TriagePage = lazy(() => import('./TriagePage').then((m) => ({ default: m.TriagePage })));
const TriageRunPage = lazy(() => import('./TriagePage').then((m) => ({ default: m.TriageRunPage })));
const AwarenessPage = lazy(() => import('./awareness/AwarenessPage').then((m) => ({ default: m.AwarenessPage })));
const IndicatorsPage = lazy(() => import('./reporting/IndicatorsPage').then((m) => ({ default: m.IndicatorsPage })));
const CountryReportsPage = lazy(() => import('./reporting/CountryReportsPage').then((m) => ({ default: m.CountryReportsPage })));
const AlliancePage = lazy(() => import('./reporting/AlliancePage').then((m) => ({ default: m.AlliancePage })));
const OperationsPage = lazy(() => import('./operations/OperationsPage').then((m) => ({ default: m.OperationsPage })));
const OperationPage = lazy(() => import('./operations/OperationPage').then((m) => ({ default: m.OperationPage })));
const LeadInboxPage = lazy(() => import('./operations/LeadInboxPage').then((m) => ({ default: m.LeadInboxPage })));
const LeadPackagePage = lazy(() => import('./operations/LeadInboxPage').then((m) => ({ default: m.LeadPackagePage })));
const MembersPage = lazy(() => import('./MembersPage').then((m) => ({ default: m.MembersPage })));
const HomePage = lazy(() => import('./HomePage').then((m) => ({ default: m.HomePage })));

/** The role's first page (the not-found page's way back); / is the role's home page (HomePage: what needs it now). */
const homeOf = (who: WhoAmI) => navFor(who.permissions)[0]?.links[0]?.path;

export function App() {
  const path = usePath();
  const route = matchRoute(path);
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const [message, setMessage] = useState<string | null>(null);
  /** Where to go after signing in (the page asked for, or / : the role's home page). */
  const [after, setAfter] = useState('/');
  // Who is signed in and what the role may do: the navigation shows only those pages.
  const who = useLoad(() => (signedIn ? api<WhoAmI>('/whoami') : Promise.resolve(undefined)), [signedIn]);
  const home = who.data ? homeOf(who.data) : undefined;

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

  const needsSignIn = !signedIn && route.page !== 'signin' && route.page !== 'missing';
  const atHome = route.page === 'home';
  useEffect(() => {
    if (needsSignIn) {
      if (route.page !== 'home') setAfter(path);
      navigate('/signin', true);
    } else if (signedIn && route.page === 'signin') {
      navigate('/', true);
    }
  }, [needsSignIn, signedIn, route.page, path]);

  if (!signedIn && route.page === 'missing') return <NotFound path={path} signedIn={false} />;
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
  const link = NAV_LINKS.find((l) => l.page === route.page);
  const refused = who.data && link && !who.data.permissions.includes(link.permission) ? { role: who.data.role, link } : undefined;

  return (
    <ToastProvider>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Nav path={path} who={who.data} onSignOut={() => signOut('Signed out.')} />
      <main id="main">
        <ErrorMessage error={who.error} />
        {atHome && who.data && !home && (
          <>
            <PageHeading title="Nothing to show" />
            <p>The role of this token ({who.data.role}) uses no page of the web UI: it is for the API only.</p>
          </>
        )}
        {refused && (
          <>
            <PageHeading title={refused.link.label} />
            <p>
              Your role ({refused.role}) cannot use this page: it needs the permission <code>{refused.link.permission}</code>.
            </p>
          </>
        )}
        {!refused && (
          <Suspense fallback={<Skeleton label="Loading the page…" lines={4} />}>
            {atHome && who.data && home && <HomePage who={who.data} />}
            {route.page === 'banks' && <BanksPage />}
            {route.page === 'bank' && <BankPage key={route.name} name={route.name} write={who.data?.permissions.includes('banks.write') ?? false} />}
            {route.page === 'match' && <MatchPage />}
            {route.page === 'sync' && <SyncPage manage={who.data?.permissions.includes('federation.manage') ?? false} />}
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
            {route.page === 'members' && <MembersPage />}
            {route.page === 'indicators' && <IndicatorsPage />}
            {route.page === 'country-reports' && <CountryReportsPage />}
            {route.page === 'alliance' && <AlliancePage />}
            {route.page === 'operations' && <OperationsPage />}
            {route.page === 'operation' && <OperationPage key={route.id} id={route.id} />}
            {route.page === 'lead-inbox' && <LeadInboxPage />}
            {route.page === 'lead-package' && <LeadPackagePage key={route.id} id={route.id} />}
          </Suspense>
        )}
        {route.page === 'missing' && <NotFound path={path} signedIn home={home} />}
      </main>
    </ToastProvider>
  );
}

/** The UI's not-found page: the server answers 404 with the UI's page at a path that is no UI route (src/api/web.ts). */
function NotFound({ path, signedIn, home }: { path: string; signedIn: boolean; home?: string }) {
  const body = (
    <>
      <PageHeading title="Page not found" />
      <p>
        There is no page at <code>{path}</code>. It may have moved, or the link was mistyped.
      </p>
      <p>{signedIn ? <Link href={home ?? '/'}>Go to your first page</Link> : <Link href="/signin">Sign in</Link>}</p>
    </>
  );
  return signedIn ? body : <main className="signin">{body}</main>;
}
