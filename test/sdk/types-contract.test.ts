/**
 * The check SDK is its own package, so its published types (sdk/src/types.ts) cannot import the
 * server's contract; instead they must be the contract's types exactly. Each pair below is
 * compared by the type checker (`tsc -p test`, run by test/typecheck.test.ts): a field added to or
 * changed in the check API's schemas, and not in the SDK, fails the type-check.
 */
import { expect, it } from 'vitest';
import type * as Contract from '../../src/api/contract/index.js';
import type * as Sdk from '../../sdk/src/types.js';

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

it('the SDK types the check answers as the server contract does', () => {
  expect(Object.values(same).every((v) => v === true)).toBe(true);
});
