import { useEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { navFor, type NavGroup, type NavLink } from '../../src/api/ui-routes.js';
import { Link } from './Link';
import type { WhoAmI } from './types';

/** Whether the path is the link's page or one below it (a bank's page is under Banks). */
export const isCurrent = (path: string, href: string) => path === href || path.startsWith(`${href}/`);

/**
 * The header: one menu per job (src/api/ui-routes.ts's NAV_GROUPS) with the pages the signed-in
 * role may use (GET /whoami's permissions), who is signed in, sign out. Each menu is a disclosure
 * button (Enter or Space opens it, Escape closes it and returns to its button, Tab moves through its
 * links; leaving it closes it), so seven menus fit a 1280 px screen where fourteen links wrapped.
 * The current page's link is aria-current="page" and its menu's button is marked current too.
 */
export function Nav({ path, who, onSignOut }: { path: string; who: WhoAmI | undefined; onSignOut: () => void }) {
  const [open, setOpen] = useState<NavGroup | null>(null);
  useEffect(() => setOpen(null), [path]); // a page opened (a link, Back) closes the menus
  const groups = who ? navFor(who.permissions) : [];
  return (
    <header className="top">
      <Link className="brand" href="/" aria-current={path === '/' ? 'page' : undefined} title="Home: what needs you now">
        Alliance
      </Link>
      <nav aria-label="Main">
        <ul className="menus">
          {groups.map(({ group, links }) => (
            <Menu
              key={group}
              group={group}
              links={links}
              path={path}
              open={open === group}
              onToggle={(show) => setOpen(show ? group : (o) => (o === group ? null : o))}
            />
          ))}
        </ul>
      </nav>
      <span className="who">{who ? `Signed in as ${who.member} (${who.role})` : ''}</span>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}

function Menu({ group, links, path, open, onToggle }: { group: NavGroup; links: NavLink[]; path: string; open: boolean; onToggle: (open: boolean) => void }) {
  const button = useRef<HTMLButtonElement>(null);
  const id = `menu-${group.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  const current = links.some((l) => isCurrent(path, l.path));
  const keyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && open) {
      e.preventDefault();
      onToggle(false);
      button.current?.focus();
    }
  };
  const blur = (e: FocusEvent<HTMLLIElement>) => {
    if (open && !e.currentTarget.contains(e.relatedTarget as Node | null)) onToggle(false);
  };
  return (
    <li className="menu" onKeyDown={keyDown} onBlur={blur}>
      <button ref={button} type="button" aria-expanded={open} aria-controls={id} aria-current={current ? 'true' : undefined} onClick={() => onToggle(!open)}>
        {group}
      </button>
      <ul id={id} className="menu-links" hidden={!open}>
        {links.map((l) => (
          <li key={l.path}>
            <Link href={l.path} aria-current={isCurrent(path, l.path) ? 'page' : undefined} onClick={() => onToggle(false)}>
              {l.label}
            </Link>
          </li>
        ))}
      </ul>
    </li>
  );
}
