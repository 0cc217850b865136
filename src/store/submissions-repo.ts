/** Submissions (hashes and context of what a platform checked), their signals, and the review queue. */
import { CompiledQuery, sql } from 'kysely';
import { AllianceError } from '../errors/catalogue.js';
import type { ReviewItem, Submission, SubmissionsTable } from './actions-schema.js';
import type { Insertable } from 'kysely';
import { fixedQuery, now, onPostgres, prepared, runFixed, type Executor } from './util.js';
import { deferToGroupEnd, flushDeferred, heldLocks, type Carried, type GroupDeferral } from './group-commit.js';
import type { Tx } from './database.js';
import { contextOfRecord, matchContextsJson, type MatchContext, type MatchContextRow } from './match-repo.js';
import { RULES_VERSION, rulesVersionRead } from './rules-repo.js';

// The submission path's statements, fixed (store/util.ts runFixed): one per submission each.
const SUBMISSION_COLUMNS = [
  'member_id',
  'source',
  'external_id',
  'url',
  'ip',
  'account',
  'uploaded_at',
  'received_at',
  'signals',
  'matches',
  'decision',
  'actions',
  'reupload_of',
] as const satisfies ReadonlyArray<keyof Insertable<SubmissionsTable>>;
const INSERT_SUBMISSION = fixedQuery(
  `insert into submissions (${SUBMISSION_COLUMNS.join(', ')}) values (${SUBMISSION_COLUMNS.map(() => '?').join(', ')}) returning *`,
);
const INSERT_SUBMISSION_SIGNAL = fixedQuery('insert into submission_signals (submission_id, signal_type, value_key, value) values (?, ?, ?, ?)');
const INSERT_SUBMISSION_CONTENT = fixedQuery(
  'insert into submission_contents (signal_type, value_key, first_submission) values (?, ?, ?) on conflict (signal_type, value_key) do nothing',
);
const EARLIER_SUBMISSION = fixedQuery(
  `select c.first_submission as id, r.status from submission_contents c left join review_items r on r.id = c.review_item
   where c.signal_type = ? and c.value_key = ?`,
);
// PostgreSQL: a submission of one signal, its signal and its content row in one round trip (with
// the id its group drew, or one from the sequence).
const oneSignalSubmission = (withId: boolean) => {
  const columns = withId ? ['id', ...SUBMISSION_COLUMNS] : SUBMISSION_COLUMNS;
  const P = columns.length;
  return `with s as (insert into submissions (${columns.join(', ')})
    values (${columns.map((_, i) => `$${i + 1}`).join(', ')}) returning *),
  g as (insert into submission_signals (submission_id, signal_type, value_key, value) select id, $${P + 1}, $${P + 2}, $${P + 3} from s),
  c as (insert into submission_contents (signal_type, value_key, first_submission) select $${P + 1}, $${P + 2}, id from s
    on conflict (signal_type, value_key) do nothing)
  select * from s`;
};
const INSERT_ONE_SIGNAL_SUBMISSION = prepared(oneSignalSubmission(false));
const INSERT_ONE_SIGNAL_SUBMISSION_WITH_ID = prepared(oneSignalSubmission(true));
const INSERT_SUBMISSION_WITH_ID = prepared(`insert into submissions (id, ${SUBMISSION_COLUMNS.join(', ')})
  values (${['id', ...SUBMISSION_COLUMNS].map((_, i) => `$${i + 1}`).join(', ')}) returning *`);
const SET_CONTENT_REVIEW = fixedQuery('update submission_contents set review_item = ? where signal_type = ? and value_key = ? and review_item is null');
const CONTENT_KEY_LOCK = fixedQuery('select pg_advisory_xact_lock(hashtext(?))');
const CONTENT_KEY_LOCKS = prepared('select pg_advisory_xact_lock(hashtext(k)) from unnest($1::text[]) as k');
// A group's locks and its writes' submission ids (one each, in the group's order), in one round trip.
// The group's statements read their array (and count) parameters through a subquery, `(select $1)`:
// a plan that knows a value's length looks cheaper than the generic one, so PostgreSQL would plan
// each run for its lengths; this way one generic plan a connection serves every group (prepared).
const GROUP_LOCKS_AND_IDS = prepared(`select (select count(pg_advisory_xact_lock(hashtext(k))) from unnest((select $1::text[])) as k) as locked,
  array(select nextval(pg_get_serial_sequence('submissions', 'id')) from generate_series(1, (select $2::int))) as ids`);
