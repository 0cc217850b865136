/**
 * Reporting on the four policy targets: indicators per period against a baseline, the figures an
 * authority enters by hand (prosecutions, convictions, with their source), awareness campaigns,
 * messages served (counted per day, never the query), and the Model National Response
 * self-assessment, versioned per period. Every change is audited.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { MESSAGE_CONTEXTS } from '../awareness/seed-messages.js';
import { AllianceError, failWith } from '../errors/catalogue.js';
import { isCountryCode } from '../geo/countries.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  addMessageCount,
  assessmentsOf,
  dayOf,
  deleteCampaign,
  insertCampaign,
  isDay,
  listCampaigns,
  listManualIndicators,
  now,
  type Store,
  upsertAssessment,
  upsertManualIndicator,
} from '../store/index.js';
import { computeIndicators, growth, VICTIM_GROWTH_GOAL, type Indicators } from './indicators.js';
import { MNR_CAPABILITIES, MNR_PHASES } from './mnr.js';
import { parsePeriod, yearBefore } from './periods.js';

export const MANUAL_KINDS = ['prosecutions', 'convictions'] as const;
export const AUDIENCES = ['children', 'parents', 'educators', 'professionals', 'general_public', 'offenders'] as const;
export const CHANNELS = ['school', 'online', 'broadcast', 'print', 'event', 'other'] as const;
export { MESSAGE_CONTEXTS } from '../awareness/seed-messages.js';

export interface IndicatorReport {
  indicators: Indicators;
  /** The period compared with (by default the same period a year before). */
  baseline: { period: string; values: Record<string, number | null> };
  growth: Record<string, number | null>;
  /** Target 1's operational goal: victims identified up ≥ 10 % on the baseline. */
  victim_goal: { growth: number | null; goal: number; met: boolean | null };
}

const bad = failWith('REPORTING_INVALID');

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || !value.trim()) throw bad(`${field}: required`);
  if (value.length > max) throw bad(`${field}: at most ${max} characters`);
  return value.trim();
}

