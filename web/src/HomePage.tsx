import { navFor, type NavLink } from '../../src/api/ui-routes.js';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { PageHeading } from './PageHeading';
import type { Problem } from './problems';
import { toProblem } from './problems';
import type { WhoAmI } from './types';
import { useLoad } from './useLoad';
import { Skeleton } from './ui/Skeleton';

/** A notice still open this long after it was first sent is overdue (the providers' "removed within 72 h"). */
export const NOTICE_OVERDUE_MS = 72 * 3600_000;
/** The most rows a count reads from a listing; more are shown as "500 or more". */
const MAX = 500;

interface Attention {
  key: string;
  label: string;
  href: string;
  count?: number;
  capped?: boolean;
  error?: Problem;
}

interface Check {
  key: string;
  label: string;
  href: string;
  permission: string;
  count: () => Promise<{ count: number; capped?: boolean }>;
}

/** What may be waiting, each counted from the API the page it links to uses (only those the role may read). */
const CHECKS: Check[] = [
  {
    key: 'reviews',
    label: 'Reviews waiting for a verdict',
    href: '/review',
    permission: 'reviews.decide',
    count: async () => ({ count: (await api<{ pending: number }>('/reviews?status=pending&limit=1')).pending }),
  },
  {
    key: 'notices',
    label: 'Notices open for more than 72 hours',
    href: '/notices',
    permission: 'reports',
    count: async () => {
      const { notices } = await api<{ notices: Array<{ first_sent_at: string | null; created_at: string }> }>(`/notices?status=open&limit=${MAX}`);
      const now = Date.now();
      const count = notices.filter((n) => now - Date.parse(n.first_sent_at ?? n.created_at) > NOTICE_OVERDUE_MS).length;
      return { count, capped: notices.length === MAX };
    },
  },
  {
    key: 'reports',
    label: 'Reports finished but not delivered',
    href: '/reports',
    permission: 'reports',
    count: async () => {
      const { reports } = await api<{
        reports: Array<{ finished_at: string | null; destination: string | null; delivery: { state: string } | null }>;
      }>(`/reports?direction=out&limit=${MAX}`);
      const count = reports.filter((r) => r.finished_at && r.destination && r.delivery?.state !== 'delivered').length;
      return { count, capped: reports.length === MAX };
    },
  },
  {
    key: 'sources',
    label: 'Subscriptions and sources failing',
    href: '/sync',
    permission: 'banks.read',
    count: async () => ({ count: (await api<{ sources: Array<{ state: string }> }>('/sources')).sources.filter((s) => s.state === 'failing').length }),
  },
  {
    key: 'overlaps',
    label: "Overlaps with other members' cases",
    href: '/deconfliction',
    permission: 'cases',
    count: async () => ({ count: (await api<{ alerts: unknown[] }>('/deconfliction/alerts')).alerts.length }),
  },
];

/** The checks a role sees: those whose permission it has. */
export const checksFor = (permissions: readonly string[]) => CHECKS.filter((c) => permissions.includes(c.permission));

async function countAll(checks: Check[]): Promise<Attention[]> {
  return Promise.all(
    checks.map(async (c) => {
      const base = { key: c.key, label: c.label, href: c.href };
      try {
        return { ...base, ...(await c.count()) };
      } catch (err) {
        return { ...base, error: toProblem(err) };
      }
    }),
  );
}

/** The home page: what needs the signed-in role now, each a count linking to its page; then the role's pages. */
export function HomePage({ who }: { who: WhoAmI }) {
  const checks = checksFor(who.permissions);
  const counts = useLoad(() => countAll(checks), [who.permissions.join(',')]);
  const menus = navFor(who.permissions);
  return (
    <>
      <PageHeading title="What needs you now" />
      <p>
        Signed in as {who.member} ({who.role}).
      </p>
      {checks.length > 0 && (
        <section aria-labelledby="attention-heading">
          <h2 id="attention-heading">Waiting</h2>
          {!counts.data && <Skeleton label="Counting what is waiting…" lines={2} />}
          {counts.data && (
            <ul className="attention">
              {counts.data.map((a) => (
                <li key={a.key} data-attention={a.key} className={a.count ? 'attention-due' : undefined}>
                  <Link href={a.href}>
                    <span className="attention-count">{a.error ? '?' : `${a.count ?? 0}${a.capped ? '+' : ''}`}</span> {a.label}
                  </Link>
                  {a.error && <ErrorMessage error={a.error} />}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section aria-labelledby="pages-heading">
        <h2 id="pages-heading">Your pages</h2>
        {menus.map((m) => (
          <p key={m.group}>
            {m.group}:{' '}
            {m.links.map((l: NavLink, i) => (
              <span key={l.path}>
                {i > 0 && ' · '}
                <Link href={l.path}>{l.label}</Link>
              </span>
            ))}
          </p>
        ))}
      </section>
    </>
  );
}