/** The submission ids a group drew at its start, taken in order by its writes (PostgreSQL). */
const groupIds = new WeakMap<Tx, number[]>();

/**
 * A group's submissions whose rows nothing in the group refers to (no review item), inserted at
 * the group's end in one statement — submissions, their signals and their contents, in the
 * group's order (a content's first submission is the group's first of it, as one by one) —
 * instead of one statement each. Their ids were drawn at the group's start, so each write knows
 * its own (the answer, the audit entry) before its row is written.
 */
const INSERT_SUBMISSIONS = `s as (insert into submissions (id, ${SUBMISSION_COLUMNS.join(', ')})
    select * from unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[],
      $10::text[], $11::text[], $12::text[], $13::text[], $14::int[])),
  g as (insert into submission_signals (submission_id, signal_type, value_key, value)
    select * from unnest($15::int[], $16::text[], $17::text[], $18::text[])),
  c as (insert into submission_contents (signal_type, value_key, first_submission)
    select * from unnest($16::text[], $17::text[], $15::int[]) on conflict (signal_type, value_key) do nothing)`;
const INSERT_SUBMISSIONS_ALONE = prepared(`with ${INSERT_SUBMISSIONS} select null`);
type PendingSubmission = { row: Submission; signals: Array<{ signal_type: string; value_key: string; value: string }> };
/** The insert of `items`, as `with` items (sent alone, or with the audit chain's head read: GroupDeferral.carries). */
function insertPending(items: PendingSubmission[]): Carried {
  const columns = ['id', ...SUBMISSION_COLUMNS] as const;
  const params: unknown[][] = columns.map((c) => items.map((p) => p.row[c] ?? null));
  const signals = items.flatMap((p) => p.signals.map((x) => ({ id: p.row.id, ...x })));
  params.push(
    signals.map((x) => x.id),
    signals.map((x) => x.signal_type),
    signals.map((x) => x.value_key),
    signals.map((x) => x.value),
  );
  return { ctes: INSERT_SUBMISSIONS, params };
}
const pendingSubmissions: GroupDeferral<PendingSubmission> = {
  async flush(tx, items) {
    await tx.executeQuery(CompiledQuery.raw(INSERT_SUBMISSIONS_ALONE, insertPending(items).params));
  },
  carries: (_tx, items) => insertPending(items),
};

/** The lock key of a content signal (PostgreSQL advisory locks: see earlierSubmission). */
export const contentLockKey = (k: { signal_type: string; value_key: string }) => `${k.signal_type}:${k.value_key}`;

/** Locks content keys for the rest of the transaction, in the order given (one statement: a group's at its start). */
async function lockContentKeys(tx: Executor, keys: string[]): Promise<void> {
  await tx.executeQuery(CompiledQuery.raw(CONTENT_KEY_LOCKS, [keys]));
}

/** What a group read of its contents at its start, kept up to date by its writes: by lock key, null when the content is new. */
type Known = Map<string, { id: number; status: string | null } | null>;
const groupContents = new WeakMap<Tx, Known>();
/** What a group read at its start for its writes: the match contexts of the signals they hit, and the action rules' version. */
const groupReads = new WeakMap<Tx, { contexts: Map<number, MatchContext>; rulesVersion: string | undefined }>();
/**
 * After the group's locks: what is known of its contents, the match contexts of the signals its
 * writes hit, and the rules' version, in one statement (JSON arrays: one row of three columns).
 */
const GROUP_READS = prepared(`select
  (select coalesce(json_agg(k), '[]'::json) from (
    select c.signal_type, c.value_key, c.first_submission as id, r.status
    from submission_contents c left join review_items r on r.id = c.review_item
    where (c.signal_type, c.value_key) in (select * from unnest((select $1::text[]), (select $2::text[])))) k) as contents,
  ${matchContextsJson('(select $3::int[])')} as contexts,
  (${rulesVersionRead('$4')}) as rules_version`);

