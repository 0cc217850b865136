/** Calendar days as the database keeps them: "YYYY-MM-DD" in UTC. */

/** The UTC day of an instant (epoch ms). */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Whether `s` is a real calendar day written YYYY-MM-DD (2026-02-30 is not). */
export function isDay(s: unknown): s is string {
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && dayOf(Date.parse(`${s}T00:00:00Z`)) === s;
}
