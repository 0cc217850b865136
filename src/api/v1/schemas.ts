/** TypeBox schemas shared by the /api/v1 routes (one validation mechanism: route schemas). */
import { Type } from 'typebox';
import { freeJson } from '../validation.js';

export const BankName = Type.String({ pattern: '^[A-Z0-9_]+$', maxLength: 100, description: 'Bank name: ^[A-Z0-9_]+$' });
export const BankParams = Type.Object({ name: BankName });
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
/** One of a list of strings. */
export const literals = (xs: readonly string[]) => Type.Union(xs.map((x) => Type.Literal(x)));

export const SignalInput = Type.Object(
  {
    signal_type: Type.String({ minLength: 1, maxLength: 40 }),
    value: Type.String({ minLength: 1, maxLength: 4 * 1024 * 1024 }),
    quality: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 100 })])),
  },
  { additionalProperties: false },
);

export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 });
export const IsoTime = Type.String({ format: 'date-time' });

/**
 * The fields of a content item besides its signals (add and change). Nullable fields list null
 * first: Ajv's type coercion would otherwise turn null into "" or 0 for the type listed first.
 */
export const ContentFieldProperties = {
  classification: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 40 })])),
  tags: Type.Optional(Tags),
  note: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 2000 })])),
  metadata: Type.Optional(Type.Union([Type.Null(), freeJson('Your own fields, kept and exported with the content')])),
  disabled_until: Type.Optional(Type.Union([Type.Null(), IsoTime])),
};

export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });

/** ISO date-time (or null) → epoch ms (or null/undefined). */
export function toEpochMs(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  return Date.parse(value);
}
