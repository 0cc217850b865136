/** Series, their content links, victims, support services and referrals. */
import { sql, type Insertable, type Updateable } from 'kysely';
import { AllianceError } from '../errors/catalogue.js';
import type { Series, SeriesTable, SupportService, Victim } from './cases-schema.js';
import { isUniqueViolation, now, onPostgres, runFixed, type Executor, lockFeedLog } from './util.js';

/** A new own series; its uid names the id the insert draws. */
export async function insertSeries(db: Executor, s: Omit<Insertable<SeriesTable>, 'uid'>, uidOf: (id: number) => string): Promise<Series> {
  const row = await db
    .insertInto('series')
    .values({ ...s, uid: `pending:${Math.random()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return db
    .updateTable('series')
    .set({ uid: uidOf(row.id) })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getSeries(db: Executor, id: number): Promise<Series> {
  const s = await db.selectFrom('series').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw new AllianceError('SERIES_NOT_FOUND', `no series ${id}`);
  return s;
}

export async function updateSeries(db: Executor, id: number, fields: Updateable<SeriesTable>): Promise<Series> {
  const s = await db
    .updateTable('series')
    .set({ ...fields, updated_at: now() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!s) throw new AllianceError('SERIES_NOT_FOUND', `no series ${id}`);
  return s;
}

/** Series whose name or uid contains `q` (any case), newest first, with their victim counts. */
export function searchSeries(
  db: Executor,
  q: { text?: string; status?: string; limit: number; offset: number },
): Promise<Array<Series & { victims: number; contents: number }>> {
  let query = db
    .selectFrom('series as s')
    .selectAll('s')
    .select((eb) => [
      eb.selectFrom('victims as v').select(eb.fn.countAll<number>().as('n')).whereRef('v.series_id', '=', 's.id').as('victims'),
      eb.selectFrom('series_content as c').select(eb.fn.countAll<number>().as('n')).whereRef('c.series_id', '=', 's.id').as('contents'),
    ]);
  if (q.text) {
    const like = `%${q.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb(sql`lower(s.name)`, 'like', sql`${like} escape '\\'`), eb(sql`lower(s.uid)`, 'like', sql`${like} escape '\\'`)]));
  }
  if (q.status) query = query.where('s.status', '=', q.status);
  return query.orderBy('s.id', 'desc').limit(q.limit).offset(q.offset).execute() as Promise<Array<Series & { victims: number; contents: number }>>;
}

/** Series named (any case) one of `names`: own series first, then received ones, oldest first. */
export async function seriesNamed(db: Executor, names: string[]): Promise<Series[]> {
  const out: Series[] = [];
  const lower = [...new Set(names.map((n) => n.toLowerCase()))];
  for (let i = 0; i < lower.length; i += 500) {
    const rows = await db
      .selectFrom('series')
      .selectAll()
      .where(sql<string>`lower(name)`, 'in', lower.slice(i, i + 500))
      .orderBy(sql`case when received_from is null then 0 else 1 end`)
      .orderBy('id')
      .execute();
    out.push(...rows);
  }
  return out;
}

