/**
 * Multi-row inserts without the query builder: the statement text for (table, columns, rows) is
 * built once and reused (SQLite keeps it prepared), the values are passed as they are. Bulk
 * imports and syncs insert millions of rows; building and compiling each 400-row insert through
 * Kysely cost as much as SQLite spent writing them.
 */
import { CompiledQuery } from 'kysely';
import type { DialectName } from './database.js';
import { nextTurn, type Executor } from './util.js';

const ROWS = 400;
const texts = new Map<string, string>();

function insertText(dialect: DialectName, table: string, columns: readonly string[], rows: number): string {
  const key = `${dialect} ${table} ${columns.join(',')} ${rows}`;
  let text = texts.get(key);
  if (!text) {
    let n = 0;
    const row = () => `(${columns.map(() => (dialect === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows }, row).join(', ')}`;
    texts.set(key, text);
  }
  return text;
}

/** Statements between two turns of the event loop: better-sqlite3 runs synchronously, so a long import would hold HTTP. */
const YIELD_EVERY = 8;

/** Inserts `rows` (values in `columns` order) in statements of up to 400 rows. */
export async function insertRows(db: Executor, dialect: DialectName, table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
  for (let i = 0, n = 0; i < rows.length; i += ROWS, n++) {
    if (n > 0 && n % YIELD_EVERY === 0) await nextTurn();
    const end = Math.min(rows.length, i + ROWS);
    const params: unknown[] = [];
    for (let r = i; r < end; r++) for (const v of rows[r]) params.push(v);
    await db.executeQuery(CompiledQuery.raw(insertText(dialect, table, columns, end - i), params));
  }
}
