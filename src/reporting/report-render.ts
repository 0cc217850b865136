/**
 * A country report as HTML (the page the PDF is printed from: headless Chromium, the same
 * renderer as the web UI's browser) and as CSV. Figures are written by format.ts, as the UI writes them.
 */
import { AllianceError } from '../errors/catalogue.js';
import { csvField, htmlText } from '../hasher/output.js';
import type { CountryReport } from './country-report.js';
import { formatGrowth, formatValue } from './format.js';
import { INDICATORS, type Target } from './indicators.js';
import { MNR_PHASES } from './mnr.js';

const TITLES: Record<Target, string> = {
  victims: 'Target 1 — Victims',
  offenders: 'Target 2 — Offenders',
  awareness: 'Target 3 — Awareness',
  availability: 'Target 4 — Availability',
  exchange: 'Exchange health',
};

export function reportHtml(r: CountryReport, signature: { signed: boolean; key: string | null }): string {
  const v = r.indicators.values;
  const section = (target: Target) => `<h2>${TITLES[target]}</h2>
<table><thead><tr><th>Indicator</th><th>${htmlText(r.period)}</th><th>Baseline ${htmlText(r.baseline)}</th><th>Growth</th></tr></thead><tbody>
${INDICATORS.filter((i) => i.target === target)
  .map(
    (i) =>
      `<tr data-indicator="${i.id}"><td>${htmlText(i.label)}</td><td class="num value">${formatValue(i.unit, v[i.id])}</td><td class="num">${formatValue(i.unit, r.baseline_values[i.id])}</td><td class="num">${i.unit === 'count' ? formatGrowth(r.growth[i.id]) : ''}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
  const narrative = Object.entries(r.narrative ?? {})
    .map(
      ([k, t]) =>
        `<h3>${htmlText(k[0].toUpperCase() + k.slice(1))}</h3>${t
          .split(/\n{2,}/)
          .map((p) => `<p>${htmlText(p)}</p>`)
          .join('')}`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Country report ${htmlText(r.member)} ${htmlText(r.period)}</title>
<style>
body{font:11pt/1.4 system-ui,sans-serif;margin:1.5cm;color:#111}h1{font-size:18pt;margin:0 0 .3cm}h2{font-size:13pt;margin:.8cm 0 .2cm;break-after:avoid}
table{border-collapse:collapse;width:100%;break-inside:auto}td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr{break-inside:avoid}.meta{color:#333}.goal{font-weight:600}
</style></head><body>
<h1>Country report: ${htmlText(r.member)}${r.country ? ` (${htmlText(r.country)})` : ''} — ${htmlText(r.period)}</h1>
<p class="meta">Baseline ${htmlText(r.baseline)} · generated ${htmlText(r.generated_at)} by Alliance · ${signature.signed ? `signed with node key <code>${htmlText(signature.key ?? '')}</code>` : 'draft, not signed'}</p>
<p class="goal" data-goal>Victims identified: ${formatGrowth(r.victim_goal.growth)} on the baseline (alliance goal +${(r.victim_goal.goal * 100).toFixed(0)} % a year${r.victim_goal.met === null ? '' : r.victim_goal.met ? ': met' : ': not met'}).</p>
${(['victims', 'offenders', 'awareness', 'availability', 'exchange'] as const).map(section).join('\n')}
<h2>Time to removal by hosting country</h2>
${r.indicators.removal_by_hosting_country.length ? `<table><thead><tr><th>Country</th><th>Notices</th><th>Removed</th><th>Median hours</th><th>90th percentile</th><th>Within 24 h</th><th>Within 72 h</th></tr></thead><tbody>${r.indicators.removal_by_hosting_country.map((c) => `<tr data-hosting="${htmlText(c.country)}"><td>${htmlText(c.country)}</td><td class="num">${formatValue('count', c.notices)}</td><td class="num">${formatValue('count', c.removed)}</td><td class="num">${formatValue('hours', c.median_hours)}</td><td class="num">${formatValue('hours', c.p90_hours)}</td><td class="num">${formatValue('share', c.within_24h_share)}</td><td class="num">${formatValue('share', c.within_72h_share)}</td></tr>`).join('')}</tbody></table>` : '<p>No notices in the period.</p>'}
<h2>Model National Response self-assessment</h2>
<table><thead><tr><th>#</th><th>Capability</th><th>Phase</th><th>Evidence</th></tr></thead><tbody>
${r.assessment.map((c) => `<tr data-capability="${c.id}"><td class="num">${c.id}</td><td>${htmlText(c.name)}<br><small>${htmlText(c.group)}</small></td><td>${c.phase ? `${c.phase} ${MNR_PHASES[c.phase - 1]}` : 'not assessed'}</td><td>${htmlText(c.evidence ?? '')}</td></tr>`).join('\n')}
</tbody></table>
${narrative ? `<h2>Narrative</h2>\n${narrative}` : ''}
${r.indicators.manual_entries.length ? `<h2>Sources of manual entries</h2><ul>${r.indicators.manual_entries.map((m) => `<li>${htmlText(m.kind)} ${htmlText(m.period)}: ${m.value} — ${htmlText(m.source)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}

export const REPORT_CSV_HEADER = 'section,indicator,label,unit,value,baseline,growth,display';

export function reportCsv(r: CountryReport): string {
  const rows = INDICATORS.map((i) => [
    i.target,
    i.id,
    i.label,
    i.unit,
    r.indicators.values[i.id] ?? '',
    r.baseline_values[i.id] ?? '',
    r.growth[i.id] ?? '',
    formatValue(i.unit, r.indicators.values[i.id]),
  ]);
  for (const c of r.indicators.removal_by_hosting_country) {
    for (const [k, unit] of [
      ['notices', 'count'],
      ['removed', 'count'],
      ['median_hours', 'hours'],
      ['p90_hours', 'hours'],
      ['within_24h_share', 'share'],
      ['within_72h_share', 'share'],
    ] as const) {
      rows.push(['removal_by_hosting_country', `${c.country}.${k}`, `${c.country} ${k.replace(/_/g, ' ')}`, unit, c[k] ?? '', '', '', formatValue(unit, c[k])]);
    }
  }
  for (const c of r.assessment)
    rows.push(['mnr', `capability.${c.id}`, c.name, 'phase', c.phase ?? '', '', '', c.phase ? MNR_PHASES[c.phase - 1] : 'not assessed']);
  return `${REPORT_CSV_HEADER}\n${rows.map((row) => row.map((f) => csvField(f)).join(',')).join('\n')}\n`;
}

/** Prints the HTML to PDF with headless Chromium (ALLIANCE_CHROMIUM, default /usr/bin/chromium). */
export async function reportPdf(html: string): Promise<Buffer> {
  const executablePath = process.env.ALLIANCE_CHROMIUM || '/usr/bin/chromium';
  // Loaded here, not at start-up: every CLI command would pay for it.
  const { chromium } = await import('playwright-core');
  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (err) {
    throw new AllianceError(
      'INTERNAL',
      `cannot start Chromium at ${executablePath} to print the PDF (install Debian's chromium, or set ALLIANCE_CHROMIUM): ${(err as Error).message.split('\n')[0]}`,
    );
  }
  try {
    const page = await browser.newPage();
    // Nothing leaves the machine: the page is self-contained and every request is refused.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '1cm', bottom: '1cm', left: '1cm', right: '1cm' } });
  } finally {
    await browser.close();
  }
}
