/**
 * The layering the README and docs/architecture.md promise: src/store/ is the only place with
 * SQL. Outside it no file imports Kysely (not even a type) or builds a query; domain code calls
 * the repository functions in src/store/. Migrations are frozen text: they import nothing from
 * outside src/store/, so editing domain code (seed text, country lists) cannot change what an
 * already-run migration inserts. A source scan, until an ESLint rule does the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/paths.js';

const root = REPO;
const src = join(root, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const rel = (p: string): string => relative(root, p).split('\\').join('/');

/** What in `text` is SQL or Kysely: imports of kysely and query-builder calls. */
function sqlFound(text: string): string[] {
  const found: string[] = [];
  const patterns: Array<[string, RegExp]> = [
    ['imports kysely', /\bfrom\s+['"]kysely(\/[^'"]*)?['"]|\bimport\s*\(\s*['"]kysely|\brequire\s*\(\s*['"]kysely/],
    ['selectFrom', /\bselectFrom\s*\(/],
    ['insertInto', /\binsertInto\s*\(/],
    ['updateTable', /\bupdateTable\s*\(/],
    ['deleteFrom', /\bdeleteFrom\s*\(/],
    ['sql``', /\bsql\s*(<[^`;]*>)?\s*`/],
  ];
  for (const [what, re] of patterns) if (re.test(text)) found.push(what);
  return found;
}

describe('store layering', () => {
  const outside = tsFiles(src).filter((f) => !rel(f).startsWith('src/store/'));

  it('finds the scan working (a repository has SQL)', () => {
    expect(sqlFound(readFileSync(join(src, 'store/cases-repo.ts'), 'utf8'))).toContain('selectFrom');
    expect(sqlFound("import { sql } from 'kysely';\nsql<number>`select 1`")).toEqual(['imports kysely', 'sql``']);
  });

  it('keeps SQL and Kysely inside src/store/', () => {
    const offenders = outside
      .map((f) => ({ file: rel(f), found: sqlFound(readFileSync(f, 'utf8')) }))
      .filter((o) => o.found.length > 0)
      .map((o) => `${o.file}: ${o.found.join(', ')}`);
    expect(offenders).toEqual([]);
  });

  it('has migrations import nothing from outside src/store/', () => {
    const dir = join(src, 'store/migrations');
    const offenders: string[] = [];
    for (const f of tsFiles(dir)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
        const spec = (m[1] ?? m[2] ?? m[3])!;
        if (!spec.startsWith('.')) {
          if (spec !== 'kysely' && !spec.startsWith('node:')) offenders.push(`${rel(f)}: ${spec}`);
          continue;
        }
        const target = rel(resolve(dirname(f), spec));
        if (!target.startsWith('src/store/')) offenders.push(`${rel(f)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
