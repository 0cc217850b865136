/** Members and their API tokens (stored as SHA-256 hashes only). */
import { AllianceError } from '../errors/catalogue.js';
import type { Member, Token } from './schema.js';
import { isUniqueViolation, now, type Executor } from './util.js';

export async function insertMember(db: Executor, m: { name: string; country: string | null; kind: string }): Promise<Member> {
  try {
    return await db
      .insertInto('members')
      .values({ ...m, created_at: now() })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('MEMBER_EXISTS', `member "${m.name}" exists already`);
    throw err;
  }
}

/** Changes a member's kind or country. */
export async function updateMember(db: Executor, id: number, fields: { kind?: string; country?: string | null }): Promise<Member> {
  return db.updateTable('members').set(fields).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function findMemberByName(db: Executor, name: string): Promise<Member | undefined> {
  return db.selectFrom('members').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listMembers(db: Executor): Promise<Member[]> {
  return db.selectFrom('members').selectAll().orderBy('id').execute();
}

export async function insertToken(db: Executor, t: { member_id: number; role: string; label: string; token_hash: string; prefix: string }): Promise<Token> {
  return db
    .insertInto('tokens')
    .values({ ...t, created_at: now(), revoked_at: null, last_used_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findTokenByHash(db: Executor, tokenHash: string): Promise<(Token & { member_name: string }) | undefined> {
  return db
    .selectFrom('tokens')
    .innerJoin('members', 'members.id', 'tokens.member_id')
    .selectAll('tokens')
    .select('members.name as member_name')
    .where('tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export function listTokens(db: Executor, memberId?: number): Promise<Token[]> {
  let q = db.selectFrom('tokens').selectAll().orderBy('id');
  if (memberId !== undefined) q = q.where('member_id', '=', memberId);
  return q.execute();
}

export async function revokeToken(db: Executor, id: number): Promise<boolean> {
  const r = await db.updateTable('tokens').set({ revoked_at: now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
