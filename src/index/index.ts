/**
 * What src/index/ offers the rest of src/ (docs/architecture.md, "Entry points"): modules outside
 * this folder import from here only. It exports what they use; ESLint refuses a deep import.
 */
export { ExactIndex } from './exact-index.js';
export { FrameIndex } from './frame-index.js';
export { ThreadedFrameIndex } from './frame-thread.js';
export { HammingIndex } from './hamming-index.js';
export { hugePageBytes, hugePagesAdvice } from './huge-pages.js';
export { KeywordIndex } from './keyword-index.js';
export { Hamming256SignalIndex } from './pdq-index.js';
export { QueryThreads } from './query-threads.js';
export type { IndexMatch, IndexOptions, SignalIndex } from './signal-index.js';
export { readSnapshot, SHARED_SNAPSHOT_KINDS, type Snapshot, writeSnapshot } from './snapshot.js';
