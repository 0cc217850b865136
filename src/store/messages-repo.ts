/** Awareness messages: versions per context, audience and language, drafted then reviewed. */
import type { MessageRow } from './reporting-schema.js';
import type { Executor } from './util.js';

/** Every version in `language`, newest first. */
export function messagesIn(db: Executor, language: string): Promise<MessageRow[]> {
  return db.selectFrom('messages').selectAll().where('language', '=', language).orderBy('version', 'desc').execute();
}

/** The languages that have any version, in order. */
export async function messageLanguages(db: Executor): Promise<string[]> {
  return (await db.selectFrom('messages').select('language').distinct().orderBy('language').execute()).map((r) => r.language);
}

/** Which context, audience and language among `languages` have an approved version. */
export function approvedKeys(db: Executor, languages: string[]): Promise<Array<{ context: string; audience: string; language: string }>> {
  return db.selectFrom('messages').select(['context', 'audience', 'language']).where('language', 'in', languages).where('status', '=', 'approved').execute();
}

/** Every version of one message, newest first. */
export function messageVersions(db: Executor, context: string, audience: string, language: string): Promise<MessageRow[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('context', '=', context)
    .where('audience', '=', audience)
    .where('language', '=', language)
    .orderBy('version', 'desc')
    .execute();
}

/** The highest version number of one message (0 when it has none). */
export async function lastMessageVersion(db: Executor, context: string, audience: string, language: string): Promise<number> {
  const last = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('context', '=', context)
    .where('audience', '=', audience)
    .where('language', '=', language)
    .executeTakeFirst();
  return Number(last?.v ?? 0);
}

export function insertMessageDraft(
  db: Executor,
  m: { context: string; audience: string; language: string; version: number; title: string; body: string; author: string; created_at: number },
): Promise<MessageRow> {
  return db
    .insertInto('messages')
    .values({ ...m, status: 'draft', reviewed_by: null, reviewed_at: null, review_note: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function getMessage(db: Executor, id: number): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Decides a draft; undefined when it is no longer a draft (decided by someone else meanwhile). */
export function decideMessage(
  db: Executor,
  id: number,
  d: { status: 'approved' | 'rejected'; reviewed_by: string; reviewed_at: number; review_note: string | null },
): Promise<MessageRow | undefined> {
  return db.updateTable('messages').set(d).where('id', '=', id).where('status', '=', 'draft').returningAll().executeTakeFirst();
}

/** The approved versions of one message in any of `languages`, newest first. */
export function approvedVersions(db: Executor, context: string, audience: string, languages: string[]): Promise<MessageRow[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('context', '=', context)
    .where('audience', '=', audience)
    .where('language', 'in', languages)
    .where('status', '=', 'approved')
    .orderBy('version', 'desc')
    .execute();
}
