/** /api/v1 joint operations: operations, their targets with attribution and matches, per-country lines (src/operations/). */
import { Type, type Static } from 'typebox';
import { AnyJson, IsoTimeOut, Nullable } from './common.js';

export const Operation = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  name: Type.String(),
  legal_basis: Type.String(),
  owner_agency: Type.String(),
  contact_point: Type.String(),
  starts_at: Nullable(IsoTimeOut),
  ends_at: Nullable(IsoTimeOut),
  /** Restricted: never leaves this node. */
  notes: Nullable(Type.String()),
  created_by: Type.String(),
  created_at: IsoTimeOut,
  targets: Type.Integer(),
});
export type Operation = Static<typeof Operation>;

export const OperationList = Type.Object({ operations: Type.Array(Operation) });
export type OperationList = Static<typeof OperationList>;

const Confidence = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low'), Type.Literal('none')]);

export const OperationTarget = Type.Object({
  ref: Type.String(),
  identifiers: Type.Object({
    usernames: Type.Array(Type.String()),
    emails: Type.Array(Type.String()),
    ips: Type.Array(Type.Object({ ip: Type.String(), at: Nullable(IsoTimeOut) })),
    account_country: Nullable(Type.String()),
    payment_refs: Type.Array(Type.String()),
    device_ids: Type.Array(Type.String()),
    hashes: Type.Array(Type.String()),
  }),
  country: Nullable(Type.String()),
  attributed: Type.Object({
    country: Nullable(Type.String()),
    confidence: Confidence,
    reasons: Type.Array(
      Type.Object({
        basis: Type.Union([Type.Literal('ip'), Type.Literal('account'), Type.Literal('email_domain')]),
        country: Type.String(),
        evidence: Type.String(),
      }),
    ),
  }),
  override: Nullable(Type.Object({ country: Nullable(Type.String()), reason: Nullable(Type.String()), by: Type.String(), at: IsoTimeOut })),
  hashes: Type.Integer(),
  matched: Type.Array(
    Type.Object({ hash: Type.String(), banks: Type.Array(Type.String()), classification: Nullable(Type.String()), series: Type.Array(Type.String()) }),
  ),
  /** null: not checked against deconfliction yet. */
  deconfliction: Nullable(
    Type.Object({
      checked_at: IsoTimeOut,
      overlaps: Type.Array(
        Type.Object({ kind: Type.String(), hint: Type.String(), other_case: Type.String(), other_member: Type.String(), other_contact: Type.String() }),
      ),
      held: Type.Boolean(),
      released: Nullable(Type.Object({ reason: Type.String(), by: Type.String(), at: IsoTimeOut })),
    }),
  ),
});
export type OperationTarget = Static<typeof OperationTarget>;

export const OperationTargetList = Type.Object({ targets: Type.Array(OperationTarget) });
export type OperationTargetList = Static<typeof OperationTargetList>;

export const OperationCountry = Type.Object({
  country: Nullable(Type.String()),
  targets: Type.Integer(),
  confidence: Type.Object({ high: Type.Integer(), medium: Type.Integer(), low: Type.Integer(), none: Type.Integer() }),
  overridden: Type.Integer(),
  with_matches: Type.Integer(),
  deconflicted: Type.Integer(),
  held: Type.Integer(),
});

export const OperationDeconfliction = Type.Object({ checked: Type.Integer(), held: Type.Integer() });
export type OperationDeconfliction = Static<typeof OperationDeconfliction>;

export const OperationCountryList = Type.Object({ countries: Type.Array(OperationCountry) });
export type OperationCountryList = Static<typeof OperationCountryList>;

export const OperationImport = Type.Object({ imported: Type.Integer(), countries: Type.Array(OperationCountry) });
export type OperationImport = Static<typeof OperationImport>;

const Reasons = Type.Array(
  Type.Object({
    basis: Type.Union([Type.Literal('ip'), Type.Literal('account'), Type.Literal('email_domain')]),
    country: Type.String(),
    evidence: Type.String(),
  }),
);

/** Per target ref: its outcomes in the order they came. */
const Outcomes = Type.Record(
  Type.String(),
  Type.Array(
    Type.Object({
      outcome: Type.String(),
      count: Nullable(Type.Integer()),
      series: Type.Array(Type.String()),
      at: IsoTimeOut,
      seq: Type.Integer(),
      /** Re-referral: the nodes it was relayed from, the nearest first (empty: the receiver's own). */
      via: Type.Array(Type.String()),
    }),
  ),
);

/** A lead package on the operation's node: where it goes, how its delivery stands, what its receiver said. */
export const LeadPackage = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  prior_uid: Nullable(Type.String()),
  country: Type.String(),
  peer: Nullable(Type.String()),
  state: Type.String(),
  explanation: Type.String(),
  targets: Type.Integer(),
  handling: Type.Array(Type.String()),
  attempts: Type.Integer(),
  last_error: Nullable(Type.String()),
  receipt: AnyJson,
  created_at: IsoTimeOut,
  delivered_at: Nullable(IsoTimeOut),
  status: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  assignee: Nullable(Type.String()),
  acknowledged_at: Nullable(IsoTimeOut),
  accepted_at: Nullable(IsoTimeOut),
  outcomes: Outcomes,
  updates: Type.Integer(),
});
export type LeadPackage = Static<typeof LeadPackage>;

