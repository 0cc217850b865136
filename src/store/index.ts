/**
 * What src/store/ offers the rest of src/ (docs/architecture.md, "Entry points"): modules outside
 * this folder import from here only. It exports what they use; ESLint refuses a deep import.
 */
export type { ActionRuleRow, HostingProvider, IncidentReport, Notice, ReportDestination, ReviewItem, Submission } from './actions-schema.js';
export {
  appendAudit,
  auditHead,
  type AuditQuery,
  type ChainKey,
  type ChainKeySource,
  type ChainReport,
  dropWitnessedCheckpoints,
  keepWitnessedCheckpoint,
  listAudit,
  type NewAuditEntry,
  verifyAudit,
  witnessedAt,
  witnessedCheckpoints,
} from './audit-repo.js';
export { bankCounts, deleteBank, findBankByName, getBankById, getBankByName, insertBank, listBanks, requireBanks, updateBank } from './banks-repo.js';
export {
  contentOfSeries,
  getSeries,
  getService,
  getVictim,
  insertReferral,
  insertSeries,
  insertService,
  insertVictim,
  linkContent,
  type LinkedSeries,
  listServices,
  logSeries,
  referralsOfVictims,
  searchSeries,
  seriesChangedSince,
  seriesCheckpoint,
  seriesNamed,
  seriesOfContents,
  setSeriesCheckpoint,
  unlinkContent,
  updateSeries,
  victimsOfSeries,
} from './cases-repo.js';
export type { CaseRow, Series } from './cases-schema.js';
export {
  allSignals,
  bulkInsertContents,
  changesSince,
  contentFacts,
  contentIdsByUid,
  contentUids,
  deleteBankContents,
  deleteContent,
  deleteSignal,
  existingContentIds,
  getContent,
  getSignal,
  insertContent,
  insertSignals,
  lastChangeSeq,
  listContent,
  type NewSignal,
  signalsOfContent,
  updateContent,
} from './content-repo.js';
export {
  draftOfPeriod,
  getCountryReport,
  insertDraftReport,
  insertReceivedCountryReport,
  listCountryReports,
  listReceivedCountryReports,
  markSubmitted,
  refreshDraft,
  setDeliveryError,
  setDraftNarrative,
  signDraft,
} from './country-reports-repo.js';
export { createOnce, ensureDataDir, FILE_MODE, keyFile } from './data-dir.js';
export { type Db, type DialectName, notify, openStore, type Store, type Tx } from './database.js';
export { dayOf, isDay } from './day.js';
export {
  caseByUid,
  insertAlert,
  insertOwnCase,
  insertReceivedCase,
  insertTarget,
  listAlerts,
  listOwnCases,
  lockTargets,
  ownCase,
  ownTargetsSince,
  setCaseContact,
  setTargetCheckpoint,
  targetCheckpoint,
  targetsLike,
} from './deconfliction-repo.js';
export { claimDueDeliveries, enqueueDelivery, listDeliveries, markDelivered, markFailed, replayDelivery } from './deliveries-repo.js';
export {
  advanceCheckpoint,
  closeMemberKeys,
  deletePeer,
  deletePublication,
  findPeer,
  findPeerById,
  findPublication,
  findSubscription,
  insertPeer,
  insertSubscription,
  listPeers,
  listPublications,
  listSubscriptions,
  markAttempt,
  markError,
  markSuccess,
  type MemberKeyRow,
  memberKeys,
  opinionCounts,
  type PeerRow,
  recordMemberKey,
  type SubscriptionRow,
  touchPeer,
  unknownPeer,
  updatePeer,
  upsertOpinion,
  upsertPublication,
} from './federation-repo.js';
export { feedCheckpoint, setFeedCheckpoint } from './feed-checkpoints.js';
export { contentsWithSignals, feedRows, latestFeedSeq, logFeed } from './feed-repo.js';
export {
  curatedCountFrom,
  curatedHelpEntries,
  helpChangesSince,
  helpEntriesByIds,
  helpEntryByUid,
  insertHelpEntry,
  insertReceivedHelpEntry,
  listHelpEntries,
  liveHelpEntry,
  logHelpChange,
  markHelpEntryRemoved,
  setHelpEntry,
  updateHelpEntry,
} from './help-repo.js';
export * as indicatorsRepo from './indicators-repo.js';
export { claimJob, completeJob, enqueueJob, failJob, getJob, openJobsOfKind, renewJobLease, requeueStale, requeueWorker, runningJobWorkers } from './jobs.js';
export { FREE_JSON_LIMITS, jsonColumn, jsonLimitProblem, type JsonLimits } from './json-limits.js';
export { matchContexts } from './match-repo.js';
export { findMemberByName, findTokenByHash, insertMember, insertToken, listMembers, listTokens, revokeToken, updateMember } from './members-repo.js';
export {
  approvedKeys,
  approvedVersions,
  decideMessage,
  getMessage,
  insertMessageDraft,
  lastMessageVersion,
  messageLanguages,
  messagesIn,
  messageVersions,
} from './messages-repo.js';
export { compareAndSetMeta, getMeta, setMeta } from './meta-repo.js';
export { HELP_KINDS } from './migrations/0012-help-directory.js';
export { INTERNATIONAL } from './migrations/0013-messages.js';
export { rememberNonce } from './nonces-repo.js';
export {
  addNoticeEvent,
  claimDueNotices,
  deleteProvider,
  getNotice,
  getProvider,
  insertNotice,
  insertProvider,
  listNotices,
  listProviders,
  noticeEvents,
  noticeOfReview,
  noticesCreated,
  providerForHost,
  providerName,
  sentNotices,
  updateNotice,
} from './notices-repo.js';
export {
  addMessageCount,
  assessmentsOf,
  deleteCampaign,
  insertCampaign,
  listCampaigns,
  listManualIndicators,
  upsertAssessment,
  upsertManualIndicator,
} from './reporting-repo.js';
export type { CountryReportRow, HelpEntryRow, MessageRow, ReceivedCountryReport } from './reporting-schema.js';
export {
  deleteDraft,
  findReportId,
  getReport,
  insertDraft,
  insertReceivedReport,
  listAuthorities,
  listReports,
  recordDelivery,
  removeAuthority,
  type ReportStates,
  reportOfReview,
  reportsCreated,
  resetDelivery,
  setAuthority,
  setCybertiplineDelivery,
  type Authority,
  updateReport,
  upsertDelivery,
} from './reports-repo.js';
export {
  type CybertiplineSubmission,
  ensureCybertiplineSubmission,
  getCybertiplineSubmission,
  leaseCybertiplineSubmission,
  releaseCybertiplineSubmission,
  takeOverCybertiplineLease,
  updateCybertiplineSubmission,
} from './cybertipline-repo.js';
export {
  deleteRule,
  deleteWebhook,
  insertRule,
  insertWebhook,
  listRules,
  listWebhooks,
  updateRule,
  updateWebhookSecrets,
  webhookByName,
} from './rules-repo.js';
export type { AuditEntry, Bank, BankContent, Member, Signal, Token } from './schema.js';
export { SecretBox } from './secret-box.js';
export {
  deleteVictimsOf,
  insertReceivedSeries,
  insertReceivedVictims,
  seriesByUid,
  setReceivedSeries,
  victimCounts,
  victimUidsOf,
} from './series-feed-repo.js';
export {
  countPending,
  countReveal,
  decideReviewItem,
  earlierSubmission,
  expireReviewMedia,
  exposure,
  getReviewItem,
  getSubmission,
  insertReviewItem,
  insertSubmission,
  listReviewItems,
  markMediaNotStored,
  reviewOfSubmission,
  reviewsWithMedia,
  setSubmissionMatches,
  submissionSignalsAfter,
  submissionsWithReviews,
  submissionsWithValue,
} from './submissions-repo.js';
export { getRun, insertItems, insertRun, type ItemQuery, listItems, listRuns, newFolders, retireRuns, updateRun } from './triage-repo.js';
export type { TriageItemRow, TriageRunRow } from './triage-schema.js';
export { TtlCache } from './ttl-cache.js';
export { type Executor, isUniqueViolation, nextTurn, now, parseJson } from './util.js';
export {
  advanceExchangeCheckpoint,
  clearFullFetch,
  contentsNotUpdatedSince,
  deleteExchange,
  exchangeCredentialsUpdatedAt,
  exchangeOpinionsOf,
  type ExchangeRow,
  findExchange,
  findExchangeById,
  findExchangeOfBank,
  getExchangeCredentials,
  insertExchange,
  listExchanges,
  markExchangeFetchEnd,
  markExchangeFetchStart,
  recordExchangeOpinion,
  resetExchangeCheckpoint,
  setExchangeCredentials,
  updateExchange,
} from './exchanges-repo.js';
export {
  existingTargetRefs,
  findOperation,
  findOperationByName,
  findTarget,
  insertOperation,
  insertTargets,
  listOperations,
  listTargets,
  markDeconflicted,
  type NewTarget,
  type OperationRow,
  type OperationTargetRow,
  overrideTarget,
  releaseTarget,
  setOperationCase,
  targetsByCountry,
  targetsToDeconflict,
} from './operations-repo.js';
