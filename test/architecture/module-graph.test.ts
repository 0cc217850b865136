/**
 * The layering check of scripts/module-graph.mts (docs/architecture.md, "Layering"), which
 * `npm run lint` runs: it must fail on an upward import — shown on a small synthetic tree — and
 * pass on the real one, so the check cannot stop working unnoticed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkModuleGraph, formatReport, type Layer } from '../../scripts/module-graph.mjs';
import { REPO } from '../support/paths.js';

const LAYERS: Layer[] = [
  { name: 'top', modules: ['api'], role: 'edge' },
  { name: 'middle', modules: ['domain'], role: 'services' },
  { name: 'bottom', modules: ['errors'], role: 'base' },
];

const trees: string[] = [];
afterAll(() => trees.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** A repository with src/ holding `files` (path → text). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'module-graph-'));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const layered = {
  'src/api/server.ts': "import { service } from '../domain/service.js';\nexport const server = service;\n",
  'src/domain/service.ts': "import { fail } from '../errors/catalogue.js';\nexport const service = fail;\n",
  'src/errors/catalogue.ts': 'export const fail = 1;\n',
};

describe('module graph check', () => {
  it('passes a tree whose imports point downwards, counting imports per module', () => {
    const report = checkModuleGraph(tree(layered), { layers: LAYERS, allowed: [] });
    expect(report.ok).toBe(true);
    expect(report.graph.get('api')?.get('domain')).toEqual({ all: 1, types: 0 });
    expect(report.cycles).toEqual([]);
  });

  it('fails on an upward import, naming its file and line, type-only imports included', () => {
    const root = tree({
      ...layered,
      'src/errors/catalogue.ts': "// a base module reaching up\nimport { service } from '../domain/service.js';\nexport const fail = service;\n",
      'src/domain/rules.ts': "export type { Server } from '../api/types.js';\n",
      'src/api/types.ts': 'export type Server = { port: number };\n',
    });
    const report = checkModuleGraph(root, { layers: LAYERS, allowed: [] });
    expect(report.ok).toBe(false);
    expect(report.violations.map((v) => `${v.file}:${v.line} ${v.from}→${v.to}${v.typeOnly ? ' type' : ''}`).sort()).toEqual([
      'src/domain/rules.ts:1 domain→api type',
      'src/errors/catalogue.ts:2 errors→domain',
    ]);
    expect(report.cycles.filter((c) => c.failing).length).toBeGreaterThan(0);
    const text = formatReport(report, false);
    expect(text).toContain('src/errors/catalogue.ts:2: errors (bottom) imports domain (middle, a higher layer)');
    expect(text).toContain('the layering is broken');
  });

  it('lets an allow-listed upward import pass, and fails an allow-list entry that no longer matches', () => {
    const root = tree({ ...layered, 'src/domain/extra.ts': "import { server } from '../api/server.js';\nexport const again = server;\n" });
    const allowed = [{ file: 'src/domain/extra.ts', to: 'api', reason: 'test' }];
    expect(checkModuleGraph(root, { layers: LAYERS, allowed }).ok).toBe(true);
    const stale = checkModuleGraph(tree(layered), { layers: LAYERS, allowed });
    expect(stale.ok).toBe(false);
    expect(stale.problems.join('\n')).toContain('no longer imports upward');
  });

  it('fails on a module folder that no layer names', () => {
    const report = checkModuleGraph(tree({ ...layered, 'src/extra/x.ts': 'export const x = 1;\n' }), { layers: LAYERS, allowed: [] });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toContain('module extra (src/extra/) is in no layer');
  });

  it('passes the real tree (scripts/module-graph.mts LAYERS and ALLOWED)', () => {
    const report = checkModuleGraph(REPO);
    expect(formatReport(report, false)).toMatch(/the layering holds/);
    expect(report.violations).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.imports.length).toBeGreaterThan(300); // it did read the sources
  });

  it('is run by npm run lint (which npm test runs)', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.lint).toContain('scripts/module-graph.mts --check');
    expect(pkg.scripts.test).toContain('npm run lint');
  });
});