export const LeadPackageList = Type.Object({ packages: Type.Array(LeadPackage) });
export type LeadPackageList = Static<typeof LeadPackageList>;

export const LeadBuild = Type.Object({
  packages: Type.Array(LeadPackage),
  left_out: Type.Array(Type.Object({ country: Type.String(), unchecked: Type.Integer(), held: Type.Integer() })),
});
export type LeadBuild = Static<typeof LeadBuild>;

export const LeadEnvelope = Type.Object({ payload: Type.String(), signature: Type.String(), key: Type.String() });
export type LeadEnvelope = Static<typeof LeadEnvelope>;

/** A lead package received from another authority's node. */
export const InboxPackage = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  prior_uid: Nullable(Type.String()),
  from: Type.String(),
  country: Type.String(),
  state: Type.String(),
  reason: Nullable(Type.String()),
  assignee: Nullable(Type.String()),
  received_at: IsoTimeOut,
  operation: Type.Object({
    uid: Type.String(),
    name: Type.String(),
    legal_basis: Type.String(),
    owner_agency: Type.String(),
    contact_point: Type.String(),
    starts_at: Nullable(Type.String()),
    ends_at: Nullable(Type.String()),
  }),
  handling: Type.Array(Type.String()),
  targets: Type.Array(
    Type.Object({
      ref: Type.String(),
      identifiers: Type.Object({
        usernames: Type.Array(Type.String()),
        emails: Type.Array(Type.String()),
        ips: Type.Array(Type.Object({ ip: Type.String(), at: Nullable(Type.String()) })),
        account_country: Nullable(Type.String()),
        payment_refs: Type.Array(Type.String()),
        device_ids: Type.Array(Type.String()),
      }),
      evidence: Type.Object({ confidence: Type.String(), reasons: Reasons, country_set_by_analyst: Type.Boolean() }),
      content: Type.Array(Type.Object({ hash: Type.String(), classification: Nullable(Type.String()), series: Type.Array(Type.String()) })),
    }),
  ),
  outcomes: Outcomes,
  updates: Type.Object({ sent: Type.Integer(), delivered: Type.Integer() }),
  /** Re-referral: the packages it came through before, the origin first (empty: from the origin). */
  chain: Type.Array(Type.Object({ uid: Type.String(), from: Type.String() })),
  /** Re-referral: the packages its targets were forwarded in, with what their receivers said. */
  forwards: Type.Array(LeadPackage),
});
export type InboxPackage = Static<typeof InboxPackage>;

export const InboxPackageList = Type.Object({ packages: Type.Array(InboxPackage) });
export type InboxPackageList = Static<typeof InboxPackageList>;

/** Targets with each outcome (a target counted once per outcome however often it was reported). */
const PictureOutcomes = Type.Object({
  identified: Type.Integer(),
  searched: Type.Integer(),
  arrested: Type.Integer(),
  charged: Type.Integer(),
  convicted: Type.Integer(),
  acquitted: Type.Integer(),
  no_further_action: Type.Integer(),
  victims_safeguarded: Type.Integer(),
});

/** One line of an operation's picture: a receiving country (null: targets with no country), or the totals. Times null: no update says. */
export const PictureLine = Type.Object({
  country: Nullable(Type.String()),
  authority: Nullable(Type.String()),
  targets: Type.Integer(),
  held: Type.Integer(),
  referred: Type.Integer(),
  acknowledged: Type.Integer(),
  accepted: Type.Integer(),
  declined: Type.Integer(),
  outcomes: PictureOutcomes,
  /** People: the victims safeguarded the receivers counted. */
  victims_safeguarded: Type.Integer(),
  median_hours_to_acknowledge: Nullable(Type.Number()),
  median_days_to_first_action: Nullable(Type.Number()),
  median_days_to_charge: Nullable(Type.Number()),
});
export type PictureLine = Static<typeof PictureLine>;

/** An operation's picture: per country and in total, and per day (UTC) for the timeline. */
export const OperationPicture = Type.Object({
  operation_id: Type.Integer(),
  generated_at: IsoTimeOut,
  totals: PictureLine,
  countries: Type.Array(PictureLine),
  timeline: Type.Array(
    Type.Object({
      date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
      referred: Type.Integer(),
      acknowledged: Type.Integer(),
      accepted: Type.Integer(),
      first_actions: Type.Integer(),
      charged: Type.Integer(),
    }),
  ),
});
export type OperationPicture = Static<typeof OperationPicture>;

/** The detached signature of a picture's PDF: Ed25519 over its exact bytes with the node's federation key. */
export const PictureSignature = Type.Object({
  algorithm: Type.Literal('ed25519'),
  signed_by: Type.String(),
  key: Type.String(),
  fingerprint: Type.String(),
  sha256: Type.String(),
  signature: Type.String(),
});
export type PictureSignature = Static<typeof PictureSignature>;

export const PictureVerification = Type.Object({
  valid: Type.Boolean(),
  key: Type.String(),
  signer: Nullable(Type.String()),
  fingerprint: Nullable(Type.String()),
  reason: Type.String(),
});
export type PictureVerification = Static<typeof PictureVerification>;
