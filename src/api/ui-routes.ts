/**
 * The web UI's pages: the one list the server (api/web.ts: which paths serve the page), the
 * client-side router (web/src/router.ts) and the navigation (web/src/Nav.tsx) read. Plain data
 * (its one import is a type), so both tsc (src/) and Vite (web/) compile it. In the navigation's
 * order (menu by menu); a page with `nav` has a link in the header, in its `group`'s menu, shown to the roles with
 * its `permission` (the one the page's first API call needs, src/members/roles.ts).
 */
import type { Permission } from '../members/roles.js';

/** The navigation's menus, by the user's job (not by table), in the header's order. */
export const NAV_GROUPS = ['Match & banks', 'Review & act', 'Victim identification', 'Exchange', 'Reporting', 'Awareness', 'Admin'] as const;
export type NavGroup = (typeof NAV_GROUPS)[number];

export interface UiRoute {
  /** The page the router shows (web/src/router.ts's Route). */
  readonly page: string;
  /** The path, Fastify-style: `:name` is a path parameter. */
  readonly path: string;
  /** Path parameters that are whole numbers (others are decoded text). */
  readonly numeric?: readonly string[];
  /** The header link's label (with `group` and `permission`). */
  readonly nav?: string;
  readonly group?: NavGroup;
  /** What the signed-in role needs for the link to be shown. */
  readonly permission?: Permission;
}

export const UI_ROUTES = [
  { page: 'home', path: '/' },
  { page: 'signin', path: '/signin' },
  { page: 'banks', path: '/banks', nav: 'Banks', group: 'Match & banks', permission: 'banks.read' },
  { page: 'bank', path: '/banks/:name' },
  { page: 'match', path: '/match', nav: 'Match', group: 'Match & banks', permission: 'lookup' },
  { page: 'review', path: '/review', nav: 'Review', group: 'Review & act', permission: 'reviews.decide' },
  { page: 'reports', path: '/reports', nav: 'Incident reports', group: 'Review & act', permission: 'reports' },
  { page: 'notices', path: '/notices', nav: 'Notices', group: 'Review & act', permission: 'reports' },
  { page: 'rules', path: '/rules', nav: 'Rules', group: 'Review & act', permission: 'actions.manage' },
  { page: 'series', path: '/series', nav: 'Series', group: 'Victim identification', permission: 'cases' },
  { page: 'series-detail', path: '/series/:id', numeric: ['id'] },
  { page: 'triage', path: '/triage', nav: 'Triage', group: 'Victim identification', permission: 'cases' },
  { page: 'triage-run', path: '/triage/:id', numeric: ['id'] },
  { page: 'deconfliction', path: '/deconfliction', nav: 'Deconfliction', group: 'Victim identification', permission: 'cases' },
  { page: 'operations', path: '/operations', nav: 'Operations', group: 'Victim identification', permission: 'cases' },
  { page: 'operation', path: '/operations/:id', numeric: ['id'] },
  { page: 'lead-inbox', path: '/lead-inbox', nav: 'Lead inbox', group: 'Victim identification', permission: 'cases' },
  { page: 'lead-package', path: '/lead-inbox/:id', numeric: ['id'] },
  { page: 'sync', path: '/sync', nav: 'Subscriptions', group: 'Exchange', permission: 'banks.read' },
  { page: 'indicators', path: '/indicators', nav: 'Indicators', group: 'Reporting', permission: 'indicators.read' },
  { page: 'country-reports', path: '/country-reports', nav: 'Country reports', group: 'Reporting', permission: 'indicators.read' },
  { page: 'alliance', path: '/alliance', nav: 'Alliance', group: 'Reporting', permission: 'indicators.read' },
  { page: 'awareness', path: '/awareness', nav: 'Messages and help', group: 'Awareness', permission: 'awareness.manage' },
  { page: 'members', path: '/members', nav: 'Members and tokens', group: 'Admin', permission: 'members.manage' },
] as const satisfies readonly UiRoute[];

export type UiPage = (typeof UI_ROUTES)[number]['page'];

export interface NavLink {
  readonly path: string;
  readonly label: string;
  readonly page: UiPage;
  readonly group: NavGroup;
  readonly permission: Permission;
}

/** The header's links, in order: the routes with a label. */
export const NAV_LINKS: readonly NavLink[] = UI_ROUTES.flatMap((r) =>
  'nav' in r ? [{ path: r.path, label: r.nav, page: r.page, group: r.group, permission: r.permission }] : [],
);

/** The header's menus for a role's permissions: each group with the links the role may use, groups with none left out. */
export function navFor(permissions: readonly string[]): Array<{ group: NavGroup; links: NavLink[] }> {
  return NAV_GROUPS.map((group) => ({ group, links: NAV_LINKS.filter((l) => l.group === group && permissions.includes(l.permission)) })).filter(
    (g) => g.links.length > 0,
  );
}

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
