/** The classification labels the API accepts (src/banks/classification.ts), grouped by scheme. */
export const CLASSIFICATIONS: Array<{ scheme: string; labels: Array<[value: string, text: string]> }> = [
  {
    scheme: 'Industry',
    labels: [
      ['industry:A1', 'A1'],
      ['industry:A2', 'A2'],
      ['industry:B1', 'B1'],
      ['industry:B2', 'B2'],
    ],
  },
  {
    scheme: 'UK',
    labels: [
      ['uk:A', 'A'],
      ['uk:B', 'B'],
      ['uk:C', 'C'],
    ],
  },
  {
    scheme: 'VICS',
    labels: [
      ['vics:0', '0'],
      ['vics:1', '1'],
      ['vics:2', '2'],
      ['vics:3', '3'],
      ['vics:4', '4'],
    ],
  },
  {
    scheme: 'Legal status',
    labels: [
      ['legal:baseline', 'baseline'],
      ['legal:national', 'national'],
      ['legal:not_illegal', 'not illegal'],
      ['legal:unknown', 'unknown'],
    ],
  },
];

/** "industry:A1 (legal: baseline)" */
export function classificationText(c: { scheme: string; value: string; legal: string } | null): string {
  if (!c) return '—';
  return c.scheme === 'legal' ? `legal:${c.value}` : `${c.scheme}:${c.value} (legal: ${c.legal})`;
}
