/**
 * The help directory: per country, where a child, a victim, a witness or someone worried about
 * their own urges can turn — the child helpline, the reporting hotline, the police reporting
 * channel, victim support, offender prevention — with languages, hours and contact channels.
 * Curated on the node; every member country starts with placeholders (no invented numbers).
 */
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError, failWith } from '../errors/catalogue.js';
import { isCountryCode } from '../geo/countries.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  curatedHelpEntries,
  type Executor,
  HELP_KINDS,
  type HelpEntryRow,
  insertHelpEntry,
  INTERNATIONAL,
  listHelpEntries,
  liveHelpEntry,
  logHelpChange,
  markHelpEntryRemoved,
  now,
  parseJson,
  type Store,
  TtlCache,
  updateHelpEntry,
} from '../store/index.js';
import { canonicalLanguage } from './language.js';

export { HELP_KINDS, INTERNATIONAL };
export type HelpKind = (typeof HELP_KINDS)[number];

/** How long resolved entries are cached for the check API (another process may have curated one). */
const CACHE_MS = 5_000;
export const CHANNEL_TYPES = ['phone', 'web', 'chat', 'email', 'sms', 'app'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** A way to reach an entry; its type is checked when the entry is written (here or received: helpEntryFields). */
export interface HelpChannel {
  type: ChannelType;
  value: string;
}

export interface HelpEntryInput {
  country?: string;
  kind?: string;
  name?: string;
  languages?: string[];
  hours?: string | null;
  channels?: Array<{ type: string; value: string }>;
}

const bad = failWith('HELP_ENTRY_INVALID');

/** An entry as the API gives it (also what the help feed publishes). */
export function helpEntryView(r: HelpEntryRow & { source?: string | null }) {
  return {
    id: r.id,
    uid: r.uid,
    country: r.country,
    kind: r.kind,
    name: r.name,
    languages: parseJson<string[]>(r.languages, []),
    hours: r.hours,
    channels: parseJson<HelpChannel[]>(r.channels, []),
    status: r.status,
    /** The member that publishes it (received over the federation), null for this node's own. */
    source: r.source ?? null,
    updated_at: new Date(Number(r.updated_at)).toISOString(),
  };
}
export type HelpEntry = ReturnType<typeof helpEntryView>;

/** The checked fields of an entry (a complete one when `complete`). */
type Fields = Partial<Omit<HelpEntryRow, 'id' | 'uid' | 'created_at' | 'received_from'>>;

/** At most this many entries of one kind are given to a user (own ones first). */
export const MAX_HELP_PER_KIND = 3;

/** The checked, normalised fields of an entry (a complete one when `complete`); HELP_ENTRY_INVALID names what is wrong. */
export function helpEntryFields(input: HelpEntryInput, complete: boolean): Fields {
  const out: Fields = {};
  if (input.country !== undefined || complete) {
    const c = typeof input.country === 'string' ? input.country.toUpperCase() : '';
    if (!isCountryCode(c) && c !== INTERNATIONAL)
      throw bad(`country: an ISO 3166-1 alpha-2 code (or ${INTERNATIONAL}, the international fall-back), not "${String(input.country ?? '').slice(0, 10)}"`);
    out.country = c;
  }
  if (input.kind !== undefined || complete) {
    if (typeof input.kind !== 'string' || !(HELP_KINDS as readonly string[]).includes(input.kind)) throw bad(`kind: one of ${HELP_KINDS.join(', ')}`);
    out.kind = String(input.kind);
  }
  if (input.name !== undefined || complete) {
    const n = typeof input.name === 'string' ? input.name.trim() : '';
    if (!n || n.length > 200) throw bad('name: 1 to 200 characters');
    out.name = n;
  }
  if (input.languages !== undefined) {
    const codes = Array.isArray(input.languages) && input.languages.length <= 20 ? input.languages.map(canonicalLanguage) : [undefined];
    if (codes.some((l) => l === undefined)) throw bad('languages: language codes such as "en", "fr", "pt-BR" (at most 20)');
    out.languages = JSON.stringify([...new Set(codes)]);
  }
  if (input.hours !== undefined) {
    if (input.hours !== null && (typeof input.hours !== 'string' || input.hours.length > 200)) throw bad('hours: at most 200 characters');
    out.hours = input.hours === null ? null : input.hours.trim() || null;
  }
  if (input.channels !== undefined) {
    if (!Array.isArray(input.channels) || input.channels.length > 10) throw bad('channels: at most 10');
    for (const c of input.channels) {
      if (
        typeof c !== 'object' ||
        c === null ||
        !(CHANNEL_TYPES as readonly string[]).includes(c.type) ||
        typeof c.value !== 'string' ||
        !c.value.trim() ||
        c.value.length > 300
      ) {
        throw bad(`channels: each {type: ${CHANNEL_TYPES.join('|')}, value: at most 300 characters}`);
      }
      if ((c.type === 'web' || c.type === 'chat') && !/^https?:\/\/\S+$/.test(c.value.trim())) throw bad(`channels: a ${c.type} channel is an http(s) address`);
      if (c.type === 'email' && !/^[^@\s]+@[^@\s]+$/.test(c.value.trim())) throw bad('channels: an email channel is an address');
    }
    out.channels = JSON.stringify(input.channels.map((c) => ({ type: c.type, value: c.value.trim() })));
  }
  return out;
}

/** An entry as the check API gives it: where to turn, and whether it stands in for the country's own. */
export interface HelpForUser {
  kind: HelpKind;
  name: string;
  country: string;
  languages: string[];
  hours: string | null;
  channels: HelpChannel[];
  /** True when the country has no curated entry of this kind and the international one is given. */
  fallback: boolean;
}

export class HelpDirectory {
  private readonly cache = new TtlCache<HelpForUser[]>(CACHE_MS, 5_000);

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly self: { name: string; kind: string },
  ) {}

  /**
   * Gives an own entry the next feed position (peers pull changes from there). International
   * entries are published by the secretariat only.
   */
  private async logChange(tx: Executor, entry: { id: number; country: string }): Promise<void> {
    if (entry.country === INTERNATIONAL && this.self.kind !== 'secretariat') return;
    await logHelpChange(tx, entry.id);
  }

  /** Entries of a country (or all), placeholders included and flagged. */
  async list(actor: Principal, q: { country?: string; kind?: string } = {}): Promise<HelpEntry[]> {
    requirePermission(actor, 'lookup');
    return (await listHelpEntries(this.store.db, { country: q.country ? q.country.toUpperCase() : undefined, kind: q.kind || undefined })).map(helpEntryView);
  }

  /**
   * Where a user of `country` can turn, for each of `kinds` in order: the country's curated
   * entries (those in `language` first), else the international entry of that kind (flagged).
   * Placeholders are never given to users.
   */
  async resolve(country: string | null, kinds: readonly HelpKind[], language: string): Promise<HelpForUser[]> {
    const c = country && isCountryCode(country) ? country : INTERNATIONAL;
    const key = `${c}|${kinds.join(',')}|${language}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const rows = await curatedHelpEntries(this.store.db, [c, INTERNATIONAL], [...kinds]);
    const primary = language.split('-')[0];
    // This node's own entries before received ones, then those in the user's language first.
    const rank = (r: (typeof rows)[number], e: HelpEntry) =>
      (r.received_from === null ? 0 : 2) + (e.languages.some((l) => l === language || l.split('-')[0] === primary) ? 0 : 1);
    const entries: HelpForUser[] = [];
    for (const kind of kinds) {
      const of = (country: string) => rows.filter((r) => r.kind === kind && r.country === country).map((r) => ({ r, e: helpEntryView(r) }));
      const own = c === INTERNATIONAL ? [] : of(c);
      const chosen = own.length ? own : of(INTERNATIONAL);
      chosen.sort((a, b) => rank(a.r, a.e) - rank(b.r, b.e));
      for (const { e } of chosen.slice(0, MAX_HELP_PER_KIND))
        entries.push({ kind, name: e.name, country: e.country, languages: e.languages, hours: e.hours, channels: e.channels, fallback: own.length === 0 });
    }
    this.cache.set(key, entries);
    return entries;
  }

  async add(actor: Principal, input: HelpEntryInput): Promise<HelpEntry> {
    requirePermission(actor, 'awareness.manage');
    const f = helpEntryFields(input, true);
    const t = now();
    const done = await this.store.db.transaction().execute(async (tx) => {
      const done = await insertHelpEntry(
        tx,
        {
          country: f.country!,
          kind: f.kind!,
          name: f.name!,
          languages: f.languages ?? '[]',
          hours: f.hours ?? null,
          channels: f.channels ?? '[]',
          status: 'curated',
          received_from: null,
          created_at: t,
          updated_at: t,
        },
        (id) => `${this.self.name}/help/${id}`,
      );
      await this.logChange(tx, done);
      await this.audit.record(tx, actor, 'help.add', done.uid, { country: done.country, kind: done.kind });
      return helpEntryView(done);
    });
    this.cache.clear(); // after the commit: a resolve in between cannot cache the old rows
    return done;
  }

  /** Curates an entry (a placeholder becomes curated once its name and a channel are given). */
  async update(actor: Principal, id: number, input: HelpEntryInput): Promise<HelpEntry> {
    requirePermission(actor, 'awareness.manage');
    const f = helpEntryFields(input, false);
    const done = await this.store.db.transaction().execute(async (tx) => {
      const cur = await this.own(tx, id);
      const next = { ...cur, ...f };
      const filled = next.name !== cur.name || next.channels !== cur.channels;
      const status = cur.status === 'placeholder' && !filled ? 'placeholder' : 'curated';
      // A filled placeholder becomes this member's entry (its uid names the publisher for peers).
      const uid = status === 'curated' && cur.uid.startsWith('seed/') ? `${this.self.name}/help/${id}` : cur.uid;
      const done = await updateHelpEntry(tx, id, { ...f, status, uid, updated_at: now() });
      if (status === 'curated') await this.logChange(tx, done);
      await this.audit.record(tx, actor, 'help.update', done.uid, { fields: Object.keys(f) });
      return helpEntryView(done);
    });
    this.cache.clear();
    return done;
  }

  /** One of this node's own entries (received ones are curated by their publisher). */
  private async own(tx: Executor, id: number) {
    const cur = await liveHelpEntry(tx, id);
    if (!cur) throw new AllianceError('HELP_ENTRY_NOT_FOUND', `no help directory entry ${id}`);
    if (cur.received_from !== null) throw new AllianceError('HELP_ENTRY_RECEIVED', `entry ${id} was received from a peer: its publisher curates it`);
    return cur;
  }

  /** Forgets resolved entries (after entries were received from a peer). */
  clearCache(): void {
    this.cache.clear();
  }

  async remove(actor: Principal, id: number): Promise<void> {
    requirePermission(actor, 'awareness.manage');
    await this.store.db.transaction().execute(async (tx) => {
      const cur = await this.own(tx, id);
      // Kept as "removed" so that peers that received it learn of the removal.
      await markHelpEntryRemoved(tx, id, now());
      if (!cur.uid.startsWith('seed/')) await this.logChange(tx, cur); // a placeholder was never published
      await this.audit.record(tx, actor, 'help.remove', cur.uid, {});
    });
    this.cache.clear();
  }
}