export async function linkContent(db: Executor, seriesId: number, contentIds: number[]): Promise<number> {
  if (contentIds.length === 0) return 0;
  const r = await db
    .insertInto('series_content')
    .values(contentIds.map((content_id) => ({ series_id: seriesId, content_id, linked_at: now() })))
    .onConflict((oc) => oc.columns(['series_id', 'content_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

export async function unlinkContent(db: Executor, seriesId: number, contentIds: number[]): Promise<number> {
  if (contentIds.length === 0) return 0;
  const r = await db.deleteFrom('series_content').where('series_id', '=', seriesId).where('content_id', 'in', contentIds).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function contentOfSeries(db: Executor, seriesId: number): Promise<number[]> {
  return (await db.selectFrom('series_content').select('content_id').where('series_id', '=', seriesId).orderBy('content_id').execute()).map(
    (r) => r.content_id,
  );
}

/** The series each content belongs to. */
export type LinkedSeries = Pick<
  Series,
  | 'id'
  | 'uid'
  | 'name'
  | 'status'
  | 'owner_member'
  | 'victim_identified_at'
  | 'offender_identified_at'
  | 'created_at'
  | 'updated_at'
  | 'created_by_import'
  | 'received_from'
> & { victims: number };

const SERIES_COLUMNS = [
  'id',
  'uid',
  'name',
  'status',
  'owner_member',
  'victim_identified_at',
  'offender_identified_at',
  'created_at',
  'updated_at',
  'created_by_import',
  'received_from',
]
  .map((c) => `s.${c}`)
  .join(', ');
// One statement text whatever the number of contents (prepared once: lookups run it).
const SERIES_OF_CONTENTS = {
  sqlite: `select c.content_id, ${SERIES_COLUMNS}, (select count(*) from victims v where v.series_id = s.id) as victims
    from series_content c join series s on s.id = c.series_id where c.content_id in (select value from json_each(?))`,
  postgres: `select c.content_id, ${SERIES_COLUMNS}, (select count(*) from victims v where v.series_id = s.id) as victims
    from series_content c join series s on s.id = c.series_id where c.content_id = any($1::int[])`,
};

export async function seriesOfContents(db: Executor, contentIds: number[]): Promise<Map<number, LinkedSeries[]>> {
  const out = new Map<number, LinkedSeries[]>();
  if (contentIds.length === 0) return out;
  const rows = await runFixed<Omit<LinkedSeries, 'victims'> & { content_id: number; victims: number | null }>(db, SERIES_OF_CONTENTS, [
    onPostgres(db) ? contentIds : JSON.stringify(contentIds),
  ]);
  for (const { content_id, ...s } of rows) {
    const linked = {
      ...s,
      victims: Number(s.victims ?? 0),
      victim_identified_at: nullableNumber(s.victim_identified_at),
      offender_identified_at: nullableNumber(s.offender_identified_at),
      created_at: Number(s.created_at),
      updated_at: Number(s.updated_at),
      created_by_import: Number(s.created_by_import),
    };
    const id = Number(content_id);
    out.set(id, [...(out.get(id) ?? []), linked]);
  }
  return out;
}

const nullableNumber = (v: number | null) => (v === null ? null : Number(v));

export async function insertVictim(db: Executor, v: { uid: string; series_id: number; identified_on: string; identified_by: string }): Promise<Victim> {
  return db
    .insertInto('victims')
    .values({ ...v, created_at: now() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getVictim(db: Executor, id: number): Promise<Victim> {
  const v = await db.selectFrom('victims').selectAll().where('id', '=', id).executeTakeFirst();
  if (!v) throw new AllianceError('VICTIM_NOT_FOUND', `no victim record ${id}`);
  return v;
}

export function victimsOfSeries(db: Executor, seriesId: number): Promise<Victim[]> {
  return db.selectFrom('victims').selectAll().where('series_id', '=', seriesId).orderBy('id').execute();
}

export async function insertReferral(db: Executor, r: { victim_id: number; service_id: number; referred_on: string; referred_by: string }): Promise<void> {
  await db
    .insertInto('referrals')
    .values({ ...r, created_at: now() })
    .execute();
}

export function referralsOfVictims(
  db: Executor,
  victimIds: number[],
): Promise<Array<{ victim_id: number; service: string; country: string; referred_on: string; referred_by: string }>> {
  if (victimIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('referrals as r')
    .innerJoin('support_services as s', 's.id', 'r.service_id')
    .select(['r.victim_id', 's.name as service', 's.country', 'r.referred_on', 'r.referred_by'])
    .where('r.victim_id', 'in', victimIds)
    .orderBy('r.id')
    .execute();
}

export async function insertService(
  db: Executor,
  s: { country: string; name: string; kind: string; contact: string; languages: string[]; hours: string | null },
): Promise<SupportService> {
  try {
    return await db
      .insertInto('support_services')
      .values({ ...s, languages: JSON.stringify(s.languages), created_at: now() })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('SERVICE_INVALID', `${s.country} already lists a service named "${s.name}"`);
    throw err;
  }
}

export async function getService(db: Executor, id: number): Promise<SupportService> {
  const s = await db.selectFrom('support_services').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw new AllianceError('SERVICE_NOT_FOUND', `no support service ${id}`);
  return s;
}

export function listServices(db: Executor, country?: string): Promise<SupportService[]> {
  let q = db.selectFrom('support_services').selectAll();
  if (country) q = q.where('country', '=', country);
  return q.orderBy('country').orderBy('name').execute();
}

/** Notes a change to an own series for the peers' series feed. */
export async function logSeries(db: Executor, seriesId: number): Promise<void> {
  await lockFeedLog(db, 'series_log');
  await db.insertInto('series_log').values({ series_id: seriesId, at: now() }).execute();
}

/** Own series changed after position `since`, each once at its latest position, in order. */
export async function seriesChangedSince(db: Executor, since: number, limit: number): Promise<Array<{ seq: number; series: Series; victims: Victim[] }>> {
  const rows = await db
    .selectFrom('series_log')
    .select(['series_id', (eb) => eb.fn.max('seq').as('seq')])
    .where('seq', '>', since)
    .groupBy('series_id')
    .orderBy('seq')
    .limit(limit)
    .execute();
  const out: Array<{ seq: number; series: Series; victims: Victim[] }> = [];
  for (const r of rows) {
    const series = await db.selectFrom('series').selectAll().where('id', '=', r.series_id).where('received_from', 'is', null).executeTakeFirst();
    if (series) out.push({ seq: Number(r.seq), series, victims: await victimsOfSeries(db, series.id) });
  }
  return out;
}

export async function seriesCheckpoint(db: Executor, peerId: number): Promise<number> {
  return Number((await db.selectFrom('series_checkpoints').select('checkpoint').where('peer_id', '=', peerId).executeTakeFirst())?.checkpoint ?? 0);
}

export async function setSeriesCheckpoint(db: Executor, peerId: number, checkpoint: number | null, error: string | null): Promise<void> {
  const t = now();
  const current = await seriesCheckpoint(db, peerId);
  await db
    .insertInto('series_checkpoints')
    .values({ peer_id: peerId, checkpoint: checkpoint ?? current, last_success_at: error ? null : t, last_error: error })
    .onConflict((oc) =>
      oc.column('peer_id').doUpdateSet(error ? { last_error: error } : { checkpoint: checkpoint ?? current, last_success_at: t, last_error: null }),
    )
    .execute();
}
