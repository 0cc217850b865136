/**
 * How indicator values are written, the same in the web UI, the HTML/PDF report and the CSV's
 * display column (no imports: the web bundle uses this file too).
 */
export type ValueUnit = 'count' | 'days' | 'hours' | 'share';

export function formatValue(unit: ValueUnit, v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (unit === 'share') return `${(v * 100).toFixed(1)} %`;
  if (unit === 'count') return Math.round(v).toLocaleString('en-GB');
  return v.toLocaleString('en-GB', { maximumFractionDigits: 1 });
}

export function formatGrowth(g: number | null | undefined): string {
  if (g === null || g === undefined) return '—';
  return `${g >= 0 ? '+' : '−'}${Math.abs(g * 100).toFixed(1)} %`;
}

/** The bins of a removal-time distribution (the Notices page's histogram): upper bounds in hours, the last open. */
export const REMOVAL_BINS: ReadonlyArray<{ label: string; upTo: number }> = [
  { label: 'under 1 h', upTo: 1 },
  { label: '1–6 h', upTo: 6 },
  { label: '6–24 h', upTo: 24 },
  { label: '1–3 days', upTo: 72 },
  { label: '3–7 days', upTo: 168 },
  { label: 'over 7 days', upTo: Infinity },
];

/** How many of the times (hours from the first notice to removal) fall in each bin: each time in exactly one. */
export function removalDistribution(hours: readonly number[]): Array<{ bin: string; notices: number }> {
  return REMOVAL_BINS.map((b, i) => ({
    bin: b.label,
    notices: hours.filter((h) => h < b.upTo && (i === 0 || h >= REMOVAL_BINS[i - 1].upTo)).length,
  }));
}
