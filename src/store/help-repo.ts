/** The help directory's entries and the log of changes its feed publishes by position. */
import type { Insertable, Updateable } from 'kysely';
import type { HelpEntriesTable, HelpEntryRow } from './reporting-schema.js';
import { lockFeedLog, type Executor } from './util.js';

/** Gives an entry the next position of the help feed (waits for other writers of the log on PostgreSQL). */
export async function logHelpChange(db: Executor, entryId: number): Promise<void> {
  await lockFeedLog(db, 'help_log');
  await db.insertInto('help_log').values({ entry_id: entryId }).execute();
}

/** Entries not removed, of a country and kind (or all), with the publishing member's name for received ones. */
export function listHelpEntries(db: Executor, q: { country?: string; kind?: string }): Promise<Array<HelpEntryRow & { source: string | null }>> {
  let query = db
    .selectFrom('help_entries as h')
    .leftJoin('peers as p', 'p.id', 'h.received_from')
    .leftJoin('members as m', 'm.id', 'p.member_id')
    .selectAll('h')
    .select('m.name as source')
    .where('h.status', '!=', 'removed');
  if (q.country) query = query.where('h.country', '=', q.country);
  if (q.kind) query = query.where('h.kind', '=', q.kind);
  return query.orderBy('h.country').orderBy('h.kind').orderBy('h.id').execute();
}

/** Curated entries of `countries` and `kinds`, oldest first. */
export function curatedHelpEntries(db: Executor, countries: string[], kinds: string[]): Promise<HelpEntryRow[]> {
  return db
    .selectFrom('help_entries')
    .selectAll()
    .where('country', 'in', countries)
    .where('status', '=', 'curated')
    .where('kind', 'in', kinds)
    .orderBy('id')
    .execute();
}

/** A new own entry; its uid names the id the insert draws. */
export async function insertHelpEntry(db: Executor, e: Omit<Insertable<HelpEntriesTable>, 'uid'>, uidOf: (id: number) => string): Promise<HelpEntryRow> {
  const row = await db
    .insertInto('help_entries')
    .values({ ...e, uid: `pending:${Math.random()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return db
    .updateTable('help_entries')
    .set({ uid: uidOf(row.id) })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateHelpEntry(db: Executor, id: number, fields: Updateable<HelpEntriesTable>): Promise<HelpEntryRow> {
  return db.updateTable('help_entries').set(fields).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** An entry that is not removed. */
export function liveHelpEntry(db: Executor, id: number): Promise<HelpEntryRow | undefined> {
  return db.selectFrom('help_entries').selectAll().where('id', '=', id).where('status', '!=', 'removed').executeTakeFirst();
}

/** Marks an entry removed (kept, so that peers that received it learn of the removal). */
export async function markHelpEntryRemoved(db: Executor, id: number, at: number): Promise<void> {
  await db.updateTable('help_entries').set({ status: 'removed', updated_at: at }).where('id', '=', id).execute();
}

/** Entries changed after position `since`, each once at its last position, in position order. */
export function helpChangesSince(db: Executor, since: number, limit: number) {
  return db
    .selectFrom('help_log')
    .select(['entry_id', (eb) => eb.fn.max('seq').as('seq')])
    .where('seq', '>', since)
    .groupBy('entry_id')
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export function helpEntriesByIds(db: Executor, ids: number[]): Promise<HelpEntryRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('help_entries').selectAll().where('id', 'in', ids).execute();
}

export function helpEntryByUid(db: Executor, uid: string): Promise<{ id: number; received_from: number | null } | undefined> {
  return db.selectFrom('help_entries').select(['id', 'received_from']).where('uid', '=', uid).executeTakeFirst();
}

/** Updates a received entry (no row returned). */
export async function setHelpEntry(db: Executor, id: number, fields: Updateable<HelpEntriesTable>): Promise<void> {
  await db.updateTable('help_entries').set(fields).where('id', '=', id).execute();
}

/** How many curated entries this node holds from a peer. */
export async function curatedCountFrom(db: Executor, peerId: number): Promise<number> {
  const held = await db
    .selectFrom('help_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('received_from', '=', peerId)
    .where('status', '=', 'curated')
    .executeTakeFirst();
  return Number(held?.n ?? 0);
}

export async function insertReceivedHelpEntry(db: Executor, e: Insertable<HelpEntriesTable>): Promise<void> {
  await db.insertInto('help_entries').values(e).execute();
}
