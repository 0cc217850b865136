/**
 * Reporting inputs and definitions: docs/indicators.md is current; periods parse and shift;
 * manual entries, campaigns and self-assessment ratings are validated and audited, readable by
 * analysts and auditors, writable by administrators only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indicatorsMarkdown } from '../../src/reporting/indicators-doc.js';
import { censoredQuantile } from '../../src/reporting/indicators.js';
import { parsePeriod, shift, trailing, yearBefore } from '../../src/reporting/periods.js';
import { startApi, type TestApi } from '../support/api.js';
import { REPO } from '../support/paths.js';

describe('indicator definitions and periods', () => {
  it('docs/indicators.md is written from the code (npm run docs:indicators)', () => {
    expect(readFileSync(join(REPO, 'docs', 'indicators.md'), 'utf8')).toBe(indicatorsMarkdown());
  });

  it('parses, shifts and compares periods in UTC', () => {
    expect(parsePeriod('2026-q3')).toEqual({
      key: '2026-Q3',
      kind: 'quarter',
      from: Date.parse('2026-07-01T00:00:00Z'),
      to: Date.parse('2026-10-01T00:00:00Z'),
    });
    expect(parsePeriod('2026-12')).toMatchObject({ key: '2026-12', to: Date.parse('2027-01-01T00:00:00Z') });
    expect(parsePeriod('2026')).toMatchObject({ kind: 'year', from: Date.parse('2026-01-01T00:00:00Z') });
    for (const bad of ['2026-Q0', '2026-13', '26', '2026-7', 'Q3-2026', '']) expect(() => parsePeriod(bad), bad).toThrow(/not a period/);
    expect(shift(parsePeriod('2026-Q1'), -1).key).toBe('2025-Q4');
    expect(shift(parsePeriod('2026-01'), -13).key).toBe('2024-12');
    expect(yearBefore(parsePeriod('2026-07')).key).toBe('2025-07');
    expect(trailing(parsePeriod('2026-Q2'), 4).map((p) => p.key)).toEqual(['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2']);
  });

  it('ranks what has not happened yet as later than anything (censored quantiles)', () => {
    expect(censoredQuantile([1, 2, 3], 3, 0.5)).toBe(2);
    expect(censoredQuantile([1, 2], 5, 0.5)).toBeNull(); // the 3rd of 5 has not happened
    expect(censoredQuantile([5], 1, 0.9)).toBe(5);
    expect(censoredQuantile([], 0, 0.5)).toBeNull();
  });
});

describe('reporting inputs', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite', { memberName: 'police-be', memberCountry: 'BE' });
  });
  afterAll(() => api.close());

  it('keeps manual entries with their source; a correction replaces the figure and is audited', async () => {
    const put = (body: unknown, token?: string) => api.call('PUT', '/api/v1/manual-indicators', body, token);
    expect((await put({ period: '2026-q3', kind: 'prosecutions', value: 12, source: 'Ministry of Justice' })).json()).toMatchObject({
      period: '2026-Q3',
      value: 12,
    });
    expect((await put({ period: '2026-Q3', kind: 'prosecutions', value: 14, source: 'Ministry of Justice, revised' })).statusCode).toBe(200);
    expect((await api.call('GET', '/api/v1/manual-indicators')).json().entries).toEqual([
      expect.objectContaining({ period: '2026-Q3', kind: 'prosecutions', value: 14, source: 'Ministry of Justice, revised' }),
    ]);
    expect((await put({ period: '2026-Q9', kind: 'prosecutions', value: 1, source: 'x' })).json().code).toBe('PERIOD_INVALID');
    expect((await put({ period: '2026-Q3', kind: 'arrests', value: 1, source: 'x' })).statusCode).toBe(400);
    expect((await put({ period: '2026-Q3', kind: 'convictions', value: -1, source: 'x' })).statusCode).toBe(400);
    expect((await put({ period: '2026-Q3', kind: 'convictions', value: 1, source: '   ' })).json()).toMatchObject({
      code: 'REPORTING_INVALID',
      message: 'source: required',
    });
    const audit = (await api.call('GET', '/api/v1/audit?action=indicators.manual')).json();
    expect(JSON.stringify(audit)).toContain('revised');
  });

  it('records campaigns and validates them', async () => {
    const post = (body: Record<string, unknown>) =>
      api.call('POST', '/api/v1/campaigns', {
        country: 'BE',
        title: 'Think before you share',
        audience: 'children',
        channel: 'school',
        reach: 2500,
        starts_on: '2026-09-01',
        ...body,
      });
    const ok = await post({});
    expect([ok.statusCode, ok.json().country]).toEqual([201, 'BE']);
    expect((await post({ country: 'XX' })).json().message).toMatch(/country: an ISO 3166-1 alpha-2 code/);
    expect((await post({ ends_on: '2026-08-01' })).json().message).toMatch(/not before starts_on/);
    expect((await post({ audience: 'everyone' })).statusCode).toBe(400);
    expect((await post({ starts_on: '2026-02-30' })).json().code).toBe('REPORTING_INVALID');
    expect((await api.call('GET', '/api/v1/campaigns')).json().campaigns).toHaveLength(1);
    expect((await api.call('DELETE', `/api/v1/campaigns/${ok.json().id}`)).statusCode).toBe(204);
    expect((await api.call('DELETE', `/api/v1/campaigns/${ok.json().id}`)).json().code).toBe('REPORTING_NOT_FOUND');
  });

  it('rates the 21 MNR capabilities per period, with evidence', async () => {
    const empty = (await api.call('GET', '/api/v1/mnr/2026-Q3')).json();
    expect([empty.capabilities.length, empty.capabilities.every((c: { phase: null }) => c.phase === null), empty.phases]).toEqual([
      21,
      true,
      ['Initial', 'Developing', 'Established', 'Advanced'],
    ]);
    expect(empty.capabilities.find((c: { id: number }) => c.id === 7).name).toBe('Access to image databases');
    const rated = (
      await api.call('PUT', '/api/v1/mnr/2026-Q3', {
        ratings: [
          { capability: 7, phase: 3, evidence: 'Node connected to the alliance banks' },
          { capability: 16, phase: 2, evidence: '' },
        ],
      })
    ).json();
    expect(rated.capabilities.filter((c: { phase: number | null }) => c.phase !== null).map((c: { id: number; phase: number }) => [c.id, c.phase])).toEqual([
      [7, 3],
      [16, 2],
    ]);
    expect((await api.call('GET', '/api/v1/mnr/2026-Q4')).json().capabilities.every((c: { phase: null }) => c.phase === null)).toBe(true); // versioned per period
    expect((await api.call('PUT', '/api/v1/mnr/2026-Q3', { ratings: [{ capability: 22, phase: 1, evidence: '' }] })).statusCode).toBe(400);
    expect((await api.call('PUT', '/api/v1/mnr/2026-Q3', { ratings: [{ capability: 1, phase: 5, evidence: '' }] })).statusCode).toBe(400);
  });

  it('lets analysts and auditors read, and only administrators change', async () => {
    const analyst = await api.tokenFor('analyst');
    const auditor = await api.tokenFor('auditor');
    const matcher = await api.tokenFor('matcher');
    expect((await api.call('GET', '/api/v1/indicators?period=2026-Q3', undefined, analyst)).statusCode).toBe(200);
    expect((await api.call('GET', '/api/v1/mnr/2026-Q3', undefined, auditor)).statusCode).toBe(200);
    expect((await api.call('GET', '/api/v1/indicators?period=2026-Q3', undefined, matcher)).statusCode).toBe(403);
    expect((await api.call('PUT', '/api/v1/manual-indicators', { period: '2026', kind: 'convictions', value: 1, source: 'x' }, analyst)).statusCode).toBe(403);
    expect((await api.call('GET', '/api/v1/indicators/definitions', undefined, analyst)).json().indicators.length).toBeGreaterThan(30);
  });
});
