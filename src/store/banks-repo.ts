/** Banks: named collections of content, owned by a member. */
import { AllianceError } from '../errors/catalogue.js';
import type { Bank, BankUpdate } from './schema.js';
import { isUniqueViolation, now, type Executor } from './util.js';
import { unknownName } from '../errors/suggest.js';

export interface NewBankFields {
  name: string;
  owner_member_id: number;
  kind: 'positive' | 'negative';
  description: string;
  matching_enabled: boolean;
  enabled_ratio: number;
}

export async function insertBank(db: Executor, b: NewBankFields): Promise<Bank> {
  const t = now();
  try {
    return await db
      .insertInto('banks')
      .values({ ...b, matching_enabled: b.matching_enabled ? 1 : 0, created_at: t, updated_at: t })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('BANK_EXISTS', `bank "${b.name}" exists already`);
    throw err;
  }
}

export function findBankByName(db: Executor, name: string): Promise<Bank | undefined> {
  return db.selectFrom('banks').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function getBankByName(db: Executor, name: string): Promise<Bank> {
  const bank = await findBankByName(db, name);
  if (!bank) throw await unknownBank(db, name);
  return bank;
}

/** BANK_NOT_FOUND naming the nearest existing bank. */
export async function unknownBank(db: Executor, name: string): Promise<AllianceError> {
  const names = (await db.selectFrom('banks').select('name').execute()).map((b) => b.name);
  return new AllianceError('BANK_NOT_FOUND', unknownName('bank', name, names));
}

/** Throws BANK_NOT_FOUND (with the nearest name) unless every named bank exists. */
export async function requireBanks(db: Executor, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const known = new Set((await db.selectFrom('banks').select('name').execute()).map((b) => b.name));
  const missing = names.find((n) => !known.has(n));
  if (missing !== undefined) throw new AllianceError('BANK_NOT_FOUND', unknownName('bank', missing, known));
}

export async function getBankById(db: Executor, id: number): Promise<Bank> {
  const bank = await db.selectFrom('banks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!bank) throw new AllianceError('BANK_NOT_FOUND', `no bank ${id}`);
  return bank;
}

export function listBanks(db: Executor): Promise<Bank[]> {
  return db.selectFrom('banks').selectAll().orderBy('name').execute();
}

export async function updateBank(db: Executor, id: number, fields: Omit<BankUpdate, 'id' | 'created_at'>): Promise<Bank> {
  try {
    return await db
      .updateTable('banks')
      .set({ ...fields, updated_at: now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('BANK_EXISTS', `bank "${String(fields.name)}" exists already`);
    throw err;
  }
}

export async function deleteBank(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('banks').where('id', '=', id).execute();
}

/** Content count and signal count per signal type of each bank. */
export async function bankCounts(db: Executor): Promise<Map<number, { content: number; signals: Record<string, number> }>> {
  const content = await db
    .selectFrom('bank_content')
    .select(['bank_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('bank_id')
    .execute();
  const signals = await db
    .selectFrom('signals')
    .select(['bank_id', 'signal_type', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['bank_id', 'signal_type'])
    .execute();
  const out = new Map<number, { content: number; signals: Record<string, number> }>();
  const entry = (id: number) => {
    let e = out.get(id);
    if (!e) out.set(id, (e = { content: 0, signals: {} }));
    return e;
  };
  for (const r of content) entry(r.bank_id).content = Number(r.n);
  for (const r of signals) entry(r.bank_id).signals[r.signal_type] = Number(r.n);
  return out;
}
