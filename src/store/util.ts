/** Small helpers shared by the repositories. */
import { PostgresAdapter, sql } from 'kysely';
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

/**
 * Call in a transaction before appending to a log that peers read by position (series, targets,
 * help directory). On PostgreSQL a transaction that drew position 11 could commit before the one
 * holding 10, and a peer that read 11 would skip 10 for ever; this lock makes writers of one log
 * draw and commit one after another (SQLite has one writer anyway).
 */
export async function lockFeedLog(db: Executor, log: 'series_log' | 'case_targets' | 'help_log'): Promise<void> {
  if (onPostgres(db)) await sql`select pg_advisory_xact_lock(hashtext(${`alliance-feed:${log}`}))`.execute(db);
}
