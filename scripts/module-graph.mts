/**
 * The module graph of src/ and the layering it must keep (docs/architecture.md, "Layering").
 *
 * Every import, `export … from`, `import()` and `import('…')` type of every src/**\/*.ts file is
 * read with the TypeScript parser, resolved, and collapsed to top-level modules (the folders of
 * src/). A module may import modules of its own layer or of a lower one; an import of a higher
 * layer fails the check with its file:line, unless ALLOWED below lists it. Type-only imports count
 * (a type is a dependency of the design too) and are shown apart. Import cycles between modules are
 * printed; a cycle that crosses layers fails (it needs an upward import, which is a violation or an
 * allowed debt).
 *
 *   node --import tsx scripts/module-graph.mts           the graph, the layer table, cycles, problems
 *   node --import tsx scripts/module-graph.mts --check   problems only (npm run lint runs this)
 *
 * Exit status: 0 the layering holds, 1 it does not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export interface Layer {
  name: string;
  modules: readonly string[];
  /** What the layer is, for the table. */
  role: string;
}

/**
 * The layers, highest first: the one place they are defined (docs/architecture.md quotes this
 * table as the script prints it). Placed from the real imports: config is read only by cli/ and
 * node/ and validates against members/ and media/ vocabulary, so it sits with the composition
 * root; jobs/ is the runner plus the CSV import job (banks/), used by domain services; hasher/ and
 * compute/ run each other (the pool runs hashing tasks), both engines; geo/ fetches its IP data
 * through media/'s safe fetch, so it is an engine, not base.
 */
export const LAYERS: readonly Layer[] = [
  { name: 'edges', modules: ['cli', 'api'], role: 'command line, HTTP' },
  { name: 'node', modules: ['node', 'config'], role: 'composition root and its configuration' },
  {
    name: 'domain',
    modules: ['banks', 'match', 'members', 'audit', 'exchange', 'actions', 'cases', 'operations', 'reporting', 'awareness', 'jobs'],
    role: 'services and their rules',
  },
  { name: 'store', modules: ['store'], role: 'SQL, schema, migrations, repositories' },
  { name: 'engines', modules: ['index', 'signals', 'media', 'compute', 'hasher', 'geo'], role: 'algorithms, indexes, media, threads' },
  { name: 'base', modules: ['time', 'errors'], role: 'error catalogue, strict time parsing' },
];

export interface Allowed {
  /** The importing file, relative to the repository: src/…/x.ts. */
  file: string;
  /** The module it may import although that module's layer is higher. */
  to: string;
  reason: string;
}

/**
 * Upward imports tolerated for now. Every entry is a debt: say why it is here and what would
 * remove it. An entry that no longer matches an import fails the check (delete it).
 */
export const ALLOWED: readonly Allowed[] = [];

export interface ModuleImport {
  /** Importing file, relative to the repository root, with forward slashes. */
  file: string;
  line: number;
  specifier: string;
  from: string;
  to: string;
  typeOnly: boolean;
}

export interface Cycle {
  modules: string[];
  /** Per hop (modules[k] → modules[k+1], the last back to the first): only types come through it. */
  typeOnlyHops: boolean[];
  layers: string[];
  /** Crosses layers and some upward import in it is not allowed. */
  failing: boolean;
}

export interface GraphReport {
  files: number;
  modules: string[];
  imports: ModuleImport[];
  /** from → to → counts (all, of which type-only). */
  graph: Map<string, Map<string, { all: number; types: number }>>;
  violations: ModuleImport[];
  allowedUsed: Array<{ entry: Allowed; imports: ModuleImport[] }>;
  cycles: Cycle[];
  /** Everything else that fails: unplaced modules, stale allow-list entries, imports leaving src/. */
  problems: string[];
  layerOf: Map<string, number>;
  layers: readonly Layer[];
  ok: boolean;
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(p);
      return SOURCE.test(e.name) ? [p] : [];
    });
}

const slash = (p: string): string => p.split(sep).join('/');

/** Every static or dynamic import of one file: specifier, line, and whether only types come through it. */
export function importsOf(fileName: string, text: string): Array<{ specifier: string; line: number; typeOnly: boolean }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ specifier: string; line: number; typeOnly: boolean }> = [];
  const add = (node: ts.Node, literal: ts.Node | undefined, typeOnly: boolean): void => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node, node.moduleSpecifier, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The layer index (0 = highest) of each module of `layers`. */
