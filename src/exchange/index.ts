/**
 * What src/exchange/ offers the rest of src/ (docs/architecture.md, "Entry points"): modules outside
 * this folder import from here only. It exports what they use; ESLint refuses a deep import.
 */
export { type Envelope, open, seal } from './envelope.js';
export { type ExchangeApi, type ExchangeContext, type ExchangeOpinion, type ExchangePage, type OpinionTarget } from './apis/exchange-api.js';
import './apis/builtin.js';
export { exchangeApis, getExchangeApi, registerExchangeApi } from './apis/registry.js';
export { ExchangeService, type ExchangeStatus, type ExchangeView, type FetchReport, type SourceView } from './exchange-service.js';
export { FederationService } from './federation-service.js';
export { BANK_WRITERS, ENTRY_READERS, exportBankFile, importExchangeFiles } from './files.js';
export { codecNames, codecOf, exportCodecOf, FILE_CODECS, type FileCodec, sniffCodec } from './formats/codecs.js';
export { writeAtomically } from './formats/atomic-write.js';
export { fileChunks, parseCsv } from './formats/csv.js';
export { readVicsFile, writeVics } from './formats/vics-stream.js';
export { type ExportableContent, parseCategoryMap, VICS_MODELS, type VicsModel } from './formats/vics.js';
export { fingerprint, loadIdentity, type NodeIdentity, parsePublicKey, verifySignature } from './identity.js';
export { pullFeed, sealFeedPage } from './member-feed.js';
export { verifyRequest } from './request-signing.js';
