/** Members, their tokens, and who is calling (src/members/). */
import { Type, type Static } from 'typebox';
import { PERMISSIONS, type Permission } from '../../members/roles.js';
import { IsoTimeOut, Nullable } from './common.js';

/** The roles of src/members/roles.ts. */
const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('curator'),
  Type.Literal('matcher'),
  Type.Literal('analyst'),
  Type.Literal('auditor'),
  Type.Literal('checker'),
]);

/** GET /whoami: the member and role of the calling token, and what the role may do (src/members/roles.ts). */
export const WhoAmI = Type.Object({
  member: Type.String(),
  role: Role,
  token_id: Nullable(Type.Integer()),
  permissions: Type.Array(Type.Unsafe<Permission>(Type.Union(PERMISSIONS.map((p) => Type.Literal(p))))),
});
export type WhoAmI = Static<typeof WhoAmI>;

/** A member of the alliance. */
export const Member = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  country: Nullable(Type.String()),
  kind: Type.String(),
  created_at: Nullable(IsoTimeOut),
});
export type Member = Static<typeof Member>;

/** GET /members. */
export const MemberList = Type.Object({ members: Type.Array(Member) });
export type MemberList = Static<typeof MemberList>;

/** A token as listed (never the token itself). */
export const TokenInfo = Type.Object({
  id: Type.Integer(),
  member_id: Type.Integer(),
  role: Type.String(),
  label: Type.String(),
  prefix: Type.String(),
  created_at: Nullable(IsoTimeOut),
  revoked_at: Nullable(IsoTimeOut),
});
export type TokenInfo = Static<typeof TokenInfo>;

/** GET /tokens. */
export const TokenList = Type.Object({ tokens: Type.Array(TokenInfo) });
export type TokenList = Static<typeof TokenList>;

/** POST /tokens (201): the token, shown this once. */
export const TokenCreated = Type.Object({ token: Type.String(), id: Type.Integer(), prefix: Type.String(), role: Type.String() });
export type TokenCreated = Static<typeof TokenCreated>;
