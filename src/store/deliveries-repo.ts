/** The durable webhook delivery queue. */
import { sql } from 'kysely';
import { AllianceError } from '../errors/catalogue.js';
import type { Webhook, WebhookDelivery } from './actions-schema.js';
import { now, type Executor } from './util.js';
import { redactServerPaths } from '../errors/redact.js';

export async function enqueueDelivery(db: Executor, webhookId: number, event: string, payload: unknown): Promise<number> {
  const t = now();
  const r = await db
    .insertInto('webhook_deliveries')
    .values({
      webhook_id: webhookId,
      event,
      payload: JSON.stringify(payload),
      state: 'pending',
      attempts: 0,
      next_attempt_at: t,
      last_error: null,
      last_status: null,
      created_at: t,
      delivered_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Claims up to `limit` due deliveries for `leaseMs` (pushing their next attempt past the lease, so
 * another process skips them); each claim is a conditional update, so a delivery is claimed once.
 */
export async function claimDueDeliveries(db: Executor, limit: number, leaseMs: number): Promise<Array<WebhookDelivery & { webhook: Webhook }>> {
  const t = now();
  const due = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'next_attempt_at'])
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', t)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  const claimed: Array<WebhookDelivery & { webhook: Webhook }> = [];
  for (const d of due) {
    const r = await db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: t + leaseMs })
      .where('id', '=', d.id)
      .where('state', '=', 'pending')
      .where('next_attempt_at', '=', d.next_attempt_at)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) continue;
    const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow();
    const webhook = await db.selectFrom('webhooks').selectAll().where('id', '=', row.webhook_id).executeTakeFirstOrThrow();
    claimed.push({ ...row, webhook });
  }
  return claimed;
}

export async function markDelivered(db: Executor, id: number, status: number): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ state: 'delivered', delivered_at: now(), last_status: status, last_error: null, attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .execute();
}

/** Records a failed attempt: retried at `retryAt`, or dead when `retryAt` is null. */
export async function markFailed(db: Executor, id: number, error: string, status: number | null, retryAt: number | null): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      state: retryAt === null ? 'dead' : 'pending',
      next_attempt_at: retryAt ?? now(),
      last_error: redactServerPaths(error).slice(0, 1000),
      last_status: status,
      attempts: sql`attempts + 1`,
    })
    .where('id', '=', id)
    .execute();
}

export function listDeliveries(db: Executor, state: string | undefined, limit: number): Promise<Array<WebhookDelivery & { webhook_name: string }>> {
  let q = db.selectFrom('webhook_deliveries as d').innerJoin('webhooks as w', 'w.id', 'd.webhook_id').selectAll('d').select('w.name as webhook_name');
  if (state) q = q.where('d.state', '=', state);
  return q.orderBy('d.id', 'desc').limit(limit).execute();
}

/** Queues a dead (or delivered) delivery again, as new. */
export async function replayDelivery(db: Executor, id: number): Promise<void> {
  const r = await db
    .updateTable('webhook_deliveries')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now(), last_error: null })
    .where('id', '=', id)
    .where('state', '!=', 'pending')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    const exists = await db.selectFrom('webhook_deliveries').select('id').where('id', '=', id).executeTakeFirst();
    if (!exists) throw new AllianceError('DELIVERY_NOT_FOUND', `no webhook delivery ${id}`);
  }
}
