/**
 * Deconfliction: an investigator opens a case and registers its targets; each is kept as a keyed
 * hash only (targets.ts). When two cases hold the same keyed hash (for IP addresses: with
 * overlapping time windows), both get an alert naming the other case, its member and its contact
 * point — never the identifier. Every check is audited. (Across nodes: the same keyed hashes will
 * travel over the federation link; this node's part is the matching and the alerts.)
 */
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { requirePermission, type Principal } from '../members/principal.js';
import type { Store } from '../store/database.js';
import { now } from '../store/util.js';
import { hintOf, keyTarget, normaliseTarget, parseKey, TARGET_KINDS, type TargetKind } from './targets.js';

export interface TargetInput {
  kind: string;
  value: string;
  /** IP addresses: when the address was used (ISO 8601). */
  from?: string;
  to?: string;
}

const bad = (m: string) => new AllianceError('CASE_INVALID', m);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export class DeconflictionService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly self: { name: string },
    private readonly keyText: string | null,
  ) {}

  async openCase(actor: Principal, input: { reference?: string; contact_point?: string }) {
    requirePermission(actor, 'cases');
    parseKey(this.keyText);
    const reference = input.reference?.trim();
    const contact = input.contact_point?.trim();
    if (!reference || reference.length > 200) throw bad('reference: the case reference, 1–200 characters');
    if (!contact || contact.length > 500) throw bad('contact_point: who to call about an overlap, 1–500 characters');
    return this.store.db.transaction().execute(async (tx) => {
      const row = await tx.insertInto('cases').values({ uid: `pending:${Math.random()}`, reference, owner_member: this.self.name, contact_point: contact, created_by: actor.actor, created_at: now() }).returning('id').executeTakeFirstOrThrow();
      const uid = `${this.self.name}/case/${row.id}`;
      await tx.updateTable('cases').set({ uid }).where('id', '=', row.id).execute();
      await this.audit.record(tx, actor, 'case.open', uid, { reference });
      return { id: row.id, uid, reference, contact_point: contact };
    });
  }

  /** Registers targets on a case and checks each against every other case on this node. */
  async addTargets(actor: Principal, caseId: number, targets: TargetInput[]) {
    requirePermission(actor, 'cases');
    const key = parseKey(this.keyText);
    const c = await this.store.db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirst();
    if (!c) throw new AllianceError('CASE_NOT_FOUND', `no case ${caseId}`);
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > 1000) throw bad('targets: 1–1,000 of them');
    const prepared = targets.map((t, i) => {
      if (!(TARGET_KINDS as readonly string[]).includes(t.kind)) throw bad(`targets[${i}].kind: one of ${TARGET_KINDS.join(', ')}`);
      if (typeof t.value !== 'string' || t.value.length > 2000) throw bad(`targets[${i}].value: the identifier`);
      const kind = t.kind as TargetKind;
      const normalised = normaliseTarget(kind, t.value);
      const from = t.from ? Date.parse(t.from) : null;
      const to = t.to ? Date.parse(t.to) : null;
      if ((from !== null && Number.isNaN(from)) || (to !== null && Number.isNaN(to)) || (from !== null && to !== null && to < from)) throw bad(`targets[${i}]: from and to are ISO 8601 times, from before to`);
      return { kind, keyed_hash: keyTarget(key, kind, normalised), hint: hintOf(kind, normalised), valid_from: from, valid_to: to };
    });
    return this.store.db.transaction().execute(async (tx) => {
      let alerts = 0;
      for (const t of prepared) {
        await tx.insertInto('case_targets').values({ case_id: c.id, ...t, created_at: now() }).execute();
        const others = await tx
          .selectFrom('case_targets as t')
          .innerJoin('cases as o', 'o.id', 't.case_id')
          .select(['o.id', 'o.uid', 'o.owner_member', 'o.contact_point', 't.valid_from', 't.valid_to'])
          .where('t.keyed_hash', '=', t.keyed_hash)
          .where('t.case_id', '!=', c.id)
          .execute();
        for (const o of others) {
          // An address shared at different times is not the same person: windows must meet.
          if (t.kind === 'ip' && t.valid_from !== null && o.valid_to !== null && o.valid_to < t.valid_from) continue;
          if (t.kind === 'ip' && t.valid_to !== null && o.valid_from !== null && t.valid_to < o.valid_from) continue;
          const at = now();
          for (const [mine, theirs] of [
            [c.id, { uid: o.uid, member: o.owner_member, contact: o.contact_point }],
            [o.id, { uid: c.uid, member: c.owner_member, contact: c.contact_point }],
          ] as const) {
            const r = await tx
              .insertInto('deconfliction_alerts')
              .values({ case_id: mine, kind: t.kind, other_case: theirs.uid, other_member: theirs.member, other_contact: theirs.contact, hint: t.hint, created_at: at })
              .onConflict((oc) => oc.columns(['case_id', 'other_case', 'kind', 'hint']).doNothing())
              .executeTakeFirst();
            alerts += Number(r.numInsertedOrUpdatedRows ?? 0);
          }
        }
      }
      await this.audit.record(tx, actor, 'deconfliction.check', c.uid, { targets: prepared.length, kinds: [...new Set(prepared.map((t) => t.kind))], alerts }, alerts);
      return { case: c.uid, targets: prepared.length, alerts };
    });
  }

  /** The alerts of this node's cases (or one case), newest first. */
  async alerts(actor: Principal, caseId?: number) {
    requirePermission(actor, 'cases');
    let q = this.store.db.selectFrom('deconfliction_alerts as a').innerJoin('cases as c', 'c.id', 'a.case_id').select(['a.id', 'c.uid as case', 'c.reference', 'a.kind', 'a.hint', 'a.other_case', 'a.other_member', 'a.other_contact', 'a.created_at']);
    if (caseId !== undefined) q = q.where('a.case_id', '=', caseId);
    const rows = await q.orderBy('a.id', 'desc').limit(1000).execute();
    this.audit.recordRead(actor, 'deconfliction.alerts', caseId === undefined ? null : String(caseId), {}, rows.length);
    return rows.map((r) => ({ ...r, created_at: iso(r.created_at)! }));
  }

  async cases(actor: Principal) {
    requirePermission(actor, 'cases');
    const rows = await this.store.db
      .selectFrom('cases as c')
      .select(['c.id', 'c.uid', 'c.reference', 'c.contact_point', 'c.created_at'])
      .select((eb) => eb.selectFrom('case_targets as t').select(eb.fn.countAll<number>().as('n')).whereRef('t.case_id', '=', 'c.id').as('targets'))
      .orderBy('c.id', 'desc')
      .execute();
    return rows.map((r) => ({ ...r, targets: Number(r.targets ?? 0), created_at: iso(r.created_at)! }));
  }
}
