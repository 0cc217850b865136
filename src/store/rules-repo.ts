/** Action rules and webhooks. */
import { AllianceError } from '../errors/catalogue.js';
import type { ActionRuleRow, Webhook } from './actions-schema.js';
import { isUniqueViolation, now, type Executor } from './util.js';

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
    return await db
      .insertInto('action_rules')
      .values({ ...r, created_at: t, updated_at: t })
      .returningAll()
      .executeTakeFirstOrThrow();
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
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('RULE_EXISTS', `a rule named "${r.name}" exists already`);
    throw err;
  }
}

export async function deleteRule(db: Executor, id: number): Promise<void> {
  const r = await db.deleteFrom('action_rules').where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new AllianceError('RULE_NOT_FOUND', `no action rule ${id}`);
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
