/** A tiny client-side router over the History API (the server serves the page at each route). */
import { useSyncExternalStore } from 'react';
import { matchUiPath, type UiPage } from '../../src/api/ui-routes.js';

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

export type Route =
  | { page: 'signin' }
  | { page: 'banks' }
  | { page: 'bank'; name: string }
  | { page: 'match' }
  | { page: 'sync' }
  | { page: 'review' }
  | { page: 'reports' }
  | { page: 'notices' }
  | { page: 'rules' }
  | { page: 'series' }
  | { page: 'series-detail'; id: number }
  | { page: 'deconfliction' }
  | { page: 'triage' }
  | { page: 'indicators' }
  | { page: 'country-reports' }
  | { page: 'alliance' }
  | { page: 'awareness' }
  | { page: 'members' }
  | { page: 'triage-run'; id: number }
  | { page: 'operations' }
  | { page: 'operation'; id: number }
  | { page: 'lead-inbox' }
  | { page: 'lead-package'; id: number }
  | { page: 'home' }
  | { page: 'missing' };

// The list and the Route type name the same pages (a page added to one and not the other does not compile).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const samePages: Same<UiPage, Exclude<Route['page'], 'missing'>> = true;
void samePages;

/** The page a path shows, from the one list of UI routes (src/api/ui-routes.ts, which the server serves too). */
export function matchRoute(path: string): Route {
  const found = matchUiPath(path);
  return found ? ({ page: found.route.page, ...found.params } as Route) : { page: 'missing' };
}
