/**
 * The API's contract: the TypeBox schema of every JSON answer, one file per area. Routes declare
 * them as `schema.response` (Fastify serialises with them; the suite checks nothing is dropped:
 * ../response-contract.ts), and `web/` and `sdk/` import the `Static<>` types from here instead of
 * re-typing the server's answers. Each schema and its type share a name: `Bank` is both.
 */
export * from './common.js';
export * from './actions.js';
export * from './cases.js';
export * from './reporting.js';
export * from './federation.js';
export * from './hma.js';
export * from './peer.js';
export * from './banks.js';
export * from './match.js';
export * from './check.js';
export * from './awareness.js';
export * from './triage.js';
export * from './jobs.js';
export * from './audit.js';
export * from './members.js';
export * from './health.js';
export * from './exchanges.js';
export * from './operations.js';
