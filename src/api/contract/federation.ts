/** /api/v1 federation answers: this node's identity, peers and their keys, publications, subscriptions, opinions. */
import { Type, type Static } from 'typebox';
import { IsoTimeOut, Nullable } from './common.js';

/** This node as peers see it (also GET /federation/v1/identity). */
export const FederationIdentity = Type.Object({
  member: Type.String(),
  country: Nullable(Type.String()),
  kind: Type.String(),
  public_key: Type.String(),
  fingerprint: Type.String(),
});
export type FederationIdentity = Static<typeof FederationIdentity>;

export const Peer = Type.Object({
  name: Type.String(),
  country: Nullable(Type.String()),
  kind: Type.String(),
  url: Type.String(),
  public_key: Type.String(),
  last_seen_at: Nullable(IsoTimeOut),
});
export type Peer = Static<typeof Peer>;

export const PeerList = Type.Object({ peers: Type.Array(Peer) });
export type PeerList = Static<typeof PeerList>;

/** A peer just added or changed. */
export const PeerRef = Type.Object({ name: Type.String(), url: Type.String(), public_key: Type.String() });
export type PeerRef = Static<typeof PeerRef>;

/** One of a peer's keys, with when it was valid (valid_to null: the current key). */
export const PeerKey = Type.Object({
  public_key: Type.String(),
  fingerprint: Type.String(),
  valid_from: Nullable(IsoTimeOut),
  valid_to: Nullable(IsoTimeOut),
});
export type PeerKey = Static<typeof PeerKey>;

export const PeerKeyList = Type.Object({ keys: Type.Array(PeerKey) });
export type PeerKeyList = Static<typeof PeerKeyList>;

const LegalStatus = Type.Union([Type.Literal('baseline'), Type.Literal('national'), Type.Literal('not_illegal'), Type.Literal('unknown')]);

/** A sharing agreement (src/exchange/agreements.ts): who may receive a bank, which legal statuses may leave. */
export const Agreement = Type.Object({
  recipients: Type.Object({ members: Type.Array(Type.String()), countries: Type.Array(Type.String()), kinds: Type.Array(Type.String()) }),
  domestic: Type.Array(LegalStatus),
  abroad: Type.Array(LegalStatus),
});
export type Agreement = Static<typeof Agreement>;

export const Publication = Type.Object({ bank: Type.String(), agreement: Agreement });
export type Publication = Static<typeof Publication>;

export const PublicationList = Type.Object({ publications: Type.Array(Publication) });
export type PublicationList = Static<typeof PublicationList>;

/** A subscription to a peer's bank with its sync status. */
export const Subscription = Type.Object({
  id: Type.Integer(),
  peer: Type.String(),
  remote_bank: Type.String(),
  bank: Type.String(),
  checkpoint: Type.Number(),
  latest: Nullable(Type.Number()),
  lag: Nullable(Type.Number()),
  items_received: Type.Number(),
  last_attempt_at: Nullable(IsoTimeOut),
  last_success_at: Nullable(IsoTimeOut),
  last_error: Nullable(Type.String()),
  last_error_at: Nullable(IsoTimeOut),
  /** PEER_REFUSED: the peer said no; scheduled syncs skip the subscription until an explicit sync. */
  last_error_code: Nullable(Type.String()),
  /** Paused: syncs of every subscription skip it (its position is kept) until it is resumed. */
  paused: Type.Boolean(),
});
export type Subscription = Static<typeof Subscription>;

export const SubscriptionList = Type.Object({ subscriptions: Type.Array(Subscription) });
export type SubscriptionList = Static<typeof SubscriptionList>;

/** What one sync of a subscription did (src/exchange/federation-service.ts SyncReport). */
export const SyncReport = Type.Object({
  added: Type.Integer(),
  updated: Type.Integer(),
  deleted: Type.Integer(),
  subscription: Type.Integer(),
  pages: Type.Integer(),
  checkpoint: Type.Number(),
  latest: Nullable(Type.Number()),
  error: Type.Optional(Type.String()),
  /** The error's catalogue code (PEER_REFUSED: the peer said no — see peer_code). */
  error_code: Type.Optional(Type.String()),
  /** A refusal's code at the peer (e.g. NOT_PUBLISHED). */
  peer_code: Type.Optional(Type.String()),
});
export type SyncReport = Static<typeof SyncReport>;

export const OpinionSent = Type.Object({ sent_to: Type.String(), uid: Type.String() });
export type OpinionSent = Static<typeof OpinionSent>;

/** Opinions on a content item, counted by verdict (confirmed, false_positive, disputed). */
export const OpinionCounts = Type.Object({ counts: Type.Record(Type.String(), Type.Integer()) });
export type OpinionCounts = Static<typeof OpinionCounts>;

export const QuarantineRule = Type.Object({ bank: Type.String(), quarantine_threshold: Nullable(Type.Integer()) });
export type QuarantineRule = Static<typeof QuarantineRule>;
