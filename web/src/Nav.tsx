import { api } from './api';
import { Link } from './Link';
import type { WhoAmI } from './types';
import { useLoad } from './useLoad';

const PAGES = [
  ['/banks', 'Banks'],
  ['/match', 'Match'],
  ['/sync', 'Sync'],
  ['/review', 'Review'],
  ['/reports', 'Reports'],
  ['/notices', 'Notices'],
  ['/rules', 'Rules'],
  ['/series', 'Series'],
  ['/triage', 'Triage'],
  ['/deconfliction', 'Deconfliction'],
  ['/indicators', 'Indicators'],
  ['/country-reports', 'Country reports'],
  ['/alliance', 'Alliance'],
  ['/awareness', 'Awareness'],
] as const;

/** The header: the pages, who is signed in (checked with /whoami on every load), sign out. */
export function Nav({ path, onSignOut }: { path: string; onSignOut: () => void }) {
  const who = useLoad(() => api<WhoAmI>('/whoami'), []);
  const current = (p: string) => (path === p || path.startsWith(`${p}/`) ? 'page' : undefined);
  return (
    <header className="top">
      <span className="brand">Alliance</span>
      <nav aria-label="Main">
        {PAGES.map(([href, label]) => (
          <Link key={href} href={href} aria-current={current(href)}>
            {label}
          </Link>
        ))}
      </nav>
      <span className="who">{who.data ? `Signed in as ${who.data.member} (${who.data.role})` : ''}</span>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}
