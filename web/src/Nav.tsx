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
        <Link href="/banks" aria-current={current('/banks')}>
          Banks
        </Link>
        <Link href="/match" aria-current={current('/match')}>
          Match
        </Link>
        <Link href="/sync" aria-current={current('/sync')}>
          Sync
        </Link>
        <Link href="/review" aria-current={current('/review')}>
          Review
        </Link>
        <Link href="/reports" aria-current={current('/reports')}>
          Reports
        </Link>
        <Link href="/notices" aria-current={current('/notices')}>
          Notices
        </Link>
        <Link href="/rules" aria-current={current('/rules')}>
          Rules
        </Link>
      </nav>
      <span className="who">{who.data ? `Signed in as ${who.data.member} (${who.data.role})` : ''}</span>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}