function layerIndex(layers: readonly Layer[]): Map<string, number> {
  const index = new Map<string, number>();
  layers.forEach((layer, i) => layer.modules.forEach((m) => index.set(m, i)));
  return index;
}

/** Shortest path of modules from `start` back to `start` inside `members`, if any. */
function shortestCycle(start: string, edges: Map<string, Set<string>>, members: Set<string>): string[] | undefined {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]!;
    for (const next of [...(edges.get(at) ?? [])].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [at];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(next) && next !== start) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** Strongly connected components (Tarjan) of more than one module. */
function components(modules: string[], edges: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const m of modules) if (!index.has(m)) connect(m);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/**
 * Reads the imports under `root`/src and checks them against `layers`. `root` is the repository
 * (tests pass a synthetic tree).
 */
export function checkModuleGraph(root: string, options: { layers?: readonly Layer[]; allowed?: readonly Allowed[] } = {}): GraphReport {
  const layers = options.layers ?? LAYERS;
  const allowed = options.allowed ?? ALLOWED;
  const src = join(root, 'src');
  const layerOf = layerIndex(layers);
  const problems: string[] = [];

  const folders = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
  for (const name of readdirSync(src)) if (!folders.includes(name) && SOURCE.test(name)) problems.push(`src/${name} is not in a module folder`);
  for (const m of folders) if (!layerOf.has(m)) problems.push(`module ${m} (src/${m}/) is in no layer: add it to LAYERS in scripts/module-graph.mts`);
  for (const m of layerOf.keys()) if (!folders.includes(m)) problems.push(`LAYERS names ${m}, which is not a folder of src/`);

  const files = sourceFiles(src);
  const imports: ModuleImport[] = [];
  for (const path of files) {
    const file = slash(relative(root, path));
    const from = slash(relative(src, path)).split('/')[0]!;
    for (const { specifier, line, typeOnly } of importsOf(path, readFileSync(path, 'utf8'))) {
      if (!specifier.startsWith('.')) continue; // packages and node: built-ins
      const target = slash(relative(src, resolve(dirname(path), specifier)));
      if (target.startsWith('../') || target === '..') {
        problems.push(`${file}:${line} imports ${specifier}, outside src/`);
        continue;
      }
      const to = target.split('/')[0]!;
      if (to !== from) imports.push({ file, line, specifier, from, to, typeOnly });
    }
  }

  const graph = new Map<string, Map<string, { all: number; types: number }>>();
  const edges = new Map<string, Set<string>>();
  for (const i of imports) {
    const row = graph.get(i.from) ?? new Map<string, { all: number; types: number }>();
    graph.set(i.from, row);
    const count = row.get(i.to) ?? { all: 0, types: 0 };
    count.all++;
    if (i.typeOnly) count.types++;
    row.set(i.to, count);
    edges.set(i.from, (edges.get(i.from) ?? new Set()).add(i.to));
  }

  const upward = (i: ModuleImport): boolean => layerOf.has(i.from) && layerOf.has(i.to) && layerOf.get(i.to)! < layerOf.get(i.from)!;
  const isAllowed = (i: ModuleImport, a: Allowed): boolean => a.file === i.file && a.to === i.to;
  const violations = imports.filter((i) => upward(i) && !allowed.some((a) => isAllowed(i, a)));
  const allowedUsed = allowed.map((entry) => ({ entry, imports: imports.filter((i) => upward(i) && isAllowed(i, entry)) }));
  for (const { entry, imports: used } of allowedUsed) {
    if (used.length === 0) problems.push(`ALLOWED lists ${entry.file} → ${entry.to}, which no longer imports upward: delete the entry`);
  }

  const modules = [...new Set([...folders, ...layerOf.keys()])].sort();
  const cycles: Cycle[] = [];
  for (const group of components(modules, edges)) {
    const members = new Set(group);
    const seen = new Set<string>();
    for (const start of group) {
      const path = shortestCycle(start, edges, members);
      if (!path) continue;
      const key = [...path].sort().join(' ') + '|' + path.length;
      if (seen.has(key)) continue;
      seen.add(key);
      const cycleLayers = [...new Set(path.map((m) => layers[layerOf.get(m) ?? -1]?.name ?? '?'))];
      const hops = path.map((m, k) => [m, path[(k + 1) % path.length]!] as const);
      const failing =
        cycleLayers.length > 1 && hops.some(([a, b]) => imports.some((i) => i.from === a && i.to === b && upward(i) && !allowed.some((e) => isAllowed(i, e))));
      const typeOnlyHops = hops.map(([a, b]) => graph.get(a)!.get(b)!.types === graph.get(a)!.get(b)!.all);
      cycles.push({ modules: path, typeOnlyHops, layers: cycleLayers, failing });
    }
  }

  return {
    files: files.length,
    modules,
    imports,
    graph,
    violations,
    allowedUsed,
    cycles,
    problems,
    layerOf,
    layers,
    ok: violations.length === 0 && problems.length === 0 && !cycles.some((c) => c.failing),
  };
}

