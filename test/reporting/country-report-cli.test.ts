/** `alliance report build|narrative|sign|csv|pdf|periodic` on the embedded default, as a user runs them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('alliance report (country reports)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-report-cli-'));
  const data = join(dir, 'data');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a draft, takes a narrative, signs it, and writes CSV and PDF', async () => {
    const built = await runCli(['report', 'build', '--period', '2026-Q3', '--data', data]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^country report 1: local 2026-Q3 \(baseline 2025-Q3\), draft\n/);
    expect(built.stdout).toMatch(/victims\.identified\s+0/);
    const narrative = join(dir, 'narrative.json');
    writeFileSync(narrative, JSON.stringify({ summary: 'Quarter three.', challenges: 'Staffing' }));
    expect((await runCli(['report', 'narrative', '1', '--file', narrative, '--data', data])).stdout).toBe('country report 1: narrative summary, challenges\n');
    writeFileSync(narrative, '{"summary": ');
    const broken = await runCli(['report', 'narrative', '1', '--file', narrative, '--data', data]);
    expect([broken.code, broken.stderr]).toEqual([2, expect.stringMatching(/not a JSON object of narrative fields.*\[REPORTING_INVALID\]/)]);
    expect((await runCli(['report', 'sign', '1', '--data', data])).stdout).toMatch(/^country report 1 signed \(ed25519:/);
    const again = await runCli(['report', 'sign', '1', '--data', data]);
    expect(again.stderr).toMatch(/signed already \[COUNTRY_REPORT_SIGNED\]/);
    expect((await runCli(['report', 'csv', '1', '--out', join(dir, 'r.csv'), '--data', data])).code).toBe(0);
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toMatch(
      /^section,indicator,label,unit,value,baseline,growth,display\nvictims,victims\.series_opened,Series opened,count,0,0,,0\n/,
    );
    const pdf = await runCli(['report', 'pdf', '1', '--out', join(dir, 'r.pdf'), '--data', data]);
    expect(pdf.code, pdf.stderr).toBe(0);
    expect(readFileSync(join(dir, 'r.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await runCli(['report', 'periodic', '--data', data])).stdout).toMatch(/^1\t2026-Q3\tsigned\t-\t/);
    const noSecretariat = await runCli(['report', 'submit', '1', '--data', data]);
    expect(noSecretariat.stderr).toMatch(/no secretariat: name its peer \(--to\) or set ALLIANCE_SECRETARIAT_PEER/);
    const badPeriod = await runCli(['report', 'build', '--period', '2026-Q7', '--data', data]);
    expect([badPeriod.code, badPeriod.stderr]).toEqual([2, expect.stringMatching(/"2026-Q7" is not a period.*\[PERIOD_INVALID\]/)]);
  });
});
