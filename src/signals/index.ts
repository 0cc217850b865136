/**
 * What src/signals/ offers the rest of src/ (docs/architecture.md, "Entry points"): modules outside
 * this folder import from here only. It exports what they use; ESLint refuses a deep import.
 */
export { streamFile } from './crypto/digest.js';
export { MAX_TEXT_LENGTH } from './keyword/signal.js';
export type { RawImage } from './pdq/pdq.js';
export {
  appliesTo,
  buildIndex,
  defaultTypesFor,
  getSignalType,
  recogniseType,
  SIGNAL_TYPES,
  textCheckType,
  thresholdFor,
  typeOfHmaName,
  uploadCheckTypes,
} from './registry.js';
export type { CompareResult, HashContext, SignalType, SignalValue } from './signal-type.js';