export class ReportingService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly self: { name: string; country: string | null },
  ) {}

  /** The indicators of `period`, with growth against `baselineKey` (default: the same period a year before). */
  async indicators(actor: Principal, periodKey: string, baselineKey?: string): Promise<IndicatorReport> {
    requirePermission(actor, 'indicators.read');
    const period = parsePeriod(periodKey);
    const base = baselineKey ? parsePeriod(baselineKey) : yearBefore(period);
    if (base.kind !== period.kind)
      throw new AllianceError('PERIOD_INVALID', `compare a ${period.kind} with a ${period.kind} (baseline ${base.key} is a ${base.kind})`);
    if (base.from >= period.from) throw new AllianceError('PERIOD_INVALID', `the baseline ${base.key} must come before ${period.key}`);
    const indicators = await computeIndicators(this.store, this.self, period);
    const baseline = await computeIndicators(this.store, this.self, base);
    const g = growth(indicators.values, baseline.values);
    const vg = g['victims.identified'] ?? null;
    this.audit.recordRead(actor, 'indicators', period.key, { baseline: base.key }, null);
    return {
      indicators,
      baseline: { period: base.key, values: baseline.values },
      growth: g,
      victim_goal: { growth: vg, goal: VICTIM_GROWTH_GOAL, met: vg === null ? null : vg >= VICTIM_GROWTH_GOAL },
    };
  }

  /** Enters (or corrects) a figure the node cannot see: prosecutions or convictions in a period, with its source. */
  async setManual(actor: Principal, input: { period: string; kind: string; value: number; source: string }) {
    requirePermission(actor, 'reporting.manage');
    const period = parsePeriod(input.period).key;
    if (!(MANUAL_KINDS as readonly string[]).includes(input.kind)) throw bad(`kind: one of ${MANUAL_KINDS.join(', ')}`);
    if (!Number.isSafeInteger(input.value) || input.value < 0) throw bad('value: a whole number ≥ 0');
    const source = text('source', input.source, 500);
    const row = { period, kind: input.kind, value: input.value, source, entered_by: actor.actor, entered_at: now() };
    await this.store.db.transaction().execute(async (tx) => {
      await upsertManualIndicator(tx, row);
      await this.audit.record(tx, actor, 'indicators.manual', `${period}/${input.kind}`, { value: input.value, source });
    });
    return { period, kind: input.kind, value: input.value, source, entered_by: actor.actor };
  }

  async manualEntries(actor: Principal) {
    requirePermission(actor, 'indicators.read');
    const rows = await listManualIndicators(this.store.db);
    return rows.map((r) => ({
      period: r.period,
      kind: r.kind,
      value: Number(r.value),
      source: r.source,
      entered_by: r.entered_by,
      entered_at: new Date(Number(r.entered_at)).toISOString(),
    }));
  }

  async addCampaign(
    actor: Principal,
    input: { country: string; title: string; audience: string; channel: string; reach: number; starts_on: string; ends_on?: string | null },
  ) {
    requirePermission(actor, 'reporting.manage');
    const country = String(input.country ?? '').toUpperCase();
    if (!isCountryCode(country)) throw bad(`country: an ISO 3166-1 alpha-2 code, not "${String(input.country).slice(0, 10)}"`);
    if (!(AUDIENCES as readonly string[]).includes(input.audience)) throw bad(`audience: one of ${AUDIENCES.join(', ')}`);
    if (!(CHANNELS as readonly string[]).includes(input.channel)) throw bad(`channel: one of ${CHANNELS.join(', ')}`);
    if (!Number.isSafeInteger(input.reach) || input.reach < 0) throw bad('reach: a whole number ≥ 0');
    if (!isDay(input.starts_on)) throw bad('starts_on: YYYY-MM-DD');
    if (input.ends_on != null && (!isDay(input.ends_on) || input.ends_on < input.starts_on)) throw bad('ends_on: YYYY-MM-DD, not before starts_on');
    const row = {
      country,
      title: text('title', input.title, 200),
      audience: input.audience,
      channel: input.channel,
      reach: input.reach,
      starts_on: input.starts_on,
      ends_on: input.ends_on ?? null,
      created_by: actor.actor,
      created_at: now(),
    };
    return this.store.db.transaction().execute(async (tx) => {
      const c = await insertCampaign(tx, row);
      await this.audit.record(tx, actor, 'campaign.add', String(c.id), { country, audience: row.audience, reach: row.reach });
      return c;
    });
  }

  async campaigns(actor: Principal) {
    requirePermission(actor, 'indicators.read');
    return listCampaigns(this.store.db);
  }

  async deleteCampaign(actor: Principal, id: number) {
    requirePermission(actor, 'reporting.manage');
    await this.store.db.transaction().execute(async (tx) => {
      if (!(await deleteCampaign(tx, id))) throw new AllianceError('REPORTING_NOT_FOUND', `no campaign ${id}`);
      await this.audit.record(tx, actor, 'campaign.delete', String(id), {});
    });
  }

  /** Counts one message served (the check API): by day, context and country — never the query. */
  async countMessage(context: string, country: string | null, at = now()): Promise<void> {
    await this.countMessages([{ day: dayOf(at), context, country, count: 1 }]);
  }

  /** Adds counts of messages served (batched by the check API's counter), in one transaction. */
  async countMessages(rows: Array<{ day: string; context: string; country: string | null; count: number }>): Promise<void> {
    for (const r of rows) {
      if (!(MESSAGE_CONTEXTS as readonly string[]).includes(r.context)) throw bad(`context: one of ${MESSAGE_CONTEXTS.join(', ')}`);
      if (!isDay(r.day) || !Number.isSafeInteger(r.count) || r.count < 1) throw bad('a message count is a day and a whole number ≥ 1');
    }
    if (rows.length === 0) return;
    await this.store.db.transaction().execute(async (tx) => {
      for (const r of rows) {
        const row = {
          day: r.day,
          context: r.context,
          country: r.country && isCountryCode(r.country.toUpperCase()) ? r.country.toUpperCase() : '',
          count: r.count,
        };
        await addMessageCount(tx, row);
      }
    });
  }

  /** The self-assessment of a period: every capability with its phase and evidence (null where not assessed). */
  async assessment(actor: Principal, periodKey: string) {
    requirePermission(actor, 'indicators.read');
    const period = parsePeriod(periodKey).key;
    const rows = new Map((await assessmentsOf(this.store.db, period)).map((r) => [Number(r.capability), r]));
    return {
      period,
      phases: MNR_PHASES,
      capabilities: MNR_CAPABILITIES.map((c) => {
        const r = rows.get(c.id);
        return {
          ...c,
          phase: r ? Number(r.phase) : null,
          evidence: r?.evidence ?? null,
          assessed_by: r?.assessed_by ?? null,
          assessed_at: r ? new Date(Number(r.assessed_at)).toISOString() : null,
        };
      }),
    };
  }

  /** Rates capabilities for a period (phase 1…4, evidence notes). */
  async assess(actor: Principal, periodKey: string, ratings: Array<{ capability: number; phase: number; evidence: string }>) {
    requirePermission(actor, 'reporting.manage');
    const period = parsePeriod(periodKey).key;
    if (ratings.length === 0) throw bad('ratings: at least one');
    for (const r of ratings) {
      if (!MNR_CAPABILITIES.some((c) => c.id === r.capability)) throw bad(`capability: 1…${MNR_CAPABILITIES.length}, not ${r.capability}`);
      if (!Number.isInteger(r.phase) || r.phase < 1 || r.phase > MNR_PHASES.length)
        throw bad(`phase: 1…${MNR_PHASES.length} (${MNR_PHASES.join(', ')}), not ${r.phase}`);
      if (typeof r.evidence !== 'string' || r.evidence.length > 5000) throw bad('evidence: at most 5,000 characters');
    }
    const t = now();
    await this.store.db.transaction().execute(async (tx) => {
      for (const r of ratings) {
        const row = { period, capability: r.capability, phase: r.phase, evidence: r.evidence.trim(), assessed_by: actor.actor, assessed_at: t };
        await upsertAssessment(tx, row);
      }
      await this.audit.record(tx, actor, 'mnr.assess', period, { ratings: ratings.map((r) => [r.capability, r.phase]) });
    });
    return this.assessment(actor, period);
  }
}
