/**
 * The check SDK is its own package, so its published types (sdk/src/types.ts) cannot import the
 * server's contract; instead they must be the contract's types exactly. Each pair below is
 * compared by the type checker: this test runs the TypeScript compiler on this very file (and
 * `tsc -p test` in test/typecheck.test.ts checks it too), so a field added to or changed in the
 * check API's schemas, and not in the SDK, fails here. A second program, with one pair made to
 * differ by a field, shows the comparison can fail.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';
import type * as Contract from '../../src/api/contract/index.js';
import type * as Sdk from '../../sdk/src/types.js';
import { REPO } from '../support/paths.js';

/** True only when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const same: {
  audience: Equal<Sdk.Audience, Contract.Audience>;
  context: Equal<Sdk.MessageContext, Contract.MessageContext>;
  message: Equal<Sdk.ServedMessage, Contract.ServedMessage>;
  help: Equal<Sdk.HelpEntry, Contract.HelpEntry>;
  check: Equal<Sdk.CheckAnswer, Contract.CheckAnswer>;
  upload: Equal<Sdk.UploadAnswer, Contract.UploadAnswer>;
} = { audience: true, context: true, message: true, help: true, check: true, upload: true };
void same;

const here = fileURLToPath(import.meta.url);

/** The type errors of one file, compiled with the test project's options; `virtual` supplies files that exist only in memory. */
function typeErrors(file: string, virtual: Record<string, string> = {}): string[] {
  const configPath = join(REPO, 'test', 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => virtual[f] ?? readFile(f);
  host.fileExists = (f) => f in virtual || fileExists(f);
  const program = ts.createProgram([file], config.options, host);
  const source = program.getSourceFile(file);
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  );
}

it('the SDK types the check answers as the server contract does (type-checked here)', () => {
  expect(typeErrors(here)).toEqual([]);
}, 60_000);

it('the comparison fails when the SDK and the contract differ by one field', () => {
  const probe = join(dirname(here), 'types-contract-probe.ts');
  const text = [
    "import type * as Contract from '../../src/api/contract/index.js';",
    "import type * as Sdk from '../../sdk/src/types.js';",
    'type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;',
    'export const drifted: Equal<Sdk.CheckAnswer, Contract.CheckAnswer & { added: string }> = true;',
    'export const optional: Equal<Sdk.ServedMessage, Partial<Contract.ServedMessage>> = true;',
  ].join('\n');
  const errors = typeErrors(probe, { [probe]: text });
  expect(errors).toHaveLength(2);
  for (const e of errors) expect(e).toMatch(/Type 'true' is not assignable to type 'false'/);
}, 60_000);
