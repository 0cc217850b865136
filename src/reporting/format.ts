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
