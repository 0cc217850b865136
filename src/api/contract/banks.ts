/** Banks, their content and its signals (src/banks/bank-service.ts: BankView, ContentView). */
import { Type, type Static } from 'typebox';
import { AnyJson, Classification, IsoTimeOut, Nullable } from './common.js';

export const BankKind = Type.Union([Type.Literal('positive'), Type.Literal('negative')]);
export type BankKind = Static<typeof BankKind>;

/** A bank with its content and signal counts. */
export const Bank = Type.Object({
  name: Type.String(),
  kind: BankKind,
  description: Type.String(),
  owner_member_id: Type.Integer(),
  matching_enabled: Type.Boolean(),
  enabled_ratio: Type.Number(),
  content_count: Type.Integer(),
  /** Signals per signal type. */
  signal_counts: Type.Record(Type.String(), Type.Integer()),
  created_at: IsoTimeOut,
  updated_at: IsoTimeOut,
});
export type Bank = Static<typeof Bank>;

/** GET /banks. */
export const BankList = Type.Object({ banks: Type.Array(Bank) });
export type BankList = Static<typeof BankList>;

/** DELETE /banks/:name and /content/:id: how many signals went with it. */
export const SignalsRemoved = Type.Object({ signals_removed: Type.Integer() });
export type SignalsRemoved = Static<typeof SignalsRemoved>;

/** One signal (hash) of a content item. */
export const Signal = Type.Object({
  id: Type.Integer(),
  signal_type: Type.String(),
  value: Type.String(),
  quality: Nullable(Type.Number()),
});
export type Signal = Static<typeof Signal>;

/** A content item of a bank, with its signals. */
export const Content = Type.Object({
  id: Type.Integer(),
  bank: Type.String(),
  classification: Nullable(Classification),
  tags: Type.Array(Type.String()),
  note: Nullable(Type.String()),
  /** The submitter's own fields (a JSON object). */
  metadata: Nullable(Type.Record(Type.String(), AnyJson)),
  source_member: Nullable(Type.String()),
  first_seen: IsoTimeOut,
  last_seen: IsoTimeOut,
  disabled_until: Nullable(IsoTimeOut),
  enabled: Type.Boolean(),
  signals: Type.Array(Signal),
});
export type Content = Static<typeof Content>;

/** GET /banks/:name/content: a page of content; `next_after` is the `after` of the next page (null: the last). */
export const ContentPage = Type.Object({ content: Type.Array(Content), next_after: Nullable(Type.Integer()) });
export type ContentPage = Static<typeof ContentPage>;
