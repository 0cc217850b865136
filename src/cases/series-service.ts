/**
 * Series and victims. A series groups the bank content of material from one abuse situation; it is
 * owned by one member (its country, agency and contact point are what peers will see), has a
 * status, dates, restricted notes that never leave this node, and its identified victims. A victim
 * record holds only what identification needs — a pseudonymous id, when, by whom, and the support
 * services the victim was referred to — and there is no field for a name anywhere.
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError, failWith } from '../errors/catalogue.js';
import { isCountryCode } from '../geo/countries.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  contentOfSeries,
  dayOf,
  existingContentIds,
  getSeries,
  getService,
  getVictim,
  insertReferral,
  insertSeries,
  insertService,
  insertVictim,
  isDay,
  linkContent,
  listServices,
  logSeries,
  now,
  parseJson,
  referralsOfVictims,
  searchSeries,
  type Series,
  seriesNamed,
  type Store,
  type Tx,
  unlinkContent,
  updateSeries,
  victimsOfSeries,
} from '../store/index.js';
import { parseIsoTime, isoOrNull } from '../time/iso-time.js';

export const SERIES_STATUSES = ['unidentified', 'victim_identified', 'offender_identified', 'closed'] as const;
export type SeriesStatus = (typeof SERIES_STATUSES)[number];
export const SERVICE_KINDS = ['victim_support', 'child_helpline', 'legal_aid', 'medical', 'other'] as const;

export interface SeriesInput {
  name?: string;
  agency?: string | null;
  contact_point?: string | null;
  notes?: string | null;
  /** YYYY-MM-DD or ISO time: when the material was first seen. */
  first_seen?: string | null;
  status?: string;
}

const bad = failWith('SERIES_INVALID');

function text(name: string, v: unknown, max: number, required = false): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null || v === '') {
    if (required) throw bad(`${name}: required`);
    return null;
  }
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > max) throw bad(`${name}: a string of 1–${max} characters`);
  return v.trim();
}

function day(name: string, v: unknown): string {
  if (!isDay(v)) throw bad(`${name}: a date, YYYY-MM-DD`);
  return v;
}

