/** A tiny client-side router over the History API (the server serves the page at each route). */
import { useSyncExternalStore } from 'react';

const EVENT = 'alliance:navigate';

function subscribe(callback: () => void): () => void {
  window.addEventListener('popstate', callback);
  window.addEventListener(EVENT, callback);
  return () => {
    window.removeEventListener('popstate', callback);
    window.removeEventListener(EVENT, callback);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(path: string, replace = false): void {
  if (path === window.location.pathname) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(EVENT));
}

export type Route = { page: 'signin' } | { page: 'banks' } | { page: 'bank'; name: string } | { page: 'match' } | { page: 'sync' } | { page: 'review' } | { page: 'reports' } | { page: 'notices' } | { page: 'rules' } | { page: 'series' } | { page: 'series-detail'; id: number } | { page: 'deconfliction' } | { page: 'triage' } | { page: 'indicators' } | { page: 'country-reports' } | { page: 'alliance' } | { page: 'awareness' } | { page: 'triage-run'; id: number } | { page: 'home' } | { page: 'missing' };

export function matchRoute(path: string): Route {
  if (path === '/') return { page: 'home' };
  if (path === '/signin') return { page: 'signin' };
  if (path === '/banks') return { page: 'banks' };
  if (path === '/match') return { page: 'match' };
  if (path === '/sync') return { page: 'sync' };
  if (path === '/review') return { page: 'review' };
  if (path === '/reports') return { page: 'reports' };
  if (path === '/notices') return { page: 'notices' };
  if (path === '/rules') return { page: 'rules' };
  if (path === '/series') return { page: 'series' };
  const sd = /^\/series\/(\d+)$/.exec(path);
  if (sd) return { page: 'series-detail', id: Number(sd[1]) };
  if (path === '/deconfliction') return { page: 'deconfliction' };
  if (path === '/triage') return { page: 'triage' };
  if (path === '/indicators') return { page: 'indicators' };
  if (path === '/country-reports') return { page: 'country-reports' };
  if (path === '/alliance') return { page: 'alliance' };
  if (path === '/awareness') return { page: 'awareness' };
  const t = /^\/triage\/(\d+)$/.exec(path);
  if (t) return { page: 'triage-run', id: Number(t[1]) };
  const m = /^\/banks\/([^/]+)$/.exec(path);
  if (m) return { page: 'bank', name: decodeURIComponent(m[1]) };
  return { page: 'missing' };
}
