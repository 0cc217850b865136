/** Series received over the federation (kept as their owner describes them) and the victim counts. */
import type { Insertable, Updateable } from 'kysely';
import type { SeriesTable } from './cases-schema.js';
import type { Executor } from './util.js';

export function seriesByUid(db: Executor, uid: string): Promise<{ id: number; received_from: number | null } | undefined> {
  return db.selectFrom('series').select(['id', 'received_from']).where('uid', '=', uid).executeTakeFirst();
}

export async function setReceivedSeries(db: Executor, id: number, fields: Updateable<SeriesTable>): Promise<void> {
  await db.updateTable('series').set(fields).where('id', '=', id).execute();
}

/** A series received from a peer; its id. */
export async function insertReceivedSeries(db: Executor, s: Insertable<SeriesTable>): Promise<number> {
  return (await db.insertInto('series').values(s).returning('id').executeTakeFirstOrThrow()).id;
}

export async function victimUidsOf(db: Executor, seriesId: number): Promise<string[]> {
  return (await db.selectFrom('victims').select('uid').where('series_id', '=', seriesId).execute()).map((v) => v.uid);
}

export async function deleteVictimsOf(db: Executor, seriesId: number, uids: string[]): Promise<void> {
  if (uids.length) await db.deleteFrom('victims').where('series_id', '=', seriesId).where('uid', 'in', uids).execute();
}

/** Victims received with a series; a uid already known is kept (counted once, wherever it came from first). */
export async function insertReceivedVictims(
  db: Executor,
  seriesId: number,
  victims: Array<{ uid: string; identified_on: string; identified_by: string }>,
  at: number,
): Promise<void> {
  if (victims.length === 0) return;
  await db
    .insertInto('victims')
    .values(victims.map((v) => ({ uid: v.uid, series_id: seriesId, identified_on: v.identified_on, identified_by: v.identified_by, created_at: at })))
    .onConflict((oc) => oc.column('uid').doNothing())
    .execute();
}

/** Victims of own series, distinct victim uids known, own and received series. */
export async function victimCounts(db: Executor): Promise<{ own: number; alliance: number; ownSeries: number; received: number }> {
  const n = async (q: Promise<{ n: number | string | bigint } | undefined>) => Number((await q)?.n ?? 0);
  const own = await n(
    db
      .selectFrom('victims as v')
      .innerJoin('series as s', 's.id', 'v.series_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('s.received_from', 'is', null)
      .executeTakeFirst(),
  );
  const alliance = await n(
    db
      .selectFrom('victims')
      .select((eb) => eb.fn.count<number>('uid').distinct().as('n'))
      .executeTakeFirst(),
  );
  const ownSeries = await n(
    db
      .selectFrom('series')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('received_from', 'is', null)
      .executeTakeFirst(),
  );
  const received = await n(
    db
      .selectFrom('series')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('received_from', 'is not', null)
      .executeTakeFirst(),
  );
  return { own, alliance, ownSeries, received };
}
