/**
 * Reporting on the four policy targets: indicators with their definitions, figures entered by
 * hand, awareness campaigns, the Model National Response self-assessment, country reports and, on
 * the secretariat's node, the reports received and the alliance dashboard (src/reporting/).
 */
import { Type, type Static } from 'typebox';
import { IsoTimeOut, Nullable } from './common.js';

const Figures = Type.Record(Type.String(), Nullable(Type.Number()));
const VictimGoal = Type.Object({ growth: Nullable(Type.Number()), goal: Type.Number(), met: Nullable(Type.Boolean()) });

/** What an indicator counts (src/reporting/indicators.ts). */
export const IndicatorDefinition = Type.Object({
  id: Type.String(),
  target: Type.Union([Type.Literal('victims'), Type.Literal('offenders'), Type.Literal('awareness'), Type.Literal('availability'), Type.Literal('exchange')]),
  label: Type.String(),
  unit: Type.Union([Type.Literal('count'), Type.Literal('days'), Type.Literal('hours'), Type.Literal('share')]),
  definition: Type.String(),
});
export type IndicatorDefinition = Static<typeof IndicatorDefinition>;

export const IndicatorDefinitionList = Type.Object({ indicators: Type.Immutable(Type.Array(IndicatorDefinition)) });
export type IndicatorDefinitionList = Static<typeof IndicatorDefinitionList>;

/** Time to removal of notices by where the content was hosted. */
export const RemovalByCountry = Type.Object({
  /** ISO 3166-1 alpha-2, or "unknown". */
  country: Type.String(),
  notices: Type.Integer(),
  removed: Type.Integer(),
  median_hours: Nullable(Type.Number()),
  p90_hours: Nullable(Type.Number()),
  within_24h_share: Nullable(Type.Number()),
  within_72h_share: Nullable(Type.Number()),
});
export type RemovalByCountry = Static<typeof RemovalByCountry>;

/** The indicators of a period, as a country report holds them (without member and country). */
const PeriodIndicators = Type.Object({
  period: Type.Object({ key: Type.String(), from: IsoTimeOut, to: IsoTimeOut }),
  computed_at: IsoTimeOut,
  values: Figures,
  removal_by_hosting_country: Type.Array(RemovalByCountry),
  campaigns_by_audience: Type.Record(Type.String(), Type.Object({ campaigns: Type.Integer(), reach: Type.Integer() })),
  messages_by_context: Type.Record(Type.String(), Type.Integer()),
  manual_entries: Type.Array(Type.Object({ kind: Type.String(), period: Type.String(), value: Type.Integer(), source: Type.String() })),
});

/** The indicators of one period on this node. */
export const Indicators = Type.Object({ member: Type.String(), country: Nullable(Type.String()), ...PeriodIndicators.properties });
export type Indicators = Static<typeof Indicators>;

/** GET /indicators: a period's indicators with growth against a baseline. */
export const IndicatorReport = Type.Object({
  indicators: Indicators,
  /** The period compared with (by default the same period a year before). */
  baseline: Type.Object({ period: Type.String(), values: Figures }),
  growth: Figures,
  /** Target 1's operational goal: victims identified up ≥ 10 % on the baseline. */
  victim_goal: VictimGoal,
});
export type IndicatorReport = Static<typeof IndicatorReport>;

/** PUT /manual-indicators: the figure entered. */
export const ManualIndicatorSet = Type.Object({
  period: Type.String(),
  kind: Type.String(),
  value: Type.Integer(),
  source: Type.String(),
  entered_by: Type.String(),
});
export type ManualIndicatorSet = Static<typeof ManualIndicatorSet>;

/** A figure entered by hand (prosecutions, convictions), with its source. */
export const ManualIndicator = Type.Object({ ...ManualIndicatorSet.properties, entered_at: IsoTimeOut });
export type ManualIndicator = Static<typeof ManualIndicator>;

export const ManualIndicatorList = Type.Object({ entries: Type.Array(ManualIndicator) });
export type ManualIndicatorList = Static<typeof ManualIndicatorList>;

/** An awareness campaign as stored (created_at in epoch ms). */
export const Campaign = Type.Object({
  id: Type.Integer(),
  country: Type.String(),
  title: Type.String(),
  audience: Type.String(),
  channel: Type.String(),
  reach: Type.Integer(),
  starts_on: Type.String({ description: 'YYYY-MM-DD' }),
  ends_on: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  created_by: Type.String(),
  created_at: Type.Integer({ description: 'epoch ms' }),
});
export type Campaign = Static<typeof Campaign>;

export const CampaignList = Type.Object({ campaigns: Type.Array(Campaign) });
export type CampaignList = Static<typeof CampaignList>;

/** The MNR self-assessment of a period: every capability, with its phase and evidence (null where not assessed). */
export const MnrAssessment = Type.Object({
  period: Type.String(),
  phases: Type.Immutable(Type.Array(Type.String())),
  capabilities: Type.Array(
    Type.Object({
      id: Type.Integer(),
      group: Type.String(),
      name: Type.String(),
      phase: Nullable(Type.Integer()),
      evidence: Nullable(Type.String()),
      assessed_by: Nullable(Type.String()),
      assessed_at: Nullable(IsoTimeOut),
    }),
  ),
});
export type MnrAssessment = Static<typeof MnrAssessment>;

