/** Small helpers shared by the repositories. */
import { CompiledQuery, PostgresAdapter, sql } from 'kysely';
import type { Db, Tx } from './database.js';

export type Executor = Db | Tx;

export const now = (): number => Date.now();

/**
 * One turn of the event loop. better-sqlite3 runs every statement synchronously, so a bulk write
 * of thousands of statements would hold HTTP for seconds: long loops of statements take a turn
 * every few (the transaction stays open; requests that need no write answer meanwhile).
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether a driver error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === '23505' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Whether `db` runs on PostgreSQL (where concurrent transactions need explicit locks SQLite's single writer gives for free). */
export function onPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** A fixed statement's text on each engine: `?` placeholders on SQLite, `$1…` on PostgreSQL. */
export interface FixedQuery {
  sqlite: string;
  postgres: string;
}

/**
 * Runs a fixed statement on `db` (a transaction too) without Kysely building and compiling it:
 * hot write paths (submissions), where building the query cost more than SQLite running it.
 * SQLite prepares each text once (database.ts keeps prepared statements by text).
 */
export async function runFixed<T>(db: Executor, query: FixedQuery, params: readonly unknown[]): Promise<T[]> {
  return (await db.executeQuery<T>(CompiledQuery.raw(onPostgres(db) ? query.postgres : query.sqlite, [...params]))).rows as T[];
}

/** The same statement on both engines: `?` placeholders numbered `$1…` for PostgreSQL (prepared there). */
export function fixedQuery(text: string): FixedQuery {
  let n = 0;
  return { sqlite: text, postgres: prepared(text.replace(/\?/g, () => `$${++n}`)) };
}

/** PostgreSQL texts sent as named prepared statements, by text (database.ts): name by text. */
const preparedNames = new Map<string, string>();

/**
 * `text`, to be sent on PostgreSQL as a named prepared statement: parsed once a connection, and
 * planned once when a generic plan costs no more than one for the values (PostgreSQL's
 * plan_cache_mode auto) — for the fixed statements of hot paths, where planning each time cost
 * as much as running (measured on a submission group's statements). Texts only, never built
 * from values (each one named stays prepared on every connection).
 */
export function prepared(text: string): string {
  if (!preparedNames.has(text)) preparedNames.set(text, `alliance_${preparedNames.size + 1}`);
  return text;
}

/** The name a text was prepared under (prepared), if it was. */
export function preparedName(text: string): string | undefined {
  return preparedNames.get(text);
}

/**
 * Call in a transaction before appending to a log that peers read by position (series, targets,
 * help directory). On PostgreSQL a transaction that drew position 11 could commit before the one
 * holding 10, and a peer that read 11 would skip 10 for ever; this lock makes writers of one log
 * draw and commit one after another (SQLite has one writer anyway).
 */
export async function lockFeedLog(db: Executor, log: 'series_log' | 'case_targets' | 'help_log'): Promise<void> {
  if (onPostgres(db)) await sql`select pg_advisory_xact_lock(hashtext(${`alliance-feed:${log}`}))`.execute(db);
}
