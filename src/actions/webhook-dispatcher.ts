/**
 * Webhook deliveries: JSON POSTs signed with HMAC-SHA256 over "<timestamp>.<body>" (header
 * x-alliance-signature: sha256=<hex>), taken from the durable queue in the database, so they
 * survive a restart. A 2xx answer delivers; anything else is retried after base·2^(n−1) (n =
 * failed attempts so far: base, 2·base, 4·base, …) until the attempt limit, then the delivery goes to the dead-letter list, from which an
 * administrator can replay it.
 */
import type { BackgroundTask } from '../jobs/background.js';
import { createHmac } from 'node:crypto';
import { AllianceError } from '../errors/catalogue.js';
import { postText } from '../media/fetch-url.js';
import { claimDueDeliveries, listDeliveries, markDelivered, markFailed, now, parseJson, replayDelivery, type SecretBox, type Store } from '../store/index.js';
import { WEBHOOK_SECRET, WEBHOOK_URL } from './rule-service.js';
import { requirePermission, type Principal } from '../members/principal.js';
import type { AuditLog } from '../audit/audit-log.js';

export interface DispatchOptions {
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs?: number;
  /** The fetch allow-list (deliveries go through the SSRF-safe client: public addresses or listed host:port only). */
  allowedHosts?: readonly string[];
}

export interface DeliveryView {
  id: number;
  webhook: string;
  event: string;
  state: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  payload: unknown;
}

/** The signature header value for `body` sent at `timestamp` (receivers recompute it). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookDispatcher {
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly secrets: SecretBox,
    private readonly options: DispatchOptions,
  ) {}

  /** Due deliveries sent on every tick of the actions timer. */
  backgroundTasks(tickMs: number): BackgroundTask[] {
    return [{ name: 'webhook delivery', intervalMs: tickMs, run: () => this.tick() }];
  }

  /** Delivers every due delivery once; returns how many were attempted. Overlapping calls share one run. */
  tick(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<number> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let attempted = 0;
    for (;;) {
      const batch = await claimDueDeliveries(this.store.db, 20, timeoutMs * 2);
      if (batch.length === 0) return attempted;
      await Promise.all(
        batch.map(async (d) => {
          attempted++;
          const body = JSON.stringify({ id: d.id, event: d.event, created_at: new Date(d.created_at).toISOString(), data: parseJson(d.payload, null) });
          const timestamp = String(Math.floor(now() / 1000));
          let status: number | null = null;
          let error: string;
          try {
            const secret = this.secrets.open(d.webhook.secret, WEBHOOK_SECRET);
            const headers = {
              'content-type': 'application/json',
              'x-alliance-event': d.event,
              'x-alliance-delivery': String(d.id),
              'x-alliance-timestamp': timestamp,
              'x-alliance-signature': webhookSignature(secret, timestamp, body),
            };
            const res = await postText(this.secrets.open(d.webhook.url, WEBHOOK_URL), body, headers, {
              allowedHosts: this.options.allowedHosts ?? [],
              maxBytes: 4096,
              timeoutMs,
            });
            status = res.status;
            if (status >= 200 && status < 300) return markDelivered(this.store.db, d.id, status);
            error = `Failed to deliver: failed, the endpoint answered HTTP ${status}`;
          } catch (err) {
            // Refused (an address the node does not post to) or failed: never the remote's own words.
            error = err instanceof AllianceError ? err.message : 'Failed to deliver: failed, the endpoint could not be reached';
          }
          const attempts = d.attempts + 1;
          const retryAt = attempts >= this.options.maxAttempts ? null : now() + this.options.retryBaseMs * 2 ** (attempts - 1);
          await markFailed(this.store.db, d.id, error, status, retryAt);
        }),
      );
    }
  }

  async deliveries(actor: Principal, state?: string, limit = 100): Promise<DeliveryView[]> {
    requirePermission(actor, 'actions.manage');
    const rows = await listDeliveries(this.store.db, state, Math.min(limit, 1000));
    return rows.map((d) => ({
      id: d.id,
      webhook: d.webhook_name,
      event: d.event,
      state: d.state,
      attempts: d.attempts,
      next_attempt_at: d.state === 'pending' ? new Date(d.next_attempt_at).toISOString() : null,
      last_status: d.last_status,
      last_error: d.last_error,
      created_at: new Date(d.created_at).toISOString(),
      delivered_at: d.delivered_at === null ? null : new Date(d.delivered_at).toISOString(),
      payload: parseJson(d.payload, null),
    }));
  }

  /** Queues a dead-lettered (or delivered) delivery again. */
  async replay(actor: Principal, id: number): Promise<void> {
    requirePermission(actor, 'actions.manage');
    await this.store.db.transaction().execute(async (tx) => {
      await replayDelivery(tx, id);
      await this.audit.record(tx, actor, 'webhook.replay', String(id), {});
    });
  }
}
