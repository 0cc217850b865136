/**
 * Members, their tokens and authentication. Tokens are checked against their SHA-256; a short
 * in-process cache keeps authentication off the database on the lookup path, and revocation
 * clears it at once (other processes see a revocation within the cache's lifetime, 5 s).
 */
import {
  findMemberByName,
  findTokenByHash,
  insertMember,
  insertToken,
  listMembers,
  listTokens,
  type Member,
  revokeToken,
  type Store,
  type Token,
  TtlCache,
  updateMember,
} from '../store/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { isCountryCode } from '../geo/countries.js';
import { requirePermission, type Principal } from './principal.js';
import { isRole, MEMBER_KINDS, type MemberKind, type Role } from './roles.js';
import { newToken, tokenHash, tokenPrefix } from './tokens.js';
import { unknownName } from '../errors/suggest.js';

const CACHE_MS = 5000;

export interface NewMember {
  name: string;
  country?: string | null;
  kind: MemberKind;
}

export class MemberService {
  private readonly cache = new TtlCache<Principal>(CACHE_MS, 10_000);

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    /** Told of every change of a member's kind or country (the node's own identity follows). */
    private readonly onChanged: (m: Member) => void = () => undefined,
  ) {}

  /**
   * Corrects a member's kind or country (a peer's too: peers are members). Audited with the values
   * before and after.
   * @example await members.updateMember(admin, 'hotline-nl', { kind: 'hotline', country: 'NL' })
   */
  async updateMember(actor: Principal, name: string, change: { kind?: string; country?: string | null }): Promise<Member> {
    requirePermission(actor, 'members.manage');
    const before = await this.getMember(name);
    if (change.kind !== undefined && !MEMBER_KINDS.includes(change.kind as MemberKind))
      throw new AllianceError('VALIDATION', `member kind must be one of ${MEMBER_KINDS.join(', ')}`);
    const country = change.country === undefined ? undefined : change.country === null || change.country === '' ? null : change.country.toUpperCase();
    if (country && !isCountryCode(country))
      throw new AllianceError('VALIDATION', `country "${String(change.country).slice(0, 10)}" is not an ISO 3166-1 alpha-2 code such as DE`);
    if (change.kind === undefined && country === undefined) throw new AllianceError('VALIDATION', 'nothing to change: give a kind or a country');
    const after = await this.store.db.transaction().execute(async (tx) => {
      const m = await updateMember(tx, before.id, {
        ...(change.kind !== undefined ? { kind: change.kind } : {}),
        ...(country !== undefined ? { country } : {}),
      });
      await this.audit.record(tx, actor, 'member.update', name, {
        before: { kind: before.kind, country: before.country },
        after: { kind: m.kind, country: m.country },
      });
      return m;
    });
    this.onChanged(after);
    return after;
  }

  async createMember(actor: Principal, m: NewMember): Promise<Member> {
    requirePermission(actor, 'members.manage');
    if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/.test(m.name))
      throw new AllianceError('VALIDATION', 'member name: 1–100 letters, digits, spaces, dots, dashes or underscores');
    if (!MEMBER_KINDS.includes(m.kind)) throw new AllianceError('VALIDATION', `member kind must be one of ${MEMBER_KINDS.join(', ')}`);
    const country = m.country ? m.country.toUpperCase() : null;
    if (country && !/^[A-Z]{2}$/.test(country)) throw new AllianceError('VALIDATION', 'country must be an ISO 3166-1 alpha-2 code such as DE');
    return this.store.db.transaction().execute(async (tx) => {
      const member = await insertMember(tx, { name: m.name, country, kind: m.kind });
      await this.audit.record(tx, actor, 'member.create', member.name, { country, kind: m.kind });
      return member;
    });
  }

  listMembers(): Promise<Member[]> {
    return listMembers(this.store.db);
  }

  async getMember(name: string): Promise<Member> {
    const m = await findMemberByName(this.store.db, name);
    if (!m)
      throw new AllianceError(
        'MEMBER_NOT_FOUND',
        unknownName(
          'member',
          name,
          (await listMembers(this.store.db)).map((x) => x.name),
        ),
      );
    return m;
  }

  /** Creates a token; the plain token is returned once and never stored. */
  async createToken(actor: Principal, memberName: string, role: string, label = ''): Promise<{ token: string; record: Token }> {
    requirePermission(actor, 'members.manage');
    if (!isRole(role)) throw new AllianceError('VALIDATION', `role must be one of admin, curator, matcher, analyst, auditor`);
    const member = await this.getMember(memberName);
    const token = newToken();
    const record = await this.store.db.transaction().execute(async (tx) => {
      const t = await insertToken(tx, { member_id: member.id, role, label, token_hash: tokenHash(token), prefix: tokenPrefix(token) });
      await this.audit.record(tx, actor, 'token.create', `${member.name}/${t.id}`, { role, label, prefix: t.prefix });
      return t;
    });
    return { token, record };
  }

  async listTokens(actor: Principal, memberName?: string): Promise<Token[]> {
    requirePermission(actor, 'members.manage');
    const member = memberName ? await this.getMember(memberName) : undefined;
    return listTokens(this.store.db, member?.id);
  }

  async revokeToken(actor: Principal, id: number): Promise<void> {
    requirePermission(actor, 'members.manage');
    const ok = await this.store.db.transaction().execute(async (tx) => {
      const done = await revokeToken(tx, id);
      if (done) await this.audit.record(tx, actor, 'token.revoke', String(id), {});
      return done;
    });
    if (!ok) throw new AllianceError('NOT_FOUND', `no active token ${id}`);
    this.cache.clear();
  }

  /** The principal of a bearer token; UNAUTHENTICATED for unknown or revoked tokens. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new AllianceError('UNAUTHENTICATED', 'missing bearer token (Authorization: Bearer <token>)');
    const hash = tokenHash(token);
    const hit = this.cache.get(hash);
    if (hit) return hit;
    const row = await findTokenByHash(this.store.db, hash);
    if (!row || row.revoked_at !== null || !isRole(row.role)) {
      this.cache.delete(hash);
      throw new AllianceError('UNAUTHENTICATED', 'unknown or revoked token');
    }
    const principal: Principal = {
      memberId: row.member_id,
      memberName: row.member_name,
      role: row.role as Role,
      tokenId: row.id,
      actor: `${row.member_name}/${row.prefix}`,
    };
    this.cache.set(hash, principal);
    return principal;
  }

  /**
   * First start: when no member exists, create the node's own member with an admin token.
   * Returns the token (to print once) or undefined when the node was set up before.
   */
  async bootstrap(name: string, kind: MemberKind, country: string | null): Promise<string | undefined> {
    const existing = await listMembers(this.store.db);
    if (existing.length > 0) return undefined;
    const system: Principal = { memberId: null, memberName: name, role: 'admin', tokenId: null, actor: 'system:bootstrap' };
    await this.createMember(system, { name, kind, country });
    const { token } = await this.createToken(system, name, 'admin', 'first admin token');
    return token;
  }
}