/**
 * PostgreSQL, at a group's start (GroupCommit's `start`): locks the contents its writes declared
 * and draws their submission ids, then reads in one more statement (after the locks, so what a
 * group that held them committed is seen) what is known of those contents, the match contexts of
 * the signals the writes hit (reads) and the rules' version — so a write's earlierSubmission,
 * its lookup's settle and its rules need no statement of their own. A group run again with
 * savepoints (a write failed) only locks, and each write reads for itself: a write rolled back
 * would leave its content in what was read.
 */
export async function startSubmissionGroup(tx: Tx, start: { keys: string[]; reads: number[]; savepoints: boolean; writes: number }): Promise<void> {
  const { keys, reads, savepoints, writes } = start;
  if (savepoints) return lockContentKeys(tx, keys);
  const [drawn] = (await tx.executeQuery<{ ids: Array<number | string> }>(CompiledQuery.raw(GROUP_LOCKS_AND_IDS, [keys, writes]))).rows;
  groupIds.set(tx, drawn.ids.map(Number));
  const split = keys.map((k) => [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)]);
  const [row] = (
    await tx.executeQuery<{
      contents: Array<{ signal_type: string; value_key: string; id: number; status: string | null }>;
      contexts: MatchContextRow[];
      rules_version: string | null;
    }>(CompiledQuery.raw(GROUP_READS, [split.map((k) => k[0]), split.map((k) => k[1]), reads, RULES_VERSION]))
  ).rows;
  const known: Known = new Map(keys.map((k) => [k, null]));
  for (const r of row.contents) known.set(contentLockKey(r), { id: Number(r.id), status: r.status });
  groupContents.set(tx, known);
  groupReads.set(tx, {
    contexts: new Map(row.contexts.map((r) => [Number(r.signal_id), contextOfRecord(r)])),
    rulesVersion: row.rules_version ?? undefined,
  });
}

/**
 * In a group that read them at its start (PostgreSQL, without savepoints): the match contexts of
 * every signal its writes declared (one absent was deleted since the write's query). Otherwise
 * undefined: the write reads its own.
 */
export function groupMatchContexts(tx: Tx): ReadonlyMap<number, MatchContext> | undefined {
  return groupReads.get(tx)?.contexts;
}

/** In a group that read it at its start: the action rules' version then (`{ version: undefined }` before any change). */
export function groupRulesVersion(tx: Tx): { version: string | undefined } | undefined {
  const r = groupReads.get(tx);
  return r && { version: r.rulesVersion };
}

const REVIEW_COLUMNS = ['submission_id', 'priority', 'reasons', 'pending_actions', 'media_type', 'media_stored', 'status', 'created_at'] as const;
const INSERT_REVIEW_ITEM = fixedQuery(
  `insert into review_items (${REVIEW_COLUMNS.join(', ')}) values (${REVIEW_COLUMNS.map(() => '?').join(', ')}) returning *`,
);

/**
 * Stores a submission with its signals (and its content's first submission, if it is the first).
 * `referred`: something in the transaction will refer to the row (a review item) — in a group on
 * PostgreSQL the others are inserted together at the group's end (pendingSubmissions), and those
 * deferred so far go first when one is referred to, so rows are written in the group's order.
 */
