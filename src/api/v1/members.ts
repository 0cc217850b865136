/** /api/v1: members, tokens, whoami. */
import { isoOrNull } from '../../time/iso-time.js';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { MemberService } from '../../members/member-service.js';
import { MEMBER_KINDS, permissionsOf, ROLES } from '../../members/roles.js';
import { Member, MemberList, TokenCreated, TokenList, WhoAmI } from '../contract/index.js';
import { IdParams } from './schemas.js';

const iso = isoOrNull;

export async function memberRoutes(app: FastifyInstance, opts: { members: MemberService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { members } = opts;

  r.get(
    '/whoami',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['members'], summary: 'The member and role of the calling token, and what the role may do', response: { 200: WhoAmI } },
    },
    async (req) => ({
      member: req.principal.memberName,
      role: req.principal.role,
      token_id: req.principal.tokenId,
      permissions: permissionsOf(req.principal.role),
    }),
  );

  r.get('/members', { config: { permission: 'members.manage' }, schema: { tags: ['members'], response: { 200: MemberList } } }, async () => ({
    members: (await members.listMembers()).map((m) => ({ id: m.id, name: m.name, country: m.country, kind: m.kind, created_at: iso(m.created_at) })),
  }));

  r.post(
    '/members',
    {
      config: { permission: 'members.manage' },
      schema: {
        tags: ['members'],
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            kind: Type.Union(MEMBER_KINDS.map((k) => Type.Literal(k))),
            country: Type.Optional(Type.Union([Type.Null(), Type.String({ pattern: '^[A-Za-z]{2}$' })])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Member },
      },
    },
    async (req, reply) => {
      const m = await members.createMember(req.principal, req.body);
      void reply.status(201);
      return { id: m.id, name: m.name, country: m.country, kind: m.kind, created_at: iso(m.created_at) };
    },
  );

  r.patch(
    '/members/:name',
    {
      config: { permission: 'members.manage' },
      schema: {
        tags: ['members'],
        summary: "Correct a member's kind or country (peers are members; this node's own identity follows at once). Audited.",
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          {
            kind: Type.Optional(Type.Union(MEMBER_KINDS.map((k) => Type.Literal(k)))),
            country: Type.Optional(Type.Union([Type.Null(), Type.String({ pattern: '^[A-Za-z]{2}$' })])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Member },
      },
    },
    async (req) => {
      const m = await members.updateMember(req.principal, req.params.name, req.body);
      return { id: m.id, name: m.name, country: m.country, kind: m.kind, created_at: iso(m.created_at) };
    },
  );

  r.get(
    '/tokens',
    {
      config: { permission: 'members.manage' },
      schema: { tags: ['members'], querystring: Type.Object({ member: Type.Optional(Type.String()) }), response: { 200: TokenList } },
    },
    async (req) => ({
      tokens: (await members.listTokens(req.principal, req.query.member)).map((t) => ({
        id: t.id,
        member_id: t.member_id,
        role: t.role,
        label: t.label,
        prefix: t.prefix,
        created_at: iso(t.created_at),
        revoked_at: iso(t.revoked_at),
      })),
    }),
  );

  r.post(
    '/tokens',
    {
      config: { permission: 'members.manage' },
      schema: {
        tags: ['members'],
        summary: 'Create a token (shown once; stored hashed)',
        body: Type.Object(
          { member: Type.String({ minLength: 1 }), role: Type.Union(ROLES.map((x) => Type.Literal(x))), label: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: TokenCreated },
      },
    },
    async (req, reply) => {
      const { token, record } = await members.createToken(req.principal, req.body.member, req.body.role, req.body.label ?? '');
      void reply.status(201);
      return { token, id: record.id, prefix: record.prefix, role: record.role };
    },
  );

  r.delete(
    '/tokens/:id',
    { config: { permission: 'members.manage' }, schema: { tags: ['members'], params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => {
      await members.revokeToken(req.principal, req.params.id);
      void reply.status(204);
    },
  );
}