export class SeriesService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly self: { name: string; country: string | null },
  ) {}

  private view(s: Series, extra: { victims?: number; contents?: number } = {}) {
    return {
      id: s.id,
      uid: s.uid,
      name: s.name,
      owner: { member: s.owner_member, country: s.owner_country, agency: s.agency, contact_point: s.contact_point },
      own: s.received_from === null,
      status: s.status as SeriesStatus,
      first_seen_at: isoOrNull(s.first_seen_at),
      opened_at: isoOrNull(s.opened_at)!,
      victim_identified_at: isoOrNull(s.victim_identified_at),
      offender_identified_at: isoOrNull(s.offender_identified_at),
      closed_at: isoOrNull(s.closed_at),
      notes: s.notes,
      ...(extra.victims !== undefined ? { victims_identified: Number(extra.victims) } : {}),
      ...(extra.contents !== undefined ? { contents: Number(extra.contents) } : {}),
    };
  }

  async create(actor: Principal, input: SeriesInput) {
    requirePermission(actor, 'cases');
    const name = text('name', input.name ?? null, 200, true)!;
    const firstSeen = input.first_seen ? (parseIsoTime(input.first_seen) ?? NaN) : null;
    if (firstSeen !== null && (Number.isNaN(firstSeen) || firstSeen > now())) throw bad('first_seen: a date or time, not in the future');
    const t = now();
    return this.store.db.transaction().execute(async (tx) => {
      const s = await insertSeries(
        tx,
        {
          name,
          owner_member: this.self.name,
          owner_country: this.self.country,
          agency: text('agency', input.agency, 200) ?? null,
          contact_point: text('contact_point', input.contact_point, 500) ?? null,
          status: 'unidentified',
          first_seen_at: firstSeen,
          opened_at: t,
          victim_identified_at: null,
          offender_identified_at: null,
          closed_at: null,
          notes: text('notes', input.notes, 20_000) ?? null,
          received_from: null,
          created_at: t,
          updated_at: t,
        },
        (id) => `${this.self.name}/series/${id}`,
      );
      await logSeries(tx, s.id);
      await this.audit.record(tx, actor, 'series.create', s.uid, { name });
      return this.view(s, { victims: 0, contents: 0 });
    });
  }

  async search(actor: Principal, q: { text?: string; status?: string; limit?: number; offset?: number } = {}) {
    requirePermission(actor, 'cases');
    if (q.status !== undefined && !(SERIES_STATUSES as readonly string[]).includes(q.status)) throw bad(`status: one of ${SERIES_STATUSES.join(', ')}`);
    const rows = await searchSeries(this.store.db, {
      text: q.text?.slice(0, 200),
      status: q.status,
      limit: Math.min(q.limit ?? 50, 500),
      offset: q.offset ?? 0,
    });
    return rows.map((r) => this.view(r, r));
  }

  /** A series with its content ids and victims (pseudonymous) and their referrals. */
  async get(actor: Principal, id: number) {
    requirePermission(actor, 'cases');
    const s = await getSeries(this.store.db, id);
    const victims = await victimsOfSeries(this.store.db, id);
    const referrals = await referralsOfVictims(
      this.store.db,
      victims.map((v) => v.id),
    );
    return {
      ...this.view(s, { victims: victims.length }),
      content_ids: await contentOfSeries(this.store.db, id),
      victims: victims.map((v) => ({
        id: v.id,
        uid: v.uid,
        identified_on: v.identified_on,
        identified_by: v.identified_by,
        referrals: referrals.filter((r) => r.victim_id === v.id).map(({ victim_id: _, ...r }) => r),
      })),
    };
  }

  private async owned(id: number): Promise<Series> {
    const s = await getSeries(this.store.db, id);
    if (s.received_from !== null) throw new AllianceError('SERIES_NOT_OWNED', `series ${s.uid} belongs to ${s.owner_member}: only its owner changes it`);
    return s;
  }

  /** Changes fields and status. Status moves forward (a closed series stays closed). */
  async update(actor: Principal, id: number, input: SeriesInput) {
    requirePermission(actor, 'cases');
    const s = await this.owned(id);
    const t = now();
    const fields: Record<string, unknown> = {};
    if (input.name !== undefined) fields.name = text('name', input.name, 200, true);
    if (input.agency !== undefined) fields.agency = text('agency', input.agency, 200);
    if (input.contact_point !== undefined) fields.contact_point = text('contact_point', input.contact_point, 500);
    if (input.notes !== undefined) fields.notes = text('notes', input.notes, 20_000);
    if (input.status !== undefined && input.status !== s.status) {
      const to = input.status as SeriesStatus;
      if (!SERIES_STATUSES.includes(to)) throw bad(`status: one of ${SERIES_STATUSES.join(', ')}`);
      if (s.status === 'closed') throw bad(`series ${s.uid} is closed`);
      if (to === 'unidentified') throw bad('a series does not go back to unidentified');
      if (to === 'victim_identified' && (await victimsOfSeries(this.store.db, id)).length === 0)
        throw bad('record the identified victim (POST …/victims): the status follows');
      fields.status = to;
      if (to === 'offender_identified') fields.offender_identified_at = s.offender_identified_at ?? t;
      if (to === 'closed') fields.closed_at = t;
    }
    return this.store.db.transaction().execute(async (tx) => {
      const u = await updateSeries(tx, id, fields);
      await logSeries(tx, id);
      await this.audit.record(tx, actor, 'series.update', u.uid, { fields: Object.keys(fields), status: u.status });
      return this.view(u);
    });
  }

  /**
   * Links imported contents to the series their files name (VICS `Series`, several separated by
   * ";"), inside the importing transaction: a series of that name (any case) is used when one
   * exists — this member's first, else the oldest received one, which is linked to but never
   * changed — and is otherwise created as this member's, unidentified. Linking twice is a no-op.
   */
  async linkNamed(tx: Tx, actor: Principal, links: Array<{ contentId: number; names: string[] }>): Promise<{ created: number; linked: number }> {
    requirePermission(actor, 'cases');
    const names = [...new Set(links.flatMap((l) => l.names))];
    if (names.length === 0) return { created: 0, linked: 0 };
    const byName = new Map<string, Series>();
    for (const s of await seriesNamed(tx, names)) if (!byName.has(s.name.toLowerCase())) byName.set(s.name.toLowerCase(), s);
    let created = 0;
    const t = now();
    for (const name of names) {
      if (byName.has(name.toLowerCase())) continue;
      const s = await insertSeries(
        tx,
        {
          name,
          owner_member: this.self.name,
          owner_country: this.self.country,
          agency: null,
          contact_point: null,
          status: 'unidentified',
          first_seen_at: null,
          opened_at: t,
          victim_identified_at: null,
          offender_identified_at: null,
          closed_at: null,
          notes: null,
          received_from: null,
          created_by_import: 1,
          created_at: t,
          updated_at: t,
        },
        (id) => `${this.self.name}/series/${id}`,
      );
      await logSeries(tx, s.id);
      await this.audit.record(tx, actor, 'series.create', s.uid, { name, from: 'import' });
      byName.set(name.toLowerCase(), s);
      created++;
    }
    const perSeries = new Map<Series, Set<number>>();
    for (const l of links) {
      for (const n of l.names) {
        const series = byName.get(n.toLowerCase())!;
        perSeries.set(series, (perSeries.get(series) ?? new Set()).add(l.contentId));
      }
    }
    let linked = 0;
    for (const [series, contents] of perSeries) {
      const n = await linkContent(tx, series.id, [...contents]);
      if (n) await this.audit.record(tx, actor, 'series.link', series.uid, { contents: n, from: 'import' }, n);
      linked += n;
    }
    return { created, linked };
  }

  /** Links (or unlinks) bank content to a series. */
  async link(actor: Principal, id: number, contentIds: number[], unlink = false) {
    requirePermission(actor, 'cases');
    const s = await this.owned(id);
    const ids = [...new Set(contentIds)];
    if (ids.length === 0 || ids.length > 10_000 || ids.some((x) => !Number.isSafeInteger(x) || x < 1)) throw bad('content_ids: 1–10,000 content ids');
    return this.store.db.transaction().execute(async (tx) => {
      if (!unlink) {
        const found = new Set(await existingContentIds(tx, ids));
        const missing = ids.filter((x) => !found.has(x));
        if (missing.length) throw new AllianceError('CONTENT_NOT_FOUND', `no bank content ${missing.slice(0, 10).join(', ')}`);
      }
      const n = unlink ? await unlinkContent(tx, id, ids) : await linkContent(tx, id, ids);
      await this.audit.record(tx, actor, unlink ? 'series.unlink' : 'series.link', s.uid, { contents: ids.length }, n);
      return { series: s.uid, [unlink ? 'unlinked' : 'linked']: n };
    });
  }

  /**
   * Records an identified victim of a series (pseudonymous id made here), optionally with the
   * support service the victim was referred to. The series becomes victim_identified.
   */
  async identifyVictim(actor: Principal, id: number, input: { identified_on?: string; service_id?: number; referred_on?: string }) {
    requirePermission(actor, 'cases');
    const s = await this.owned(id);
    if (s.status === 'closed') throw bad(`series ${s.uid} is closed`);
    const on = day('identified_on', input.identified_on ?? dayOf(now()));
    if (on > dayOf(now())) throw bad('identified_on: not in the future');
    if (input.service_id !== undefined) await getService(this.store.db, input.service_id);
    const t = now();
    const victim = await this.store.db.transaction().execute(async (tx) => {
      const v = await insertVictim(tx, {
        uid: `${this.self.name}/victim/${randomBytes(6).toString('hex')}`,
        series_id: id,
        identified_on: on,
        identified_by: this.self.name,
      });
      if (input.service_id !== undefined)
        await insertReferral(tx, {
          victim_id: v.id,
          service_id: input.service_id,
          referred_on: day('referred_on', input.referred_on ?? on),
          referred_by: actor.actor,
        });
      await updateSeries(tx, id, {
        victim_identified_at: s.victim_identified_at ?? t,
        ...(s.status === 'unidentified' ? { status: 'victim_identified' } : {}),
      });
      await logSeries(tx, id);
      await this.audit.record(tx, actor, 'victim.identify', v.uid, { series: s.uid, referred: input.service_id !== undefined });
      return v;
    });
    return { id: victim.id, uid: victim.uid, series: s.uid, identified_on: victim.identified_on, identified_by: victim.identified_by };
  }

  /** Records a referral of an identified victim to a support service. */
  async refer(actor: Principal, victimId: number, serviceId: number, referredOn?: string) {
    requirePermission(actor, 'cases');
    const v = await getVictim(this.store.db, victimId);
    const service = await getService(this.store.db, serviceId);
    const on = day('referred_on', referredOn ?? dayOf(now()));
    await this.store.db.transaction().execute(async (tx) => {
      await insertReferral(tx, { victim_id: v.id, service_id: service.id, referred_on: on, referred_by: actor.actor });
      await this.audit.record(tx, actor, 'victim.refer', v.uid, { service: service.name, country: service.country });
    });
    return { victim: v.uid, service: service.name, country: service.country, referred_on: on };
  }

  // ---- the directory of victim-support services ----------------------------------------------

  async addService(actor: Principal, input: { country?: string; name?: string; kind?: string; contact?: string; languages?: string[]; hours?: string | null }) {
    requirePermission(actor, 'cases');
    const country = String(input.country ?? '').toUpperCase();
    const invalid = (m: string) => new AllianceError('SERVICE_INVALID', m);
    if (!isCountryCode(country)) throw invalid(`country: "${String(input.country ?? '').slice(0, 10)}" is not an ISO 3166-1 alpha-2 country code`);
    if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 200) throw invalid('name: 1–200 characters');
    if (!(SERVICE_KINDS as readonly string[]).includes(input.kind ?? '')) throw invalid(`kind: one of ${SERVICE_KINDS.join(', ')}`);
    if (typeof input.contact !== 'string' || !input.contact.trim() || input.contact.length > 500)
      throw invalid('contact: how to reach the service (1–500 characters)');
    const languages = [...new Set((input.languages ?? []).map((l) => String(l).trim().toLowerCase()))];
    if (languages.some((l) => !/^[a-z]{2,3}(-[a-z0-9]{2,8})?$/.test(l))) throw invalid('languages: language codes such as de, fr, pt-br');
    return this.store.db.transaction().execute(async (tx) => {
      const s = await insertService(tx, {
        country,
        name: input.name!.trim(),
        kind: input.kind!,
        contact: input.contact!.trim(),
        languages,
        hours: input.hours?.slice(0, 200) ?? null,
      });
      await this.audit.record(tx, actor, 'service.create', `${country}/${s.name}`, { kind: s.kind });
      return { id: s.id, country, name: s.name, kind: s.kind, contact: s.contact, languages, hours: s.hours };
    });
  }

  async services(actor: Principal, country?: string) {
    requirePermission(actor, 'cases');
    return (await listServices(this.store.db, country?.toUpperCase())).map((s) => ({
      id: s.id,
      country: s.country,
      name: s.name,
      kind: s.kind,
      contact: s.contact,
      languages: parseJson<string[]>(s.languages, []),
      hours: s.hours,
    }));
  }
}
