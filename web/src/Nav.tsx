import { NAV_LINKS } from '../../src/api/ui-routes.js';
import { api } from './api';
import { Link } from './Link';
import type { WhoAmI } from './types';
import { useLoad } from './useLoad';

/** The header: the pages, who is signed in (checked with /whoami on every load), sign out. */
export function Nav({ path, onSignOut }: { path: string; onSignOut: () => void }) {
  const who = useLoad(() => api<WhoAmI>('/whoami'), []);
  const current = (p: string) => (path === p || path.startsWith(`${p}/`) ? 'page' : undefined);
  return (
    <header className="top">
      <span className="brand">Alliance</span>
      <nav aria-label="Main">
        {NAV_LINKS.map(({ path: href, label }) => (
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