// ---- country reports --------------------------------------------------------------------------

/** What a country report holds (and what its signature covers, narrative included). */
export const CountryReportDocument = Type.Object({
  format: Type.String(),
  member: Type.String(),
  country: Nullable(Type.String()),
  period: Type.String(),
  baseline: Type.String(),
  generated_at: IsoTimeOut,
  indicators: PeriodIndicators,
  baseline_values: Figures,
  growth: Figures,
  victim_goal: VictimGoal,
  assessment: Type.Array(
    Type.Object({ id: Type.Integer(), group: Type.String(), name: Type.String(), phase: Nullable(Type.Integer()), evidence: Nullable(Type.String()) }),
  ),
  /** summary, victims, offenders, awareness, availability, challenges: the texts written. */
  narrative: Type.Record(Type.String(), Type.String()),
});
export type CountryReportDocument = Static<typeof CountryReportDocument>;

/** A country report of this member: draft, signed or submitted, with why the secretariat would refuse it. */
export const CountryReport = Type.Object({
  id: Type.Integer(),
  period: Type.String(),
  status: Type.String(),
  created_by: Type.String(),
  created_at: Nullable(IsoTimeOut),
  signed_at: Nullable(IsoTimeOut),
  submitted_at: Nullable(IsoTimeOut),
  submitted_to: Nullable(Type.String()),
  delivery_error: Nullable(Type.String()),
  signature: Nullable(Type.String()),
  public_key: Nullable(Type.String()),
  report: CountryReportDocument,
  warnings: Type.Array(Type.String()),
});
export type CountryReport = Static<typeof CountryReport>;

export const CountryReportList = Type.Object({ reports: Type.Array(CountryReport) });
export type CountryReportList = Static<typeof CountryReportList>;

/** GET /country-reports/:id/envelope: the signed report's exact JSON text, its signature and the key. */
export const CountryReportEnvelope = Type.Object({ payload: Type.String(), signature: Type.String(), key: Type.String() });
export type CountryReportEnvelope = Static<typeof CountryReportEnvelope>;

/** A member's signed report received by the secretariat (re-verified). */
export const ReceivedCountryReport = Type.Object({
  member: Type.String(),
  country: Nullable(Type.String()),
  period: Type.String(),
  received_at: IsoTimeOut,
  /** The fingerprint of the key it was signed with. */
  key: Type.String(),
  report: CountryReportDocument,
});
export type ReceivedCountryReport = Static<typeof ReceivedCountryReport>;

export const ReceivedCountryReportList = Type.Object({ reports: Type.Array(ReceivedCountryReport) });
export type ReceivedCountryReportList = Static<typeof ReceivedCountryReportList>;

/** GET /alliance/dashboard: the secretariat's view over the reports received. */
export const AllianceDashboard = Type.Object({
  kind: Type.Union([Type.Literal('month'), Type.Literal('quarter'), Type.Literal('year')]),
  periods: Type.Array(Type.String()),
  latest: Nullable(Type.String()),
  countries: Type.Array(
    Type.Object({
      member: Type.String(),
      country: Nullable(Type.String()),
      reports: Type.Array(Type.Object({ period: Type.String(), values: Figures, victim_goal: VictimGoal })),
    }),
  ),
  alliance: Type.Array(Type.Object({ period: Type.String(), members: Type.Integer(), values: Type.Record(Type.String(), Type.Number()) })),
  /** Over `members`: those that reported both for the first and the latest period. */
  baseline_vs_latest: Type.Object({
    baseline: Nullable(Type.String()),
    latest: Nullable(Type.String()),
    members: Type.Array(Type.String()),
    values: Type.Record(Type.String(), Type.Object({ baseline: Type.Number(), latest: Type.Number(), growth: Nullable(Type.Number()) })),
  }),
  removal_league: Type.Array(
    Type.Object({
      country: Type.String(),
      notices: Type.Integer(),
      removed: Type.Integer(),
      within_24h_share: Nullable(Type.Number()),
      within_72h_share: Nullable(Type.Number()),
      median_hours: Nullable(Type.Number()),
      reports: Type.Integer(),
    }),
  ),
  /** Target 2 through lead packages per period: the members' counts summed, the alliance's acceptance rate from them (null: no member reported it). */
  referrals: Type.Array(
    Type.Object({
      period: Type.String(),
      members: Type.Integer(),
      sent: Nullable(Type.Integer()),
      received: Nullable(Type.Integer()),
      accepted: Nullable(Type.Integer()),
      declined: Nullable(Type.Integer()),
      acceptance_share: Nullable(Type.Number()),
      people_charged: Nullable(Type.Integer()),
      victims_safeguarded: Nullable(Type.Integer()),
    }),
  ),
  mnr: Type.Array(
    Type.Object({ member: Type.String(), country: Nullable(Type.String()), period: Type.String(), phases: Type.Array(Nullable(Type.Integer())) }),
  ),
  not_reported: Type.Array(Type.Object({ member: Type.String(), country: Nullable(Type.String()) })),
});
export type AllianceDashboard = Static<typeof AllianceDashboard>;
