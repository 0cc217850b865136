/**
 * Before the suite: compile the CLI (incremental) and build the web UI so tests run the current code, and start a
 * throw-away PostgreSQL on 127.0.0.1 for the tests of the PostgreSQL path; stop it after.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO } from './paths.js';
import { startPostgres, type PgCluster } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

let cluster: PgCluster | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', REPO], { stdio: 'inherit' });
  // The web UI once for the whole run: servers started by the tests serve dist/web.
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO, 'web', 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: REPO, stdio: 'inherit' },
  );
  // The check SDK (its demo page is served by `alliance serve`; the SDK test hashes in Chromium with it).
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO, 'sdk', 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: REPO, stdio: 'inherit' },
  );
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'sdk', 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  cluster = await startPostgres();
  project.provide('pgAdminUrl', cluster.url);
  return () => cluster?.stop();
}
