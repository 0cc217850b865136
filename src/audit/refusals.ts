/**
 * Refusals of federation requests, in the audit log: a bad or missing signature, an unknown peer,
 * a wrong key, a replayed nonce, a body that is not what the route takes, a report from a member
 * that may not send one — every 4xx a `/federation/v1` route answers is recorded.
 *
 * A hostile client can send refusals as fast as the network carries them, and the audit log is a
 * hash chain that keeps every entry. So identical refusals are coalesced per window (a minute):
 * the first of a kind in a window is written at once, with its detail; the ones after it in the
 * same window are only counted, and one entry at the window's end says how many there were. A kind
 * is (who, action, code, route, reason's shape): "who" is the verified peer, the claimed registered
 * peer (signature checks that failed), or "unregistered" for any name that is no peer of this node;
 * the reason's shape is its text with quoted parts and numbers blanked (a bad signature and a
 * replay are two kinds, two made-up names are one). Beyond 200 kinds in a window the rest are only
 * counted, in one entry at the window's end. So a flood writes at most about 400 entries a minute
 * (per worker process: each coalesces on its own), whatever it sends.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { Principal } from '../members/principal.js';
import type { Store } from '../store/index.js';
import type { AuditLog } from './audit-log.js';

/** How a service wants a refusal recorded (its own action, target and detail). */
export interface RefusalAudit {
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

const audits = new WeakMap<Error, RefusalAudit>();

/** Marks an error with the audit entry its refusal gets (the federation routes record it). */
export function auditedAs<E extends Error>(err: E, audit: RefusalAudit): E {
  audits.set(err, audit);
  return err;
}

export function refusalAuditOf(err: Error): RefusalAudit | undefined {
  return audits.get(err);
}

/** A refused federation request, as the routes saw it. */
export interface Refusal {
  /** The member the request was verified to come from, if it got that far. */
  peer?: string;
  /** The keyid it claimed (not verified), if any. */
  claimed?: string;
  /** Whether `claimed` is a registered peer of this node. */
  registered: boolean;
  method: string;
  /** The route template (never the query: it may carry anything). */
  route: string;
  ip: string;
  error: AllianceError;
}

interface Pending {
  principal: Principal;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  repeated: number;
  first: number;
  last: number;
}

export const REFUSAL_WINDOW_MS = 60_000;
/** Kinds of refusal written in one window; more are only counted. */
export const REFUSAL_KINDS = 200;

/** A reason without what varies from one request to the next (quoted names, numbers). */
const shape = (reason: string) =>
  reason
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 120);

export class RefusalLog {
  private window = new Map<string, Pending>();
  private overflow = { count: 0, codes: new Set<string>(), first: 0, last: 0 };
  private windowStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly windowMs = REFUSAL_WINDOW_MS,
  ) {}

  /** Records a refusal: at once if it is the first of its kind in this window, else counted. */
  async refuse(r: Refusal): Promise<void> {
    const t = Date.now();
    if (t - this.windowStart >= this.windowMs) {
      void this.flush();
      this.windowStart = t;
    }
    const given = refusalAuditOf(r.error);
    const who = r.peer ?? (r.registered && r.claimed ? r.claimed : undefined);
    const principal: Principal = {
      memberId: null,
      memberName: who ?? 'unregistered',
      role: 'matcher',
      tokenId: null,
      // Only a verified request is the peer's; a failed signature check only claims to be.
      actor: r.peer ? `peer:${r.peer}` : who ? `unverified:${who}` : 'unverified:unregistered',
    };
    const action = given?.action ?? 'federation.refused';
    const route = `${r.method} ${r.route}`;
    const key = [principal.actor, action, r.error.code, route, shape(r.error.message)].join('\n');
    const seen = this.window.get(key);
    if (seen) {
      seen.repeated++;
      seen.last = t;
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs).unref();
    if (this.window.size >= REFUSAL_KINDS) {
      const o = this.overflow;
      if (o.count++ === 0) o.first = t;
      o.last = t;
      if (o.codes.size < 20) o.codes.add(r.error.code);
      return;
    }
    const detail: Record<string, unknown> = {
      code: r.error.code,
      reason: r.error.message.slice(0, 500),
      route,
      ...(r.claimed !== undefined && !r.peer ? { keyid: r.claimed.slice(0, 100) } : {}),
      ip: r.ip,
      ...given?.detail,
    };
    const target = given?.target ?? route;
    this.window.set(key, { principal, action, target, detail, repeated: 0, first: t, last: t });
    await this.write(principal, action, target, detail);
  }

  /** Writes the counts of the repeats coalesced so far (at the window's end, and at shutdown). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const done = [...this.window.values()].filter((p) => p.repeated > 0);
    const o = this.overflow;
    this.window = new Map();
    this.overflow = { count: 0, codes: new Set(), first: 0, last: 0 };
    this.windowStart = 0;
    if (o.count > 0) {
      const node: Principal = { memberId: null, memberName: 'node', role: 'matcher', tokenId: null, actor: 'unverified:various' };
      void this.write(node, 'federation.refused', 'various', {
        overflow: o.count,
        codes: [...o.codes],
        kinds: REFUSAL_KINDS,
        from: new Date(o.first).toISOString(),
        to: new Date(o.last).toISOString(),
      });
    }
    for (const p of done) {
      void this.write(p.principal, p.action, p.target, {
        ...p.detail,
        repeated: p.repeated,
        from: new Date(p.first).toISOString(),
        to: new Date(p.last).toISOString(),
      });
    }
    return this.writing;
  }

  /** One entry in its own transaction, in order; a failure is kept for the health endpoint, never thrown at the refused peer. */
  private write(principal: Principal, action: string, target: string | null, detail: Record<string, unknown>): Promise<void> {
    this.writing = this.writing.then(() =>
      this.store.db
        .transaction()
        .execute((tx) => this.audit.record(tx, principal, action, target, detail))
        .catch((err: unknown) => {
          this.audit.lastError = String(err);
        }),
    );
    return this.writing;
  }
}