export async function insertSubmission(
  db: Executor,
  s: Insertable<SubmissionsTable>,
  signals: Array<{ signal_type: string; value_key: string; value: string }>,
  referred = true,
): Promise<Submission> {
  const values = SUBMISSION_COLUMNS.map((c) => s[c] ?? null);
  let row: Submission;
  const ids = groupIds.get(db as Tx);
  const id = ids?.shift();
  if (id !== undefined && !referred) {
    row = { id, ...Object.fromEntries(SUBMISSION_COLUMNS.map((c, i) => [c, values[i]])) } as Submission;
    if (!deferToGroupEnd(db as Tx, pendingSubmissions, { row, signals })) throw new Error('a drawn submission id outside its group');
  } else if (id !== undefined) {
    await flushDeferred(db as Tx, pendingSubmissions);
    row = await insertOne(db, id, values, signals);
  } else if (signals.length === 1 && onPostgres(db)) {
    const x = signals[0];
    row = (await db.executeQuery<Submission>(CompiledQuery.raw(INSERT_ONE_SIGNAL_SUBMISSION, [...values, x.signal_type, x.value_key, x.value]))).rows[0];
  } else {
    [row] = await runFixed<Submission>(db, INSERT_SUBMISSION, values);
    for (const x of signals) {
      await runFixed(db, INSERT_SUBMISSION_SIGNAL, [row.id, x.signal_type, x.value_key, x.value]);
      // The content's first submission, unless an earlier one is known.
      await runFixed(db, INSERT_SUBMISSION_CONTENT, [x.signal_type, x.value_key, row.id]);
    }
  }
  // What the group read of its contents follows: a new content's first submission is this one.
  const known = groupContents.get(db as Tx);
  if (known) for (const x of signals) if (known.get(contentLockKey(x)) === null) known.set(contentLockKey(x), { id: row.id, status: null });
  return row;
}

/** PostgreSQL: one submission with the id its group drew for it. */
async function insertOne(db: Executor, id: number, values: unknown[], signals: PendingSubmission['signals']): Promise<Submission> {
  if (signals.length === 1) {
    const x = signals[0];
    return (await db.executeQuery<Submission>(CompiledQuery.raw(INSERT_ONE_SIGNAL_SUBMISSION_WITH_ID, [id, ...values, x.signal_type, x.value_key, x.value])))
      .rows[0];
  }
  const [row] = (await db.executeQuery<Submission>(CompiledQuery.raw(INSERT_SUBMISSION_WITH_ID, [id, ...values]))).rows;
  for (const x of signals) {
    await runFixed(db, INSERT_SUBMISSION_SIGNAL, [row.id, x.signal_type, x.value_key, x.value]);
    await runFixed(db, INSERT_SUBMISSION_CONTENT, [x.signal_type, x.value_key, row.id]);
  }
  return row;
}

export async function getSubmission(db: Executor, id: number): Promise<Submission> {
  const s = await db.selectFrom('submissions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw new AllianceError('NOT_FOUND', `no submission ${id}`);
  return s;
}

/**
 * What is known of earlier submissions with one of these exact signals: the first of them (what
 * a re-upload repeats) and the verdict of the review the content had, if any (a confirmed one
 * wins over any other). One row a signal (submission_contents), however often the content came.
 */
export async function earlierSubmission(
  db: Executor,
  keys: Array<{ signal_type: string; value_key: string }>,
): Promise<{ id: number; review: 'pending' | 'confirmed' | 'rejected' | null } | undefined> {
  if (keys.length === 0) return undefined;
  // Two uploads of the same new content at once must not both see "never seen" (PostgreSQL:
  // a lock per content key, held to the end of the caller's transaction, taken in one order).
  if (onPostgres(db)) {
    // Those its group took already are held (GroupCommit.run's locks).
    const held = heldLocks(db as Tx);
    for (const key of keys.map(contentLockKey).sort()) if (!held?.has(key)) await runFixed(db, CONTENT_KEY_LOCK, [key]);
  }
  const known = groupContents.get(db as Tx);
  const rows =
    known && keys.every((k) => known.has(contentLockKey(k)))
      ? keys.flatMap((k) => known.get(contentLockKey(k)) ?? [])
      : keys.length === 1
        ? await runFixed<{ id: number; status: string | null }>(db, EARLIER_SUBMISSION, [keys[0].signal_type, keys[0].value_key])
        : await earlierRows(db, keys);
  if (rows.length === 0) return undefined;
  const statuses = new Set(rows.map((r) => r.status));
  const review = statuses.has('confirmed') ? 'confirmed' : statuses.has('pending') ? 'pending' : statuses.has('rejected') ? 'rejected' : null;
  return { id: Math.min(...rows.map((r) => Number(r.id))), review };
}

function earlierRows(db: Executor, keys: Array<{ signal_type: string; value_key: string }>) {
  return db
    .selectFrom('submission_contents as c')
    .leftJoin('review_items as r', 'r.id', 'c.review_item')
    .select(['c.first_submission as id', 'r.status'])
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('c.signal_type', '=', k.signal_type), eb('c.value_key', '=', k.value_key)]))))
    .execute();
}

