/** Shapes of the reporting responses: the server's own types (src/api/contract/reporting.ts), plus helpers of the pages. */
export type { IndicatorDefinition as Definition, IndicatorReport, RemovalByCountry } from '../../../src/api/contract/index.js';
import type { IndicatorDefinition } from '../../../src/api/contract/index.js';

export const TARGET_TITLES: Record<IndicatorDefinition['target'], string> = {
  victims: 'Target 1 — Victims',
  offenders: 'Target 2 — Offenders',
  awareness: 'Target 3 — Awareness',
  availability: 'Target 4 — Availability',
  exchange: 'Exchange health',
};

/** The current quarter, e.g. "2026-Q4". */
export function currentQuarter(): string {
  const d = new Date();
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** The `n` periods ending with `key` (same kind), oldest first. */
export function trailingPeriods(key: string, n: number): string[] {
  const q = /^(\d{4})-Q([1-4])$/.exec(key);
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  const y = /^(\d{4})$/.exec(key);
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    if (q) {
      const idx = Number(q[1]) * 4 + Number(q[2]) - 1 - i;
      out.push(`${Math.floor(idx / 4)}-Q${(idx % 4) + 1}`);
    } else if (m) {
      const idx = Number(m[1]) * 12 + Number(m[2]) - 1 - i;
      out.push(`${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`);
    } else if (y) out.push(String(Number(y[1]) - i));
  }
  return out;
}
