/**
 * /federation/v1 answers: what other nodes read. Data travels in signed envelopes whose signature
 * covers the payload's exact text, so a payload is a string here and never re-serialised; what a
 * peer sent and this node keeps (audit checkpoints) is given back as it came (AnyJson).
 */
import { Type, type Static } from 'typebox';
import { AnyJson } from './common.js';

/** `{payload: "<JSON text>", signature, key}` (src/exchange/envelope.ts), sealed by this node. */
export const SignedEnvelope = Type.Object({ payload: Type.String(), signature: Type.String(), key: Type.String() });
export type SignedEnvelope = Static<typeof SignedEnvelope>;

/** The published banks a peer may receive. */
export const PeerBankList = Type.Object({ banks: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })) });
export type PeerBankList = Static<typeof PeerBankList>;

/** A peer's opinion, recorded: the item's counts now, and whether the bank rule quarantined it. */
export const OpinionReceived = Type.Object({ counts: Type.Record(Type.String(), Type.Integer()), quarantined: Type.Boolean() });
export type OpinionReceived = Static<typeof OpinionReceived>;

export const ReportReceived = Type.Object({ uid: Type.String(), received: Type.Boolean() });
export type ReportReceived = Static<typeof ReportReceived>;

/** A lead package kept in the inbox (received false: it was there already — a retried delivery). */
export const LeadPackageReceived = Type.Object({ uid: Type.String(), received: Type.Boolean() });
export type LeadPackageReceived = Static<typeof LeadPackageReceived>;

/** A status update on a lead package, kept by its origin. */
export const LeadUpdateReceived = Type.Object({ package_uid: Type.String(), seq: Type.Integer(), received: Type.Literal(true) });
export type LeadUpdateReceived = Static<typeof LeadUpdateReceived>;

export const CountryReportReceived = Type.Object({ member: Type.String(), period: Type.String(), received: Type.Literal(true) });
export type CountryReportReceived = Static<typeof CountryReportReceived>;

/** A peer's audit checkpoint, kept (false: this witness already held it). */
export const CheckpointKept = Type.Object({ kept: Type.Boolean(), entry: Type.Integer() });
export type CheckpointKept = Static<typeof CheckpointKept>;

/** The checkpoints this witness keeps for the calling peer, oldest first: envelopes exactly as the peer sent them. */
export const KeptCheckpoints = Type.Object({ checkpoints: Type.Array(AnyJson) });
export type KeptCheckpoints = Static<typeof KeptCheckpoints>;
