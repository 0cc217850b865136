/**
 * Cases: series and their victims (pseudonymous), referrals to support services, the series feed's
 * counts, and deconfliction of investigations (src/cases/).
 */
import { Type, type Static } from 'typebox';
import { IsoTimeOut, Nullable } from './common.js';

const SeriesStatus = Type.Union([Type.Literal('unidentified'), Type.Literal('victim_identified'), Type.Literal('offender_identified'), Type.Literal('closed')]);
const Day = Type.String({ description: 'YYYY-MM-DD' });

/** A series (own or received from a peer); searches add its counts of victims and contents. */
export const Series = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  name: Type.String(),
  owner: Type.Object({ member: Type.String(), country: Nullable(Type.String()), agency: Nullable(Type.String()), contact_point: Nullable(Type.String()) }),
  own: Type.Boolean(),
  status: SeriesStatus,
  first_seen_at: Nullable(IsoTimeOut),
  opened_at: IsoTimeOut,
  victim_identified_at: Nullable(IsoTimeOut),
  offender_identified_at: Nullable(IsoTimeOut),
  closed_at: Nullable(IsoTimeOut),
  notes: Nullable(Type.String()),
  victims_identified: Type.Optional(Type.Integer()),
  contents: Type.Optional(Type.Integer()),
});
export type Series = Static<typeof Series>;

export const SeriesList = Type.Object({ series: Type.Array(Series) });
export type SeriesList = Static<typeof SeriesList>;

/** An identified victim of a series (a pseudonymous id, never a name), with the referrals made. */
export const SeriesVictim = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  identified_on: Day,
  identified_by: Type.String(),
  referrals: Type.Array(Type.Object({ service: Type.String(), country: Type.String(), referred_on: Day, referred_by: Type.String() })),
});
export type SeriesVictim = Static<typeof SeriesVictim>;

/** GET /series/:id: the series with its content ids and victims. */
export const SeriesDetail = Type.Object({ ...Series.properties, content_ids: Type.Array(Type.Integer()), victims: Type.Array(SeriesVictim) });
export type SeriesDetail = Static<typeof SeriesDetail>;

/** GET /series/counts: victims identified by this member and by the alliance (each once). */
export const SeriesCounts = Type.Object({
  own: Type.Integer(),
  alliance: Type.Integer(),
  series: Type.Object({ own: Type.Integer(), received: Type.Integer() }),
});
export type SeriesCounts = Static<typeof SeriesCounts>;

/** POST /series/sync: what each peer's series feed gave. */
export const SeriesSync = Type.Object({ peers: Type.Array(Type.Object({ peer: Type.String(), series: Type.Integer(), error: Type.Optional(Type.String()) })) });
export type SeriesSync = Static<typeof SeriesSync>;

/** POST (linked) or DELETE (unlinked) /series/:id/content: how many links changed. */
export const SeriesLinked = Type.Object({ series: Type.String(), linked: Type.Optional(Type.Integer()), unlinked: Type.Optional(Type.Integer()) });
export type SeriesLinked = Static<typeof SeriesLinked>;

/** POST /series/:id/victims: the victim recorded. */
export const VictimIdentified = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  series: Type.String(),
  identified_on: Day,
  identified_by: Type.String(),
});
export type VictimIdentified = Static<typeof VictimIdentified>;

/** POST /victims/:id/referrals: the referral recorded. */
export const VictimReferral = Type.Object({ victim: Type.String(), service: Type.String(), country: Type.String(), referred_on: Day });
export type VictimReferral = Static<typeof VictimReferral>;

/** A victim-support service of the directory. */
export const SupportService = Type.Object({
  id: Type.Integer(),
  country: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  contact: Type.String(),
  languages: Type.Array(Type.String()),
  hours: Nullable(Type.String()),
});
export type SupportService = Static<typeof SupportService>;

export const SupportServiceList = Type.Object({ services: Type.Array(SupportService) });
export type SupportServiceList = Static<typeof SupportServiceList>;

// ---- deconfliction ----------------------------------------------------------------------------

/** An investigation on this node, with its number of registered targets. */
export const DeconflictionCase = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  reference: Type.String(),
  contact_point: Type.String(),
  created_at: IsoTimeOut,
  targets: Type.Integer(),
});
export type DeconflictionCase = Static<typeof DeconflictionCase>;

export const DeconflictionCaseList = Type.Object({
  cases: Type.Array(DeconflictionCase),
  /** True while the node uses the public demo key (serve --demo): its keyed hashes protect nothing. */
  demo: Type.Boolean(),
});
export type DeconflictionCaseList = Static<typeof DeconflictionCaseList>;

/** POST /cases: the case opened. */
export const DeconflictionCaseOpened = Type.Object({ id: Type.Integer(), uid: Type.String(), reference: Type.String(), contact_point: Type.String() });
export type DeconflictionCaseOpened = Static<typeof DeconflictionCaseOpened>;

/** POST /cases/:id/targets: how many targets were registered and how many new alerts they raised. */
export const TargetsChecked = Type.Object({ case: Type.String(), targets: Type.Integer(), alerts: Type.Integer() });
export type TargetsChecked = Static<typeof TargetsChecked>;

/** POST /deconfliction/sync: what each peer's targets feed gave. */
export const DeconflictionSync = Type.Object({
  peers: Type.Array(Type.Object({ peer: Type.String(), targets: Type.Integer(), alerts: Type.Integer(), error: Type.Optional(Type.String()) })),
});
export type DeconflictionSync = Static<typeof DeconflictionSync>;

/** An overlap of one of this node's cases with another case: which, whose, whom to call. */
export const DeconflictionAlert = Type.Object({
  id: Type.Integer(),
  case: Type.String(),
  reference: Type.String(),
  kind: Type.String(),
  hint: Type.String(),
  other_case: Type.String(),
  other_member: Type.String(),
  other_contact: Type.String(),
  created_at: IsoTimeOut,
});
export type DeconflictionAlert = Static<typeof DeconflictionAlert>;

export const DeconflictionAlertList = Type.Object({ alerts: Type.Array(DeconflictionAlert) });
export type DeconflictionAlertList = Static<typeof DeconflictionAlertList>;
