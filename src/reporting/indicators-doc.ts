import { INDICATORS } from './indicators.js';
import { MNR_CAPABILITIES, MNR_PHASES } from './mnr.js';

const TITLES: Record<string, string> = {
  victims: 'Target 1 — victims identified and helped',
  offenders: 'Target 2 — offenders investigated and prosecuted together',
  awareness: "Target 3 — children's awareness",
  availability: 'Target 4 — less abuse material available',
  exchange: 'Exchange health',
};

/** docs/indicators.md: every indicator's definition and the MNR capabilities (scripts/indicators-doc.mts writes it). */
export function indicatorsMarkdown(): string {
  let s = `# Indicators

Every node computes these from what happened on it, per period — a month (\`2026-07\`), a quarter
(\`2026-Q3\`) or a year (\`2026\`), each a UTC interval including its first instant and excluding the
next period's — and compares them with a baseline period of the same kind (by default the same
period a year before): growth = (value − baseline) / baseline, none when the baseline is 0. The
alliance's operational goal for target 1 is victims identified up at least 10 % a year.
Percentiles are nearest-rank. \`GET /api/v1/indicators?period=…&baseline=…\` returns them all.
This file is written from \`src/reporting/indicators.ts\` by \`npm run docs:indicators\`;
\`test/reporting/definitions.test.ts\` checks that it is current.
`;
  for (const target of Object.keys(TITLES)) {
    s += `\n## ${TITLES[target]}\n\n| id | unit | indicator | definition |\n|---|---|---|---|\n`;
    for (const i of INDICATORS.filter((x) => x.target === target)) s += `| \`${i.id}\` | ${i.unit} | ${i.label} | ${i.definition} |\n`;
  }
  s += `\nBreakdowns: time to removal per hosting country (the notice's hosting provider's country, else
the country of the host's address; \`unknown\` otherwise) with the same figures as the totals;
campaigns per audience; messages per context; the manual entries with their sources.

## Model National Response self-assessment

Each capability is rated per period in one of four phases (${MNR_PHASES.map((p, i) => `${i + 1} ${p}`).join(', ')}) with evidence notes (\`PUT /api/v1/mnr/<period>\`).

| # | group | capability |
|---|---|---|
${MNR_CAPABILITIES.map((c) => `| ${c.id} | ${c.group} | ${c.name} |`).join('\n')}
`;
  return s;
}
