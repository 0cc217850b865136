/**
 * What src/actions/ offers the rest of src/ (docs/architecture.md, "Entry points"): modules outside
 * this folder import from here only. It exports what they use; ESLint refuses a deep import.
 */
export { actionMetrics } from './action-metrics.js';
export { smtpMailer } from './mailer.js';
export {
  CYBERTIPLINE_DESTINATION_NAME,
  CYBERTIPLINE_JOB,
  type CyberTiplineConfig,
  CyberTiplineService,
  type CyberTiplineView,
} from './cybertipline/service.js';
export { MediaVault } from './media-vault.js';
export { confirmedMatchBasis, NoticeService } from './notice-service.js';
export { REPORT_DELIVERY_JOB, ReportService, type ReportView } from './report-service.js';
export { RetroMatcher } from './retro-matcher.js';
export { OPINION_JOB, REVIEW_FOLLOWUP_JOB, ReviewService } from './review-service.js';
export { DRY_RUN_WINDOW, type DryRunResult, RuleService } from './rule-service.js';
export { ACTION_KINDS } from './rules.js';
export { type Account, type SubmissionInput, SubmissionService } from './submission-service.js';
export { WebhookDispatcher } from './webhook-dispatcher.js';
