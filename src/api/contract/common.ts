/** Response shapes several areas share. */
import { Type, type Static } from 'typebox';

/** A date and time as the API writes it: ISO 8601 in UTC. */
export const IsoTimeOut = Type.String({ format: 'date-time' });
/** Null, or what `schema` describes (null first, as the input schemas do). */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([Type.Null(), schema]);
/** Free-form JSON: kept as written, serialised as it is. */
export const AnyJson = Type.Unknown();

/** A content item's classification with its crosswalks (src/banks/classification.ts). */
export const Classification = Type.Object({
  scheme: Type.Union([Type.Literal('vics'), Type.Literal('uk'), Type.Literal('industry'), Type.Literal('legal')]),
  value: Type.String(),
  vics: Nullable(Type.Integer()),
  uk: Nullable(Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')])),
  industry: Nullable(Type.Union([Type.Literal('A1'), Type.Literal('A2'), Type.Literal('B1'), Type.Literal('B2')])),
  legal: Type.Union([Type.Literal('baseline'), Type.Literal('national'), Type.Literal('not_illegal'), Type.Literal('unknown')]),
});
export type Classification = Static<typeof Classification>;
