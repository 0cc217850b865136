/** Compiles the CLI before the suite (incremental), so CLI tests always run the current code. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './paths.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', REPO], { stdio: 'inherit' });
}