const cycleText = (c: Cycle): string => c.modules.map((m, k) => `${m} ${c.typeOnlyHops[k] ? '⇢' : '→'} `).join('') + c.modules[0];

const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(1, n - s.length));

/** The report as text: the layer table, the graph, cycles, and what fails. `full: false` gives the failures only. */
export function formatReport(report: GraphReport, full = true): string {
  const out: string[] = [];
  const { layers, layerOf } = report;
  if (full) {
    out.push(`Module graph of src/: ${report.files} files, ${report.imports.length} imports between modules (n/t: n imports, t of them type-only)`);
    out.push('');
    out.push('Layers, highest first (a module imports its own layer and lower ones):');
    for (const [i, layer] of layers.entries()) {
      const below = layers
        .slice(i + 1)
        .map((l) => l.name)
        .join(', ');
      out.push(
        `  ${i + 1}. ${pad(layer.name, 8)} ${pad(layer.modules.join(' '), 64)} may import: ${i + 1 < layers.length ? below : 'nothing of src/'} (${layer.role})`,
      );
    }
    out.push('');
    out.push('Imports of each module (module n/t):');
    const ordered = [...report.modules].sort((a, b) => (layerOf.get(a) ?? 99) - (layerOf.get(b) ?? 99) || (a < b ? -1 : 1));
    for (const m of ordered) {
      const row = [...(report.graph.get(m) ?? new Map<string, { all: number; types: number }>())]
        .sort(([a], [b]) => (layerOf.get(a) ?? 99) - (layerOf.get(b) ?? 99) || (a < b ? -1 : 1))
        .map(([to, c]) => `${to} ${c.all}/${c.types}`);
      out.push(`  ${pad(layers[layerOf.get(m) ?? -1]?.name ?? '?', 8)} ${pad(m, 10)} → ${row.length ? row.join(', ') : '(nothing of src/)'}`);
    }
    out.push('');
    out.push(
      report.cycles.length ? 'Import cycles between modules (allowed within one layer; ⇢ a hop of type-only imports):' : 'No import cycles between modules.',
    );
    for (const c of report.cycles) out.push(`  ${cycleText(c)}  [${c.layers.join(', ')}]${c.failing ? '  FAILS: crosses layers' : ''}`);
    if (report.allowedUsed.length) {
      out.push('');
      out.push('Allowed upward imports (debts, scripts/module-graph.mts ALLOWED):');
      for (const { entry, imports } of report.allowedUsed) out.push(`  ${entry.file} → ${entry.to} (${imports.length}): ${entry.reason}`);
    }
    out.push('');
  }
  for (const v of report.violations) {
    const fromLayer = layers[layerOf.get(v.from)!]!.name;
    const toLayer = layers[layerOf.get(v.to)!]!.name;
    out.push(`${v.file}:${v.line}: ${v.from} (${fromLayer}) imports ${v.to} (${toLayer}, a higher layer)${v.typeOnly ? ' [type-only]' : ''}: ${v.specifier}`);
  }
  if (!full) for (const c of report.cycles.filter((x) => x.failing)) out.push(`import cycle across layers: ${cycleText(c)}`);
  for (const p of report.problems) out.push(p);
  out.push(
    report.ok
      ? `module graph: the layering holds (${report.imports.length} imports between ${report.modules.length} modules, ${report.cycles.length} cycles within layers)`
      : `module graph: the layering is broken (${report.violations.length} upward imports, ${report.cycles.filter((c) => c.failing).length} cycles across layers, ${report.problems.length} other problems); see docs/architecture.md, "Layering"`,
  );
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const report = checkModuleGraph(root);
  const text = formatReport(report, !process.argv.includes('--check'));
  (report.ok ? process.stdout : process.stderr).write(text + '\n');
  process.exitCode = report.ok ? 0 : 1;
}
