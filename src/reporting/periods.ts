/**
 * Reporting periods: a month ("2026-07"), a quarter ("2026-Q3") or a year ("2026"), each the
 * half-open UTC interval [from, to). Indicators are computed per period and compared with a
 * baseline period of the same kind.
 */
import { AllianceError } from '../errors/catalogue.js';

export type PeriodKind = 'month' | 'quarter' | 'year';

export interface Period {
  key: string;
  kind: PeriodKind;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

const utc = (y: number, m: number) => Date.UTC(y, m, 1);

function make(kind: PeriodKind, year: number, index: number): Period {
  if (kind === 'year') return { key: String(year), kind, from: utc(year, 0), to: utc(year + 1, 0) };
  if (kind === 'quarter') return { key: `${year}-Q${index + 1}`, kind, from: utc(year, index * 3), to: utc(year, index * 3 + 3) };
  return { key: `${year}-${String(index + 1).padStart(2, '0')}`, kind, from: utc(year, index), to: utc(year, index + 1) };
}

/** Parses "2026", "2026-Q3" or "2026-07"; throws PERIOD_INVALID. */
export function parsePeriod(text: string): Period {
  const t = text.trim().toUpperCase();
  let m = /^(\d{4})$/.exec(t);
  if (m) return make('year', Number(m[1]), 0);
  m = /^(\d{4})-Q([1-4])$/.exec(t);
  if (m) return make('quarter', Number(m[1]), Number(m[2]) - 1);
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(t);
  if (m) return make('month', Number(m[1]), Number(m[2]) - 1);
  throw new AllianceError('PERIOD_INVALID', `"${text.slice(0, 40)}" is not a period: write a year (2026), a quarter (2026-Q3) or a month (2026-07)`);
}

/** The period of `kind` that contains `at`. */
export function periodOf(kind: PeriodKind, at: number): Period {
  const d = new Date(at);
  const y = d.getUTCFullYear();
  return make(kind, y, kind === 'year' ? 0 : kind === 'quarter' ? Math.floor(d.getUTCMonth() / 3) : d.getUTCMonth());
}

/** The period `n` periods after `p` (negative: before). */
export function shift(p: Period, n: number): Period {
  const d = new Date(p.from);
  const y = d.getUTCFullYear();
  if (p.kind === 'year') return make('year', y + n, 0);
  const size = p.kind === 'quarter' ? 3 : 1;
  const count = p.kind === 'quarter' ? 4 : 12;
  const index = Math.floor(d.getUTCMonth() / size) + n;
  return make(p.kind, y + Math.floor(index / count), ((index % count) + count) % count);
}

/** The same period a year earlier (the alliance's goal is growth year on year). */
export function yearBefore(p: Period): Period {
  return shift(p, p.kind === 'year' ? -1 : p.kind === 'quarter' ? -4 : -12);
}

/** Whether `inner` lies within `outer`. */
export function within(inner: Period, outer: Period): boolean {
  return inner.from >= outer.from && inner.to <= outer.to;
}

/** The `n` periods ending with `p`, oldest first (for trends). */
export function trailing(p: Period, n: number): Period[] {
  return Array.from({ length: n }, (_, i) => shift(p, i - n + 1));
}
