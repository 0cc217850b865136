/** Action rules and webhooks. */
import { randomUUID } from 'node:crypto';
import { AllianceError } from '../errors/catalogue.js';
import type { ActionRuleRow, Webhook } from './actions-schema.js';
import { setMeta } from './meta-repo.js';
import { fixedQuery, isUniqueViolation, now, runFixed, type Executor } from './util.js';

/**
 * The rules' version (in meta): a new value with every change of the rules (or of the webhooks
 * they name), in the change's transaction, so a process that keeps the rules in memory reads this
 * one value per use, and the rules again only when it moved (another process may have changed them).
 */
export const RULES_VERSION = 'action_rules.version';
/** The version's read, its key the parameter `param` (also a subquery of a submission group's start read: submissions-repo). */
export const rulesVersionRead = (param: string) => `select value from meta where key = ${param}`;
const READ_RULES_VERSION = fixedQuery(rulesVersionRead('?'));

async function rulesChanged(db: Executor): Promise<void> {
  await setMeta(db, RULES_VERSION, randomUUID());
}

/** The rules' version: undefined until they first change. */
export async function rulesVersion(db: Executor): Promise<string | undefined> {
  return (await runFixed<{ value: string }>(db, READ_RULES_VERSION, [RULES_VERSION]))[0]?.value;
}

export async function insertWebhook(db: Executor, w: { name: string; url: string; secret: string }): Promise<Webhook> {
  try {
    return await db
      .insertInto('webhooks')
      .values({ ...w, enabled: 1, created_at: now() })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('RULE_EXISTS', `a webhook named "${w.name}" exists already`);
    throw err;
  }
}

/** Replaces a webhook's stored address and secret (their encrypted forms). */
export async function updateWebhookSecrets(db: Executor, id: number, url: string, secret: string): Promise<void> {
  await db.updateTable('webhooks').set({ url, secret }).where('id', '=', id).execute();
}

export function listWebhooks(db: Executor): Promise<Webhook[]> {
  return db.selectFrom('webhooks').selectAll().orderBy('id').execute();
}

export async function webhookByName(db: Executor, name: string): Promise<Webhook> {
  const w = await db.selectFrom('webhooks').selectAll().where('name', '=', name).executeTakeFirst();
  if (!w) throw new AllianceError('RULE_NOT_FOUND', `no webhook named "${name}"`);
  return w;
}

export async function deleteWebhook(db: Executor, name: string): Promise<void> {
  const r = await db.deleteFrom('webhooks').where('name', '=', name).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new AllianceError('RULE_NOT_FOUND', `no webhook named "${name}"`);
  await rulesChanged(db); // the rules that named it name none now
}

export interface RuleFields {
  name: string;
  enabled: number;
  conditions: string;
  actions: string;
  webhook_id: number | null;
}

export async function insertRule(db: Executor, r: RuleFields): Promise<ActionRuleRow> {
  const t = now();
  try {
    const row = await db
      .insertInto('action_rules')
      .values({ ...r, created_at: t, updated_at: t })
      .returningAll()
      .executeTakeFirstOrThrow();
    await rulesChanged(db);
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('RULE_EXISTS', `a rule named "${r.name}" exists already`);
    throw err;
  }
}

export async function updateRule(db: Executor, id: number, r: Partial<RuleFields>): Promise<ActionRuleRow> {
  try {
    const row = await db
      .updateTable('action_rules')
      .set({ ...r, updated_at: now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new AllianceError('RULE_NOT_FOUND', `no action rule ${id}`);
    await rulesChanged(db);
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('RULE_EXISTS', `a rule named "${r.name}" exists already`);
    throw err;
  }
}

export async function deleteRule(db: Executor, id: number): Promise<void> {
  const r = await db.deleteFrom('action_rules').where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new AllianceError('RULE_NOT_FOUND', `no action rule ${id}`);
  await rulesChanged(db);
}

/** Every rule with its webhook's name. */
export function listRules(db: Executor): Promise<Array<ActionRuleRow & { webhook: string | null }>> {
  return db
    .selectFrom('action_rules')
    .leftJoin('webhooks', 'webhooks.id', 'action_rules.webhook_id')
    .selectAll('action_rules')
    .select('webhooks.name as webhook')
    .orderBy('action_rules.id')
    .execute();
}
