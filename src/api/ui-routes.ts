/**
 * The web UI's pages: the one list the server (api/web.ts: which paths serve the page), the
 * client-side router (web/src/router.ts) and the navigation (web/src/Nav.tsx) read. Plain data with
 * no imports, so both tsc (src/) and Vite (web/) compile it. In the navigation's order; a page with
 * `nav` has a link in the header.
 */
export interface UiRoute {
  /** The page the router shows (web/src/router.ts's Route). */
  readonly page: string;
  /** The path, Fastify-style: `:name` is a path parameter. */
  readonly path: string;
  /** Path parameters that are whole numbers (others are decoded text). */
  readonly numeric?: readonly string[];
  /** The header link's label. */
  readonly nav?: string;
}

export const UI_ROUTES = [
  { page: 'home', path: '/' },
  { page: 'signin', path: '/signin' },
  { page: 'banks', path: '/banks', nav: 'Banks' },
  { page: 'bank', path: '/banks/:name' },
  { page: 'match', path: '/match', nav: 'Match' },
  { page: 'sync', path: '/sync', nav: 'Sync' },
  { page: 'review', path: '/review', nav: 'Review' },
  { page: 'reports', path: '/reports', nav: 'Reports' },
  { page: 'notices', path: '/notices', nav: 'Notices' },
  { page: 'rules', path: '/rules', nav: 'Rules' },
  { page: 'series', path: '/series', nav: 'Series' },
  { page: 'series-detail', path: '/series/:id', numeric: ['id'] },
  { page: 'triage', path: '/triage', nav: 'Triage' },
  { page: 'triage-run', path: '/triage/:id', numeric: ['id'] },
  { page: 'deconfliction', path: '/deconfliction', nav: 'Deconfliction' },
  { page: 'indicators', path: '/indicators', nav: 'Indicators' },
  { page: 'country-reports', path: '/country-reports', nav: 'Country reports' },
  { page: 'alliance', path: '/alliance', nav: 'Alliance' },
  { page: 'awareness', path: '/awareness', nav: 'Awareness' },
] as const satisfies readonly UiRoute[];

export type UiPage = (typeof UI_ROUTES)[number]['page'];

/** The header's links, in order: the routes with a label. */
export const NAV_LINKS: ReadonlyArray<{ readonly path: string; readonly label: string; readonly page: UiPage }> = UI_ROUTES.flatMap((r) =>
  'nav' in r ? [{ path: r.path, label: r.nav, page: r.page }] : [],
);

/** The UI route a path shows and its parameters (numbers where `numeric`), or undefined: the UI's not-found page. */
export function matchUiPath(path: string): { route: UiRoute; params: Record<string, string | number> } | undefined {
  const parts = path.split('/');
  for (const route of UI_ROUTES as readonly UiRoute[]) {
    const template = route.path.split('/');
    if (template.length !== parts.length) continue;
    const params: Record<string, string | number> = {};
    const ok = template.every((t, i) => {
      const p = parts[i];
      if (!t.startsWith(':')) return t === p;
      const name = t.slice(1);
      if (route.numeric?.includes(name)) {
        if (!/^\d+$/.test(p)) return false;
        params[name] = Number(p);
        return true;
      }
      if (p === '') return false;
      try {
        params[name] = decodeURIComponent(p);
      } catch {
        return false;
      }
      return true;
    });
    if (ok) return { route, params };
  }
  return undefined;
}
