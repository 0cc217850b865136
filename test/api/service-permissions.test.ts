/**
 * The authorisation rule, second half (docs/architecture.md, "Authorisation: one rule"): a service
 * method that checks a role must name the same permission as the route that calls it — or one the
 * route's permission covers. Otherwise some role passes the route and is refused by the service
 * (a 403 the route promised not to give), or the two checks drift apart unnoticed.
 *
 * Static analysis with the TypeScript compiler: for every route registration in src/api
 * (`app.get/post/put/patch/delete/head/options(path, { config }, handler)` and `app.route({ config, handler })`),
 * the permission it declares (read from the type of `config.permission`, so shared `config` objects
 * count) and the service methods its handler calls: callees the type checker resolves to a method of
 * a class outside src/api, or to a function there that takes a principal; helper functions of src/api
 * the handler calls are followed. For each such method, the permissions of the
 * `requirePermission(_, 'p')` calls in its body, in the same-class methods it calls through `this`,
 * and in the service methods it hands its own principal parameter to (transitively).
 *
 * A route permission Q covers P when every role granted Q is also granted P (members/roles.ts;
 * admin has everything). 'authenticated' routes let every role through, so they cover only what
 * every role is granted. 'public' and 'federation' routes carry no member's principal (a peer's is made
 * by the service itself), so they are not compared.
 */
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLES, type Permission } from '../../src/members/roles.js';
import { REPO } from '../support/paths.js';

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);

interface Link {
  /** "GET /banks" */
  route: string;
  /** file:line of the route registration, relative to the project */
  at: string;
  access: string;
  /** "BankService.listBanks" */
  method: string;
  /** file:line of the service method */
  methodAt: string;
  /** what the method requires (itself, the same-class methods it calls through `this`, the services it hands its principal to) */
  requires: Permission[];
  /** where each of those is checked: "'banks.read' at src/banks/bank-service.ts:157" */
  checks: string[];
}

interface Analysis {
  /** every route registration found: "GET /banks" */
  routes: string[];
  links: Link[];
  /** routes whose permission could not be read, calls of service methods whose body could not be found */
  unresolved: string[];
}

interface Scope {
  /** files whose route registrations are read (src/api) */
  isRouteFile: (fileName: string) => boolean;
  /** files whose classes are services (src/ outside src/api) */
  isServiceFile: (fileName: string) => boolean;
  root: string;
}

/** The string literal values of a type (a literal, or a union of literals); empty when it is anything else. */
function literals(type: ts.Type): string[] {
  const parts = type.isUnion() ? type.types : [type];
  const out: string[] = [];
  for (const t of parts) {
    if (!t.isStringLiteral()) return [];
    out.push(t.value);
  }
  return out;
}

function propertyType(checker: ts.TypeChecker, type: ts.Type, name: string, at: ts.Node): ts.Type | undefined {
  const symbol = checker.getPropertyOfType(checker.getApparentType(type), name);
  return symbol && checker.getTypeOfSymbolAtLocation(symbol, at);
}

function functionBody(node: ts.Node | undefined): ts.Node | undefined {
  if (!node) return undefined;
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node)) return node.body;
  if ((ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) && node.initializer) {
    const init = node.initializer;
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init.body;
  }
  return undefined;
}

function resolved(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  const symbol = checker.getSymbolAtLocation(node);
  return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** Every call in a body, nested functions included. */
function callsIn(body: ts.Node, visit: (call: ts.CallExpression) => void): void {
  const walk = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) visit(n);
    ts.forEachChild(n, walk);
  };
  walk(body);
}