/** The content's review from now on, for those of its signals that had none (a content is reviewed once: see earlierSubmission). */
export async function setContentReview(db: Executor, reviewId: number, keys: Array<{ signal_type: string; value_key: string }>): Promise<void> {
  const known = groupContents.get(db as Tx);
  for (const k of keys) {
    await runFixed(db, SET_CONTENT_REVIEW, [reviewId, k.signal_type, k.value_key]);
    const c = known?.get(contentLockKey(k));
    if (c && c.status === null) c.status = 'pending'; // a new review waits
  }
}

export async function insertReviewItem(
  db: Executor,
  r: { submission_id: number; priority: number; reasons: string; pending_actions: string; media_type: string | null; media_stored: number },
): Promise<ReviewItem> {
  const row: Record<(typeof REVIEW_COLUMNS)[number], unknown> = { ...r, status: 'pending', created_at: now() };
  const [item] = await runFixed<ReviewItem>(
    db,
    INSERT_REVIEW_ITEM,
    REVIEW_COLUMNS.map((c) => row[c]),
  );
  return item;
}

export async function getReviewItem(db: Executor, id: number): Promise<ReviewItem> {
  const r = await db.selectFrom('review_items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new AllianceError('REVIEW_NOT_FOUND', `no review item ${id}`);
  return r;
}

/** What of its submission a review item is shown with. */
export type ReviewContextColumns = Pick<Submission, 'source' | 'received_at' | 'signals' | 'url' | 'ip' | 'account' | 'external_id' | 'reupload_of'>;

/**
 * When each content was first submitted here and how many re-uploads of it came since, by the id
 * of its first submission (a re-upload points at the first: see earlierSubmission).
 */
export async function sightings(db: Executor, firstIds: number[]): Promise<Map<number, { first_seen: number; reuploads: number }>> {
  const out = new Map<number, { first_seen: number; reuploads: number }>();
  if (firstIds.length === 0) return out;
  const firsts = await db.selectFrom('submissions').select(['id', 'received_at']).where('id', 'in', firstIds).execute();
  const counts = await db
    .selectFrom('submissions')
    .select(['reupload_of', (eb) => eb.fn.countAll<number>().as('n')])
    .where('reupload_of', 'in', firstIds)
    .groupBy('reupload_of')
    .execute();
  for (const f of firsts) out.set(f.id, { first_seen: f.received_at, reuploads: 0 });
  for (const c of counts) if (c.reupload_of !== null && out.has(c.reupload_of)) out.get(c.reupload_of)!.reuploads = Number(c.n);
  return out;
}

/** The queue: pending first by priority then age; decided ones after, newest first. */
export function listReviewItems(
  db: Executor,
  status: 'pending' | 'decided' | 'all',
  limit: number,
  offset: number,
): Promise<Array<ReviewItem & ReviewContextColumns>> {
  let q = db
    .selectFrom('review_items as r')
    .innerJoin('submissions as s', 's.id', 'r.submission_id')
    .selectAll('r')
    .select(['s.source', 's.received_at', 's.signals', 's.url', 's.ip', 's.account', 's.external_id', 's.reupload_of']);
  if (status === 'pending') q = q.where('r.status', '=', 'pending').orderBy('r.priority').orderBy('r.created_at').orderBy('r.id');
  else {
    if (status === 'decided') q = q.where('r.status', '!=', 'pending');
    q = q
      .orderBy(sql`case when r.status = 'pending' then 0 else 1 end`)
      .orderBy('r.priority')
      .orderBy('r.id');
  }
  return q.limit(limit).offset(offset).execute();
}

export async function countPending(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('review_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Sets the verdict if the item is still pending; false if someone decided first. */
export async function decideReviewItem(db: Executor, id: number, status: 'confirmed' | 'rejected', by: string, note: string | null): Promise<boolean> {
  const r = await db
    .updateTable('review_items')
    .set({ status, decided_at: now(), decided_by: by, verdict_note: note, media_stored: 0 })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Pending items whose media is older than `before`: their media goes (the hashes stay). */
export async function expireReviewMedia(db: Executor, before: number): Promise<number[]> {
  const rows = await db.selectFrom('review_items').select('id').where('media_stored', '=', 1).where('created_at', '<', before).execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  await db.updateTable('review_items').set({ media_stored: 0 }).where('id', 'in', ids).execute();
  return ids;
}

/** Counts one reveal of media by `actor` today (UTC); returns today's count. */
export async function countReveal(db: Executor, actor: string, day: string): Promise<number> {
  await db
    .insertInto('review_exposure')
    .values({ actor, day, reveals: 1 })
    .onConflict((oc) => oc.columns(['actor', 'day']).doUpdateSet({ reveals: sql`review_exposure.reveals + 1` }))
    .execute();
  return exposure(db, actor, day);
}

export async function exposure(db: Executor, actor: string, day: string): Promise<number> {
  const r = await db.selectFrom('review_exposure').select('reveals').where('actor', '=', actor).where('day', '=', day).executeTakeFirst();
  return r?.reveals ?? 0;
}

/** After the vault failed to keep a review's media: the review goes on from the hashes. */
export async function markMediaNotStored(db: Executor, reviewId: number): Promise<void> {
  await db.updateTable('review_items').set({ media_stored: 0 }).where('id', '=', reviewId).execute();
}

/** The review item of a submission, if it has one. */
export function reviewOfSubmission(db: Executor, submissionId: number): Promise<{ id: number } | undefined> {
  return db.selectFrom('review_items').select('id').where('submission_id', '=', submissionId).executeTakeFirst();
}

/** Replaces a submission's matches (JSON). */
export async function setSubmissionMatches(db: Executor, id: number, matches: string): Promise<void> {
  await db.updateTable('submissions').set({ matches }).where('id', '=', id).execute();
}

/** Those of `ids` whose review still keeps its media. */
export async function reviewsWithMedia(db: Executor, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('review_items').select('id').where('media_stored', '=', 1).where('id', 'in', ids).execute()).map((r) => r.id);
}

/** Submissions received in [from, to), each with its review (if any): the action metrics' input. */
export function submissionsWithReviews(db: Executor, from: number, to: number) {
  return db
    .selectFrom('submissions as s')
    .leftJoin('review_items as r', 'r.submission_id', 's.id')
    .select([
      's.id',
      's.uploaded_at',
      's.received_at',
      's.decision',
      's.matches',
      's.reupload_of',
      'r.id as review_id',
      'r.status as review_status',
      'r.created_at as review_created',
      'r.decided_at',
    ])
    .where('s.received_at', '>=', from)
    .where('s.received_at', '<', to)
    .execute();
}

/** The submitted signals of one type of submissions after `afterId`, in id order, with when each submission was received. */
export function submissionSignalsAfter(
  db: Executor,
  signalType: string,
  afterId: number,
  limit: number,
): Promise<Array<{ submission_id: number; value: string; received_at: number }>> {
  return db
    .selectFrom('submission_signals as ss')
    .innerJoin('submissions as s', 's.id', 'ss.submission_id')
    .select(['ss.submission_id', 'ss.value', 's.received_at'])
    .where('ss.signal_type', '=', signalType)
    .where('ss.submission_id', '>', afterId)
    .orderBy('ss.submission_id')
    .limit(limit)
    .execute();
}

/** Submissions received before `before` that carried this signal value (by its key). */
export function submissionsWithValue(db: Executor, signalType: string, valueKey: string, before: number): Promise<Array<{ submission_id: number }>> {
  return db
    .selectFrom('submission_signals as ss')
    .innerJoin('submissions as s', 's.id', 'ss.submission_id')
    .select('ss.submission_id')
    .where('ss.signal_type', '=', signalType)
    .where('ss.value_key', '=', valueKey)
    .where('s.received_at', '<', before)
    .execute();
}

/** The newest `limit` submissions' source and recorded matches (JSON), newest first: what a rule's dry run is evaluated against. */
export function latestSubmissionMatches(db: Executor, limit: number): Promise<Array<{ id: number; source: string; matches: string }>> {
  return db.selectFrom('submissions').select(['id', 'source', 'matches']).orderBy('id', 'desc').limit(limit).execute();
}
