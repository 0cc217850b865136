/** Hashing and matching: signal types, hashes, lookups with their reasons, comparisons, the index (src/match/). */
import { Type, type Static } from 'typebox';
import { Classification, Nullable } from './common.js';
import { BankKind } from './banks.js';

const MediaKind = Type.Union([Type.Literal('image'), Type.Literal('video'), Type.Literal('other')]);

/** A signal type this node hashes and matches. */
export const SignalTypeInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  /** What it is computed from: image, video, other, any (bytes) or text (keywords). */
  media: Type.Union([MediaKind, Type.Literal('any'), Type.Literal('text')]),
  comparison: Type.Union([Type.Literal('exact'), Type.Literal('hamming'), Type.Literal('frames')]),
  default_threshold: Type.Number(),
  max_threshold: Nullable(Type.Number()),
});
export type SignalTypeInfo = Static<typeof SignalTypeInfo>;

/** GET /signal-types. */
export const SignalTypeList = Type.Object({ signal_types: Type.Array(SignalTypeInfo) });
export type SignalTypeList = Static<typeof SignalTypeList>;

/** POST /hash: the upload's signals by type. */
export const HashAnswer = Type.Object({
  media: Type.Optional(MediaKind),
  format: Type.Optional(Type.String()),
  size: Type.Optional(Type.Integer()),
  signals: Type.Record(Type.String(), Type.Object({ value: Type.String(), quality: Nullable(Type.Number()) })),
});
export type HashAnswer = Static<typeof HashAnswer>;

/** Where matched content comes from: the member and bank that first held it, who passed it on (origin first), first seen. */
export const Provenance = Type.Object({
  origin_member: Type.String(),
  origin_bank: Type.String(),
  chain: Type.Array(Type.String()),
  first_seen: Type.String(),
});
export type Provenance = Static<typeof Provenance>;

/** A series matched content belongs to (victim identification). */
export const MatchSeries = Type.Object({
  uid: Type.String(),
  name: Type.String(),
  status: Type.String(),
  owner_member: Type.String(),
  victims: Type.Integer(),
});
export type MatchSeries = Static<typeof MatchSeries>;

const MatchProperties = {
  bank: Type.String(),
  bank_kind: BankKind,
  content_id: Type.Integer(),
  signal_id: Type.Integer(),
  signal_type: Type.String(),
  distance: Type.Number(),
  classification: Nullable(Classification),
  tags: Type.Array(Type.String()),
  /** The comparison's detail (frame types: match percentages). */
  detail: Type.Optional(Type.Record(Type.String(), Type.Number())),
  /** The series the content belongs to, when it is linked to any. */
  series: Type.Optional(Type.Array(MatchSeries)),
  provenance: Provenance,
};

/** A match of a lookup (src/match/lookup-service.ts). */
export const Match = Type.Object(MatchProperties);
export type Match = Static<typeof Match>;

/** A positive match set aside because the content is on a negative bank. */
export const SuppressedMatch = Type.Object({
  ...MatchProperties,
  suppressed_by: Type.Object({ bank: Type.String(), content_id: Type.Integer(), distance: Type.Number() }),
});
export type SuppressedMatch = Static<typeof SuppressedMatch>;

/** A match that did not count, with the reason. */
export const NotCountedMatch = Type.Object({ ...MatchProperties, reason: Type.String() });
export type NotCountedMatch = Static<typeof NotCountedMatch>;

const LookupProperties = {
  signal_type: Type.String(),
  threshold: Type.Number(),
  /** Matches that count: positive banks, enabled, not suppressed. */
  matches: Type.Array(Match),
  /** Matches in negative banks (allow-lists). */
  allow_listed: Type.Array(Match),
  suppressed: Type.Array(SuppressedMatch),
  not_counted: Type.Array(NotCountedMatch),
  /** One sentence per decision, for people. */
  explanation: Type.Array(Type.String()),
};

/** POST /lookup. */
export const LookupResult = Type.Object(LookupProperties);
export type LookupResult = Static<typeof LookupResult>;

/** One item's answer in POST /lookup/batch: its lookup, or why it could not be looked up (the other items are answered all the same). */
export const BatchLookupItem = Type.Object({
  /** The item's place in the request (from 0). */
  index: Type.Integer(),
  /** The caller's own reference for the item, when it gave one. */
  id: Nullable(Type.String()),
  result: Nullable(LookupResult),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
});
export type BatchLookupItem = Static<typeof BatchLookupItem>;

/** POST /lookup/batch: one answer per item, in the request's order, and the totals. */
export const BatchLookupAnswer = Type.Object({
  results: Type.Array(BatchLookupItem),
  /** Items looked up, items with at least one match that counts, items refused. */
  looked_up: Type.Integer(),
  matched: Type.Integer(),
  failed: Type.Integer(),
});
export type BatchLookupAnswer = Static<typeof BatchLookupAnswer>;

/** One signal's lookup in POST /lookup/upload, with the upload's hash. */
export const UploadSignalLookup = Type.Object({ ...LookupProperties, signal: Type.String() });
export type UploadSignalLookup = Static<typeof UploadSignalLookup>;

/** POST /lookup/upload. */
export const UploadLookup = Type.Object({
  media: Type.Optional(MediaKind),
  format: Type.Optional(Type.String()),
  results: Type.Array(UploadSignalLookup),
});
export type UploadLookup = Static<typeof UploadLookup>;

/** POST /compare. */
export const CompareAnswer = Type.Object({
  signal_type: Type.String(),
  threshold: Type.Number(),
  match: Type.Boolean(),
  distance: Type.Number(),
  detail: Type.Optional(Type.Record(Type.String(), Type.Number())),
});
export type CompareAnswer = Static<typeof CompareAnswer>;

/** GET /index: the match index's state (src/match/matcher.ts MatcherStatus). */
export const IndexStatus = Type.Object({
  ready: Type.Boolean(),
  seq: Type.Integer(),
  loadedFrom: Nullable(Type.Union([Type.Literal('snapshot'), Type.Literal('database'), Type.Literal('empty')])),
  loadMs: Type.Number(),
  lastSnapshotAt: Nullable(Type.Number()),
  /** Per signal type: its size and the index's own statistics. */
  types: Type.Record(Type.String(), Type.Object({ size: Type.Integer() }, { additionalProperties: true })),
});
export type IndexStatus = Static<typeof IndexStatus>;

/** POST /index/snapshot. */
export const IndexSnapshot = Type.Object({ files: Type.Integer(), bytes: Type.Integer(), seq: Type.Integer() });
export type IndexSnapshot = Static<typeof IndexSnapshot>;