/** Finds the route → service-method links of a program (also run on a small synthetic program below). */
function analyse(program: ts.Program, scope: Scope): Analysis {
  const checker = program.getTypeChecker();
  const links: Link[] = [];
  const routes: string[] = [];
  const unresolved: string[] = [];
  const where = (node: ts.Node) => {
    const sf = node.getSourceFile();
    return `${relative(scope.root, sf.fileName).split(sep).join('/')}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  };

  const isPrincipal = (node: ts.Node) => checker.getTypeAtLocation(node).getSymbol()?.name === 'Principal';
  /** A service method or function: a method of a class in a service file, or a function there that takes a principal. */
  const isService = (decl: ts.Declaration): boolean => {
    if (!scope.isServiceFile(decl.getSourceFile().fileName) || !functionBody(decl)) return false;
    if ((ts.isMethodDeclaration(decl) || ts.isPropertyDeclaration(decl)) && ts.isClassLike(decl.parent)) return true;
    const fn = ts.isVariableDeclaration(decl) ? decl.initializer : decl;
    return !!fn && (ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters.some(isPrincipal);
  };
  /**
   * What a service method requires, each permission with where it is checked: its own requirePermission calls, those of the
   * same-class methods it calls through `this`, and those of other service methods it hands its own principal parameter to.
   */
  const requiresOf = (method: ts.Node, out = new Map<Permission, string>(), seen = new Set<ts.Node>()): Map<Permission, string> => {
    seen.add(method);
    const body = functionBody(method);
    if (!body) return out;
    callsIn(body, (call) => {
      const callee = call.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
      const target = name && resolved(checker, name);
      if (!target) return;
      if (target.name === 'requirePermission' && ts.isIdentifier(callee) && call.arguments.length >= 2) {
        const values = literals(checker.getTypeAtLocation(call.arguments[1]));
        if (values.length === 0) unresolved.push(`${where(call)}: requirePermission with a permission that is not a literal`);
        for (const v of values) if (!out.has(v as Permission)) out.set(v as Permission, where(call));
        return;
      }
      const decl = target.valueDeclaration;
      if (!decl || seen.has(decl) || !isService(decl)) return;
      const sameClass = ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword && decl.parent === method.parent;
      const passesPrincipal = call.arguments.some(
        (a) => ts.isIdentifier(a) && isPrincipal(a) && resolved(checker, a)?.valueDeclaration?.kind === ts.SyntaxKind.Parameter,
      );
      if (sameClass || passesPrincipal) requiresOf(decl, out, seen);
    });
    return out;
  };
  const memo = new Map<ts.Node, Map<Permission, string>>();
  const nameOf = (decl: ts.Node): string => {
    const own = (decl as ts.NamedDeclaration).name?.getText() ?? '(anonymous)';
    return ts.isClassLike(decl.parent) ? `${decl.parent.name?.text ?? '(class)'}.${own}` : `${own}()`;
  };

  /** The service methods a handler calls, following helper functions declared in route files. */
  const serviceCalls = (handler: ts.Node, found: Map<ts.Node, ts.CallExpression>, seen: Set<ts.Node>): void => {
    const body = functionBody(handler);
    if (!body) return;
    callsIn(body, (call) => {
      const callee = call.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
      if (!name) return;
      const symbol = resolved(checker, name);
      for (const decl of symbol?.declarations ?? []) {
        const file = decl.getSourceFile().fileName;
        if (isService(decl)) {
          if (!found.has(decl)) found.set(decl, call);
        } else if (
          ts.isMethodSignature(decl) &&
          scope.isServiceFile(file) &&
          decl.parameters.some((p) => checker.getTypeAtLocation(p).getSymbol()?.name === 'Principal')
        ) {
          // A service reached through an interface: its implementation is not found, so its checks would go unseen.
          unresolved.push(`${where(call)}: ${call.expression.getText()} is declared by an interface (${where(decl)}): its body is not analysed`);
        } else if (scope.isRouteFile(file) && functionBody(decl) && !seen.has(decl)) {
          seen.add(decl);
          serviceCalls(decl, found, seen);
        }
      }
    });
  };

  const routeOf = (call: ts.CallExpression): { verb: string; path: string; options: ts.Expression; handler: ts.Expression } | undefined => {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const verb = callee.name.text;
    const args = call.arguments;
    if (ROUTE_METHODS.has(verb) && args.length >= 3) {
      const path = ts.isStringLiteralLike(args[0]) ? args[0].text : args[0].getText();
      return { verb: verb.toUpperCase(), path, options: args[1], handler: args[args.length - 1] };
    }
    if (verb === 'route' && args.length === 1 && ts.isObjectLiteralExpression(args[0])) {
      const prop = (key: string) => {
        const p = args[0] as ts.ObjectLiteralExpression;
        const found = p.properties.find((x) => x.name && ts.isIdentifier(x.name) && x.name.text === key);
        return found && ts.isPropertyAssignment(found) ? found.initializer : undefined;
      };
      const handler = prop('handler');
      const url = prop('url');
      const method = prop('method');
      if (!handler) return undefined;
      return {
        verb: method ? method.getText().replace(/['"]/g, '') : '?',
        path: url && ts.isStringLiteralLike(url) ? url.text : '?',
        options: args[0],
        handler,
      };
    }
    return undefined;
  };

  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !scope.isRouteFile(sf.fileName)) continue;
    const visit = (node: ts.Node): void => {
      const route = ts.isCallExpression(node) ? routeOf(node) : undefined;
      if (route) {
        let handler: ts.Node | undefined = route.handler;
        if (ts.isIdentifier(handler)) handler = resolved(checker, handler)?.valueDeclaration;
        const config = propertyType(checker, checker.getTypeAtLocation(route.options), 'config', route.options);
        const permission = config && propertyType(checker, config, 'permission', route.options);
        const access = permission ? literals(permission) : [];
        const name = `${route.verb} ${route.path}`;
        routes.push(name);
        if (access.length !== 1) unresolved.push(`${where(node)}: ${name} declares no single literal permission`);
        else if (handler && functionBody(handler)) {
          const found = new Map<ts.Node, ts.CallExpression>();
          serviceCalls(handler, found, new Set());
          for (const method of found.keys()) {
            const requires = memo.get(method) ?? requiresOf(method);
            memo.set(method, requires);
            links.push({
              route: name,
              at: where(node),
              access: access[0],
              method: nameOf(method),
              methodAt: where(method),
              requires: [...requires.keys()].sort(),
              checks: [...requires].map(([p, at]) => `'${p}' at ${at}`),
            });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { routes, links, unresolved };
}

/** Whether every role that passes a route declaring `access` is granted `permission`. */
function covers(access: string, permission: Permission): boolean {
  if (access === 'authenticated') return ROLES.every((r) => can(r, permission));
  if (!(PERMISSIONS as readonly string[]).includes(access)) return true; // 'public', 'federation': not compared
  return ROLES.every((r) => !can(r, access as Permission) || can(r, permission));
}

/** The links where the route lets through a role that the service refuses. */
function mismatches(links: Link[]): string[] {
  const out: string[] = [];
  for (const l of links) {
    const missing = l.requires.filter((p) => !covers(l.access, p));
    const at = l.checks.filter((c) => missing.some((p) => c.startsWith(`'${p}'`)));
    if (missing.length === 0) continue;
    const refused = ROLES.filter((r) => missing.some((p) => !can(r, p)) && (l.access === 'authenticated' || can(r, l.access as Permission)));
    out.push(
      `${l.route} (${l.at}) declares '${l.access}' but calls ${l.method} (${l.methodAt}) which requires ${at.join(', ')}: ` +
        (refused.length === 1 ? `role ${refused[0]} passes the route and is refused` : `roles ${refused.join(', ')} pass the route and are refused`) +
        ' by the service',
    );
  }
  return out;
}

function projectProgram(): ts.Program {
  const configFile = join(REPO, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configFile));
  return ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true, incremental: false } });
}

const api = join(REPO, 'src', 'api') + sep;
const src = join(REPO, 'src') + sep;

describe('services name the same permission as the routes that call them', () => {
  it('every route → service-method link agrees (or the route permission covers the service one)', () => {
    const { routes, links, unresolved } = analyse(projectProgram(), {
      root: REPO,
      isRouteFile: (f) => f.startsWith(api),
      isServiceFile: (f) => f.startsWith(src) && !f.startsWith(api),
    });
    // The analysis must find what it is meant to check: it cannot pass by finding nothing.
    expect(links.length).toBeGreaterThan(80);
    expect(links.filter((l) => l.requires.length > 0).length).toBeGreaterThan(60);
    expect(routes.length).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
    // Each way a permission is reached: directly, through a same-class helper, through another service given the principal.
    const link = (route: string, method: string) => links.find((l) => l.route === route && l.method === method)?.requires;
    expect(link('GET /banks', 'BankService.listBanks')).toEqual(['banks.read']);
    expect(link('PATCH /banks/:name', 'BankService.updateBank')).toEqual(['banks.write']); // this.assertOwner
    expect(link('POST /country-reports', 'CountryReports.build')).toEqual(['indicators.read', 'reporting.manage']); // this.reporting.indicators(actor)
    expect(link('GET /action-metrics', 'actionMetrics()')).toEqual(['reports']); // a function, not a method
    expect(mismatches(links)).toEqual([]);
  }, 120_000);

  it('finds a mismatch in a small program (the analysis is not blind)', () => {
    const files: Record<string, string> = {
      '/p/src/members/principal.ts': `
        export interface Principal { role: string }
        export type Permission = 'banks.read' | 'banks.write' | 'hash' | 'lookup';
        export function requirePermission(p: Principal, permission: Permission): void {}`,
      '/p/src/banks/bank-service.ts': `
        import { requirePermission, type Principal } from '../members/principal.js';
        export class BankService {
          listBanks(p: Principal) { requirePermission(p, 'banks.read'); return []; }
          deleteBank(p: Principal) { this.assertOwner(p); }
          private assertOwner(p: Principal) { requirePermission(p, 'banks.write'); }
          count() { return 1; }
        }
        export class Summary {
          constructor(private banks: BankService) {}
          of(p: Principal) { requirePermission(p, 'hash'); return this.banks.listBanks(p); }
        }`,
      '/p/src/api/v1/banks.ts': `
        import type { BankService } from '../../banks/bank-service.js';
        type Access = 'banks.read' | 'banks.write' | 'hash' | 'lookup' | 'public';
        interface Req { principal: { role: string } }
        interface App { get(path: string, opts: { config: { permission: Access } }, h: (req: Req) => unknown): void;
                        delete(path: string, opts: { config: { permission: Access } }, h: (req: Req) => unknown): void }
        const read = { permission: 'banks.read' as const };
        function helper(banks: BankService, req: Req) { return banks.deleteBank(req.principal); }
        export function routes(app: App, banks: BankService, summary: import('../../banks/bank-service.js').Summary) {
          app.get('/banks', { config: read }, async (req) => banks.listBanks(req.principal));
          app.get('/hashes', { config: { permission: 'hash' } }, async (req) => banks.listBanks(req.principal));
          app.delete('/banks/:name', { config: { permission: 'banks.read' } }, async (req) => helper(banks, req));
          app.get('/count', { config: { permission: 'public' } }, async () => banks.count());
          app.get('/summary', { config: { permission: 'hash' } }, async (req) => summary.of(req.principal));
          app.get('/writers', { config: { permission: 'banks.write' } }, async (req) => banks.listBanks(req.principal));
        }`,
    };
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noLib: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const resolve = (name: string) => name.replace(/\.js$/, '.ts');
    host.getSourceFile = (name, lang) => (files[name] === undefined ? undefined : ts.createSourceFile(name, files[name], lang, true));
    host.fileExists = (name) => files[name] !== undefined;
    host.readFile = (name) => files[name];
    host.resolveModuleNameLiterals = (literals, containing) =>
      literals.map((l) => {
        const target = resolve(join(dirname(containing), l.text).split(sep).join('/'));
        return { resolvedModule: files[target] === undefined ? undefined : { resolvedFileName: target, extension: ts.Extension.Ts } };
      });
    const program = ts.createProgram({ rootNames: Object.keys(files), options, host });
    const { links, unresolved } = analyse(program, {
      root: '/p',
      isRouteFile: (f) => f.startsWith('/p/src/api/'),
      isServiceFile: (f) => f.startsWith('/p/src/') && !f.startsWith('/p/src/api/'),
    });
    expect(unresolved).toEqual([]);
    expect(links.map((l) => [l.route, l.access, l.method, l.requires])).toEqual([
      ['GET /banks', 'banks.read', 'BankService.listBanks', ['banks.read']],
      ['GET /hashes', 'hash', 'BankService.listBanks', ['banks.read']],
      ['DELETE /banks/:name', 'banks.read', 'BankService.deleteBank', ['banks.write']],
      ['GET /count', 'public', 'BankService.count', []],
      ['GET /summary', 'hash', 'Summary.of', ['banks.read', 'hash']],
      ['GET /writers', 'banks.write', 'BankService.listBanks', ['banks.read']],
    ]);
    // A stricter route is allowed (banks.write covers banks.read); 'public' is not compared.
    const found = mismatches(links);
    expect(found).toHaveLength(3);
    // 'hash' is granted to the matcher, which has no banks.read; banks.read to the auditor, which has no banks.write.
    expect(found[0]).toMatch(
      /^GET \/hashes \(src\/api\/v1\/banks\.ts:11\) declares 'hash' but calls BankService\.listBanks .* requires 'banks\.read'.*matcher/,
    );
    expect(found[1]).toMatch(/^DELETE \/banks\/:name .* requires 'banks\.write' at src\/banks\/bank-service\.ts:6: .*auditor/);
    // Through another service the principal is handed to: the check is named where it is.
    expect(found[2]).toMatch(/^GET \/summary .* calls Summary\.of .* requires 'banks\.read' at src\/banks\/bank-service\.ts:4: role matcher passes/);
  });
});

describe('covers', () => {
  it('is role inclusion over the grants', () => {
    expect(covers('banks.write', 'banks.read')).toBe(true); // every role with banks.write (admin, curator) reads banks
    expect(covers('banks.read', 'banks.write')).toBe(false); // the auditor and the analyst read, but may not write
    expect(covers('members.manage', 'audit.read')).toBe(true); // admin only
    expect(covers('authenticated', 'check')).toBe(false); // the auditor has no check
    expect(covers('federation', 'banks.write')).toBe(true); // not compared
  });
});
